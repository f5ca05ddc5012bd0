"""The shared pieces of the wording layer: the two audiences, "not answered", unrecognised
codes, numbers, lists joined with "and"/"or", yes and no."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

PATIENT, STAFF = "patient", "staff"
AUDIENCES = (PATIENT, STAFF)

MISSING = {PATIENT: _("Not provided"), STAFF: _("Not answered")}


def unrecognised(code, audience: str = STAFF) -> str:
    if audience == PATIENT:
        return str(_("An answer we cannot show here (the clinic will check it)"))
    return str(_("Unrecognised code: %(code)s") % {"code": code})


def number(value) -> str:
    """Every number shown to people: 150 (not 150.0 or 150.00), 37.5, 17.3 (one decimal)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if 0 < abs(value) < 1:  # a dose in mg given in micrograms: 0.025, not 0
            return f"{value:.4f}".rstrip("0").rstrip(".")
        value = round(value, 1)
        return str(int(value)) if value == int(value) else f"{value:g}"
    return str(value)


def lookup(table: Mapping, code, audience: str = STAFF) -> str:
    """The words of `code` in `table`; empty: "Not provided" / "Not answered"; a code without
    words: "unrecognised" with the code."""
    if code in ("", None):
        return str(MISSING[audience])
    text = table.get(code)
    return unrecognised(code, audience) if text is None else str(text)


def joined(items: list, template) -> str:
    """The items as "a, b and c": the last one joined by `template` ("%(list)s and %(last)s")."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return str(template % {"list": ", ".join(items[:-1]), "last": items[-1]})


def join_or(items: list) -> str:
    return joined(items, _("%(list)s or %(last)s"))


def join_and(items: list) -> str:
    return joined(items, _("%(list)s and %(last)s"))


def yes_no(value: bool | None, audience: str = PATIENT) -> str:
    if value is None:
        return str(MISSING[audience])
    return str(_("Yes") if value else _("No"))


NOT_SURE = {PATIENT: _("%(answer)s (not sure)"), STAFF: _("%(answer)s (not sure)")}
