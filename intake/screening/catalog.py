"""Reading the medication catalog CSV into `CatalogEntry` values (for tests and QA tools;
the web app reads the clinic-edited catalog from its database)."""

from __future__ import annotations

import csv
from pathlib import Path

from .model import CatalogEntry


def load_catalog_csv(path: str | Path) -> dict[str, CatalogEntry]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {
            row["slug"]: CatalogEntry(
                slug=row["slug"],
                generic_name=row["generic_name"],
                drug_class=row["drug_class"],
                role=row["role"],
                min_adequate_mg_per_day=float(row["min_adequate_mg_per_day"])
                if row["min_adequate_mg_per_day"].strip() else None,
            )
            for row in csv.DictReader(handle)
        }
