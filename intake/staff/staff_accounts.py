"""The Staff page: managers run reviewers' accounts without the command line (superusers run
everyone's; who may manage whom is roles.may_manage).

- add a reviewer: username, name and e-mail; no password is typed by anyone but the newcomer,
  who gets a one-time set-up link (intake/staff/mfa.py) to choose a password and set up an
  authenticator app;
- deactivate an account: it can no longer log in; the row stays (the audit trail and the
  cases keep its name), never deleted;
- lift the lockout of one account (django-axes' reset for that username only);
- reset an authenticator: the app stops working and a new set-up link is shown.

Every action is written to the audit trail; the pages answer 403 to anyone but a manager.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import audit, wording
from ..models import StaffSetupLink
from . import lockout, mfa, roles
from .common import local_time, user_name

ACTIONS = ("deactivate", "unlock", "reset-authenticator")


class NewReviewerForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "email"):
            self.fields[name].required = True
        self.fields["email"].help_text = _("Work e-mail, for the alerts they may receive.")


def urls(site) -> list:
    """The Staff pages, added to the staff site's URLs (behind its login and second factor)."""
    return [
        path("staff/", site.admin_view(staff_list), name="staff_accounts"),
        path("staff/add/", site.admin_view(add_reviewer), name="staff_accounts_add"),
        path("staff/<int:pk>/<slug:action>/", site.admin_view(account_action),
             name="staff_accounts_action"),
    ]


def _manager_only(request) -> None:
    if not roles.is_manager(request.user):
        raise PermissionDenied


def _context(request, title: str, **extra) -> dict:
    from django.contrib import admin

    return {**admin.site.each_context(request), "title": title, **extra}


@require_safe
def staff_list(request):
    """Every staff account: role, active, locked out, authenticator set up; the actions the
    manager may take on it."""
    _manager_only(request)
    staff = list(get_user_model().objects.filter(is_staff=True).prefetch_related("groups")
                 .order_by("-is_active", "username"))
    managed = set(roles.managed_by(request.user, get_user_model().objects.filter(
        is_active=True)).values_list("pk", flat=True))
    locked = lockout.locked_usernames(user.get_username() for user in staff)
    with_app = set(TOTPDevice.objects.filter(confirmed=True, user__in=staff)
                   .values_list("user_id", flat=True))
    rows = [{
        "user": user, "name": user_name(user),
        "role": wording.ROLE_WORDS[roles.role_of(user)],
        "locked": user.get_username() in locked, "has_app": user.pk in with_app,
        "may_manage": user.pk in managed,
        "last_login": local_time(user.last_login),
    } for user in staff]
    return TemplateResponse(request, "admin/intake/staff_accounts.html", _context(
        request, _("Staff"), rows=rows, may_add=True))


@require_http_methods(["GET", "POST"])
def add_reviewer(request):
    """A new reviewer account, without a password: the set-up link follows, shown once."""
    _manager_only(request)
    form = NewReviewerForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            with transaction.atomic():
                user = form.save(commit=False)
                user.is_staff = True
                user.set_unusable_password()
                user.save()
                user.groups.add(Group.objects.get(name=roles.REVIEWERS))
                audit.record(request.user, audit.STAFF_CREATED, None,
                             username=user.get_username(), role=roles.REVIEWERS,
                             by=request.user.get_username())
        except IntegrityError:  # the same username added at the same moment
            form.add_error("username", _("A user with that username already exists."))
        else:
            return _link_page(request, user, new_account=True)
    return TemplateResponse(request, "admin/intake/staff_account_add.html", _context(
        request, _("Add a reviewer"), form=form), status=400 if form.is_bound else 200)


@require_POST
def account_action(request, pk: int, action: str):
    """Deactivate, lift a lockout or reset the authenticator of one account the manager runs."""
    _manager_only(request)
    if action not in ACTIONS:
        raise Http404
    user = get_object_or_404(get_user_model(), pk=pk, is_staff=True)
    if not (user.is_active and roles.may_manage(request.user, user)):
        raise PermissionDenied
    name = user_name(user)
    if action == "reset-authenticator":
        devices = mfa.reset_authenticator(user, request.user)
        messages.success(request, _("%(name)s's authenticator app no longer works (%(n)s "
                                    "removed).") % {"name": name, "n": devices})
        return _link_page(request, user, new_account=False)
    if action == "deactivate":
        now = timezone.now()
        with transaction.atomic():
            user.is_active = False
            user.save(update_fields=["is_active"])
            StaffSetupLink.objects.filter(user=user, used_at__isnull=True,
                                          expires_at__gt=now).update(expires_at=now)
            audit.record(request.user, audit.STAFF_DEACTIVATED, None,
                         username=user.get_username(), by=request.user.get_username())
        messages.success(request, _("%s can no longer log in. Their name stays on the cases "
                                    "and in the audit trail.") % name)
    else:
        removed = lockout.unlock(user.get_username())
        audit.record(request.user, audit.STAFF_UNLOCKED, None, username=user.get_username(),
                     records=removed, by=request.user.get_username())
        messages.success(request, _("%s can log in again now.") % name)
    return HttpResponseRedirect(reverse("admin:staff_accounts"))


def _link_page(request, user, *, new_account: bool):
    """A new set-up link for `user`, shown this once."""
    token = mfa.issue_setup_link(user, request.user)
    link = StaffSetupLink.objects.filter(user=user).latest("pk")
    return TemplateResponse(request, "admin/intake/setup_link_issued.html", _context(
        request, _("Set-up link for %(name)s") % {"name": user_name(user)},
        link=link, url=mfa.setup_link_url(token, request), expires=local_time(link.expires_at),
        opts=StaffSetupLink._meta, new_account=new_account,
        back_url=reverse("admin:staff_accounts"), back_words=_("Back to the staff list")))
