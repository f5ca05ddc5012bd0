"""Template filters for the staff pages."""

from __future__ import annotations

from django import template

from intake import wording
from intake.staff.common import local_time

register = template.Library()


@register.filter
def staff_time(value) -> str:
    """A time as staff read it: "14 Mar 2026, 17:04", in the clinic's time zone."""
    return local_time(value) if value else ""


@register.filter
def words(code, kind: str) -> str:
    """A stored code of one of the models' choices in staff words: `{{ sub.review_status|words:
    "review_status" }}` (`wording.CHOICES`)."""
    return wording.choice(kind, code)
