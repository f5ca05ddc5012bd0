"""The page django-axes shows when a staff login is locked: the admin's style, for how long,
and whom to ask."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def cooloff_words() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return _("an hour") if hours == 1 else ngettext("%(n)s hour", "%(n)s hours",
                                                        hours) % {"n": hours}
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}


def lockout_response(request, original_response=None, credentials=None):
    context = {
        **admin.site.each_context(request),
        "title": _("Account locked for now"),
        "cooloff": cooloff_words(),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "who_to_ask": settings.STAFF_ACCOUNT_HELP,
    }
    response = TemplateResponse(request, "admin/intake/locked_out.html", context, status=429)
    return response.render()
