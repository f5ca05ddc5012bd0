"""Seed the medication catalog from intake/data/medications.csv.

Rows whose slug is not in the database are created; existing rows are left as they are, because
staff edit the catalog in the admin and a reload must not undo their edits. ``--update`` overwrites
existing rows from the CSV instead.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from intake.catalog_csv import COLUMNS, DEFAULT_CATALOG_CSV, CatalogCSVError, read_catalog_csv
from intake.models import Medication

FIELDS = [column for column in COLUMNS if column != "slug"]


class Command(BaseCommand):
    help = "Create missing medications from the catalog CSV (existing rows are left alone)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", default=str(DEFAULT_CATALOG_CSV), help="CSV file (default: bundled catalog)"
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also overwrite existing rows with the CSV's values (undoes staff edits).",
        )

    def handle(self, *args, file, update, **options):
        try:
            rows = read_catalog_csv(file)
        except CatalogCSVError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc

        created = updated = unchanged = 0
        with transaction.atomic():
            existing = {
                medication.slug: medication
                for medication in Medication.objects.select_for_update().filter(
                    slug__in=[row["slug"] for row in rows]
                )
            }
            new = []
            for row in rows:
                medication = existing.get(row["slug"])
                if medication is None:
                    new.append(Medication(**row))
                    continue
                changed = [f for f in FIELDS if getattr(medication, f) != row[f]]
                if update and changed:
                    for field in changed:
                        setattr(medication, field, row[field])
                    medication.save(update_fields=[*changed, "updated_at"])
                    updated += 1
                else:
                    unchanged += 1
            Medication.objects.bulk_create(new)
            created = len(new)

        self.stdout.write(f"catalog: {created} created, {unchanged} unchanged ({updated} updated)")
