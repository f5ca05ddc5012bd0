"""The medicine picker: catalog rows grouped by kind, labelled with generic and brand names,
and a search that finds a medicine by either name, typos tolerated, without JavaScript."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from ..models import Medication
from ..screening.tried import family_of
from ..wording import MEDICINE_GROUPS, NOT_IN_THE_LIST
from .medicine_names import SearchResult, search


def group_of(med: Medication) -> str:
    """The menu group: add-ons together, antidepressants by the family the screening rules
    give their drug class (`screening.tried.family_of`); families without a group of their
    own (bupropion-type, mirtazapine-type) are among the other antidepressants."""
    if med.role == Medication.Role.AUGMENTATION:
        return "addon"
    family = family_of(med.drug_class)
    return family if family in MEDICINE_GROUPS else "other"


def label(med: Medication) -> str:
    brands = ", ".join(med.brand_list)
    return f"{med.generic_name} ({brands})" if brands else med.generic_name


def search_catalog(meds: Iterable[Medication], query: str) -> SearchResult:
    """Active medicines matching the query by generic or brand name, typos tolerated; when
    none matches, the closest few (`matched` False). See `medicine_names.search`."""
    return search([m for m in meds if m.active], query)


def catalog_choices(meds: Iterable[Medication], only: set[str] | None = None,
                    keep: Medication | None = None) -> list:
    """Grouped choices of the active medicines (or those in `only`), plus `keep`: the one a
    saved answer names, even if staff have since made it inactive."""
    grouped: dict[str, list] = {code: [] for code in MEDICINE_GROUPS}
    for med in sorted(meds, key=lambda m: m.generic_name.casefold()):
        shown = med.active or (keep is not None and med.pk == keep.pk)
        if shown and (only is None or med.slug in only):
            grouped[group_of(med)].append((med.slug, label(med)))
    return [(name, grouped[code]) for code, name in MEDICINE_GROUPS.items() if grouped[code]]


OTHER, UNKNOWN = tuple(NOT_IN_THE_LIST)  # "other", "unknown"


class Menu(list):
    """The medicine select's choices, ready for a form: "Choose a medicine", the catalog in
    its groups, then "Another medicine" and "I don't remember the name"."""

    def __init__(self, catalog_choices: list):
        super().__init__([
            ("", _("Choose a medicine")),
            *catalog_choices,
            (_("Not in the list"), list(NOT_IN_THE_LIST.items())),
        ])


_full_menu: tuple[dict, Menu] | None = None


def full_menu(catalog: dict[str, Medication]) -> Menu:
    """The menu of every active medicine, built again only when the catalog is a new one
    (`reference.page_catalog` gives a new dict when the table has changed)."""
    global _full_menu
    cached = _full_menu
    if cached is None or cached[0] is not catalog:
        cached = _full_menu = (catalog, Menu(catalog_choices(catalog.values())))
    return cached[1]
