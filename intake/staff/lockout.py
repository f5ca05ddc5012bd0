"""The page django-axes shows when a staff login is locked: the admin's style, for how long,
and whom to ask (the managers by name: they lift a lock on the Staff page); which accounts are
locked now, and lifting one account's lock; and the login form, which refuses a username no
account can have before django-axes or the database see it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.core.validators import ProhibitNullCharactersValidator
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import roles


def cooloff_words() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return _("an hour") if hours == 1 else ngettext("%(n)s hour", "%(n)s hours",
                                                        hours) % {"n": hours}
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}


def who_can_help() -> str:
    """Whom staff locked out, or without their authenticator app, can ask: the active managers
    by name, and an administrator."""
    names = roles.manager_names()
    if not names:
        return _("a manager of the clinic or an administrator")
    return _("a manager (%(names)s) or an administrator") % {
        "names": get_text_list(names, _("or"))}


def locked_usernames(usernames) -> set[str]:
    """Those of `usernames` that django-axes locks out now (from any address)."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(AccessAttempt.objects.filter(
        username__in=list(usernames), attempt_time__gte=since,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    ).values_list("username", flat=True))


def unlock(username: str) -> int:
    """Lift the lockout of this one username (from every address): django-axes' own reset;
    the number of lockout records removed."""
    from axes.utils import reset

    return reset(username=username)


def lockout_response(request, original_response=None, credentials=None):
    context = {
        **admin.site.each_context(request),
        "title": _("Account locked for now"),
        "cooloff": cooloff_words(),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "who_to_ask": who_can_help(),
    }
    response = TemplateResponse(request, "admin/intake/locked_out.html", context, status=429)
    return response.render()


def possible_username(username: str) -> bool:
    """A username an account could have: within the column's length, without a NUL byte
    (PostgreSQL refuses both, and django-axes writes every username tried)."""
    model = get_user_model()
    limit = model._meta.get_field(model.USERNAME_FIELD).max_length or 150
    return 0 < len(username) <= limit and "\x00" not in username


class StaffLoginForm(AdminAuthenticationForm):
    """The admin's login form; a username no account can have, or a NUL byte in the password,
    gets the page a wrong password gets, without a look-up (nor a failed try counted: there
    is no account to lock)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        for name in ("username", "password"):  # refused below, with the usual message
            field = self.fields[name]
            field.validators = [v for v in field.validators
                                if not isinstance(v, ProhibitNullCharactersValidator)]

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password") or ""
        if username is not None and password and (
                not possible_username(username) or "\x00" in password):
            raise self.get_invalid_login_error()
        return super().clean()
