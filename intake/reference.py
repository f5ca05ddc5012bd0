"""The reference data the screening rules read, taken from the database and settings.

The catalog comes from the clinic-edited `Medication` table (inactive rows included, so a
medicine removed from the pick list still counts in histories that name it); thresholds come
from settings.
"""

from __future__ import annotations

from django.conf import settings

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
