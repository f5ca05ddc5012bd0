"""Small helpers shared by the staff admin modules: names, local times in words, safety badges,
durations, CSV downloads with spreadsheet-safe cells."""

from __future__ import annotations

import csv
import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import wording
from ..models import SafetyLevel

STAFF_CSS = {"all": ("intake/staff_admin.css",)}
STAFF_JS = ("intake/staff_admin.js",)

BADGE_CSS = {SafetyLevel.ACUTE: "safety-acute", SafetyLevel.NON_ACUTE: "safety-priority"}

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# Staff read times as "14 Mar 2026, 17:04" in the clinic's time zone: 24-hour, no "a.m.." and
# no microseconds.
TIME_FORMAT = "%-d %b %Y, %H:%M"
CSV_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def local_time(value: dt.datetime | None, fmt: str = TIME_FORMAT) -> str:
    if value is None:
        return ""
    return timezone.localtime(value).strftime(fmt)


def duration_words(delta: dt.timedelta) -> str:
    """'3 days 4 h', '2 h 15 min', '12 min', 'under a minute'."""
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        text = ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
        return f"{text} {hours} h" if hours else text
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    if mins:
        return f"{mins} min"
    return str(_("under a minute"))


def safety_badge(level: str):
    if level in BADGE_CSS:
        return format_html('<span class="safety-badge {}">{}</span>', BADGE_CSS[level],
                           wording.SAFETY_BADGES[level])
    return format_html('<span class="safety-none"><span aria-hidden="true">—</span>'
                       '<span class="visually-hidden">{}</span></span>', _("None"))


def csv_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


BOM = "\ufeff"  # spreadsheet programs read the file as UTF-8


def csv_response(prefix: str) -> tuple[HttpResponse, csv.writer]:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{prefix}-{stamp}.csv"'
    response.write(BOM)
    return response, csv.writer(response)


def csv_time(value) -> str:
    return local_time(value, CSV_TIME_FORMAT)
