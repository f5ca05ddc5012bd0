"""The reference data the screening rules read, taken from the database and settings.

The catalog comes from the clinic-edited `Medication` table (inactive rows included, so a
medicine removed from the pick list still counts in histories that name it); thresholds come
from settings.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Medication
from .screening import CatalogEntry, Thresholds


def engine_catalog() -> dict[str, CatalogEntry]:
    rows = Medication.objects.values_list(
        "slug", "generic_name", "drug_class", "role", "min_adequate_mg_per_day"
    )
    return {
        slug: CatalogEntry(slug, name, drug_class, role,
                           float(minimum) if minimum is not None else None)
        for slug, name, drug_class, role, minimum in rows
    }


def engine_thresholds() -> Thresholds:
    return Thresholds(min_trial_weeks=settings.MIN_TRIAL_WEEKS,
                      intolerance_weeks=settings.INTOLERANCE_WEEKS)


# --- the catalog for the medicine page, kept per process ----------------------------------------

_catalog: tuple[tuple, dict[str, Medication]] | None = None


def _catalog_version() -> tuple:
    """How many rows the catalog has and when one last changed (one small query)."""
    version = Medication.objects.aggregate(rows=Count("pk"), changed=Max("updated_at"))
    return version["rows"], version["changed"]


def page_catalog() -> dict[str, Medication]:
    """Every catalog medicine by slug (inactive ones too), read from the database again only
    when the catalog has changed: a save in this process clears it at once (signals below), a
    save in another worker moves the version. Treat the rows as read-only: they are shared."""
    global _catalog
    version = _catalog_version()
    cached = _catalog
    if cached is None or cached[0] != version:
        cached = _catalog = (version, {m.slug: m for m in Medication.objects.all()})
    return cached[1]


@receiver([post_save, post_delete], sender=Medication)
def _catalog_changed(**kwargs) -> None:
    global _catalog
    _catalog = None
