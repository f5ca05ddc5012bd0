"""The second factor for staff: a TOTP code from an authenticator app (django-otp).

After the password (the admin's login, with django-axes' lockout) a staff user who must use a
second factor lands on one page: enter the 6-digit code. No admin page is reachable before
that (StaffAdminSite.has_permission). `STAFF_MFA_REQUIRED` (true by default in production)
makes it mandatory; otherwise only staff who set up an app are asked for it.

Setting an app up (a new account, a lost phone) takes a one-time set-up link issued by a
manager or a superuser (`StaffSetupLink`: valid SETUP_LINK_HOURS, used once, only a hash of its
token kept, audited) as well as the password: the link, opened in a browser, is remembered by
that browser's session, the password is asked for, and only then are the QR code and the key
shown. A new account has no password yet (managers create accounts without typing one,
intake/staff/staff_accounts.py): its link first asks the newcomer to choose one, then goes on
the same way. The password alone never reaches them: a staff member with no app is told to ask
for a link. Links are issued in the admin (intake/staff/setup_links.py) and by
`manage.py staff_setup_link USERNAME` or `manage.py staff_mfa_reset USERNAME`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets

import django_otp
import segno
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import audit
from ..models import StaffSetupLink
from . import roles
from .lockout import who_can_help

DEVICE_NAME = "Authenticator app"
SETUP_LINK_HOURS = 24
SETUP_SESSION_KEY = "intake_setup_link"  # the set-up link this browser opened (its row's id)


# --- set-up links ----------------------------------------------------------------------------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_issue_setup_links(issuer) -> bool:
    """Managers (whoever holds the managers' permissions: read from the permissions the page
    loaded anyway, no query of its own) and superusers."""
    return roles.is_manager(issuer)


def may_issue_setup_link(issuer, user) -> bool:
    """For the active staff accounts the issuer manages (roles.may_manage)."""
    return user.is_active and roles.may_manage(issuer, user)


def issue_setup_link(user, issued_by=None, link: StaffSetupLink | None = None) -> str:
    """A new set-up link for `user` (saved into `link` when given; any earlier unused one stops
    working); its token, to be shown once: only its hash is stored. `issued_by` None: from the
    command line."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = link or StaffSetupLink()
    link.user, link.token_hash, link.created_by = user, _token_hash(token), issued_by
    link.expires_at = now + dt.timedelta(hours=SETUP_LINK_HOURS)
    with transaction.atomic():
        StaffSetupLink.objects.filter(user=user, used_at__isnull=True,
                                      expires_at__gt=now).update(expires_at=now)
        link.save()
        audit.record(issued_by, audit.SETUP_LINK_ISSUED, None, username=user.get_username(),
                     link=link.pk, by=issued_by.get_username() if issued_by else "command line")
    return token


def reset_authenticator(user, reset_by=None) -> int:
    """Remove every authenticator app of `user` (they can no longer give a code: a new one
    takes a set-up link); audited; how many were removed. `reset_by` None: the command line."""
    deleted, _counts = TOTPDevice.objects.filter(user=user).delete()
    audit.record(reset_by, audit.MFA_RESET, None, username=user.get_username(), devices=deleted,
                 by=reset_by.get_username() if reset_by else "command line")
    return deleted


def setup_link_url(token: str, request=None) -> str:
    path = reverse("admin:mfa_setup_link", args=[token])
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL + path


def _usable(links):
    return links.filter(used_at__isnull=True, expires_at__gt=timezone.now())


def setup_link_for(request) -> StaffSetupLink | None:
    """The set-up link this browser opened, while it still works, for the signed-in user."""
    pk = request.session.get(SETUP_SESSION_KEY)
    if pk is None or not request.user.is_authenticated:
        return None
    return _usable(StaffSetupLink.objects.filter(pk=pk, user=request.user)).first()


@never_cache
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def setup_link_view(request, token):
    """A set-up link opened: remembered by this browser's session (after logging out whoever
    was signed in), then the password (chosen here first by a new account that has none); the
    set-up page follows."""
    link = _usable(StaffSetupLink.objects.filter(token_hash=_token_hash(token))).select_related(
        "user").first()
    if link is None:
        context = {**admin.site.each_context(request), "link_hours": SETUP_LINK_HOURS,
                   "title": _("This set-up link does not work"),
                   "who_to_ask": who_can_help()}
        return TemplateResponse(request, "admin/intake/setup_link.html", context, status=404)
    if not link.user.has_usable_password():
        form = SetPasswordForm(link.user, request.POST if request.method == "POST" else None)
        if not form.is_valid():
            context = {**admin.site.each_context(request), "form": form,
                       "title": _("Choose your password"),
                       "username": link.user.get_username()}
            return TemplateResponse(request, "admin/intake/setup_password.html", context,
                                    status=400 if form.is_bound else 200)
        form.save()
        audit.record(None, audit.ACCOUNT_OPENED, None, username=link.user.get_username(),
                     link=link.pk)
    elif request.method == "POST":
        return HttpResponseRedirect(request.path)  # chosen meanwhile (another tab): log in
    if request.user.is_authenticated:
        logout(request)
    request.session[SETUP_SESSION_KEY] = link.pk
    return HttpResponseRedirect(with_next(reverse("admin:login"), reverse("admin:index")))


def _use_link(link: StaffSetupLink, device: TOTPDevice) -> bool:
    """The code matched: the link is used up (once, even from two browsers at once) and the
    new app replaces any earlier one."""
    with transaction.atomic():
        if not _usable(StaffSetupLink.objects.filter(pk=link.pk)).update(used_at=timezone.now()):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    return True


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def needs_second_factor(request) -> bool:
    """A signed-in staff user who has not yet given the second factor this session, and must."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    # OTPMiddleware gives request.user is_verified(); a user logged in during this request
    # (the login view) has not given the second factor yet
    if getattr(user, "is_verified", None) is not None and user.is_verified():
        return False
    if settings.STAFF_MFA_REQUIRED or SETUP_SESSION_KEY in request.session:
        return True
    cached = getattr(request, "intake_has_device", None)
    if cached is None:
        cached = request.intake_has_device = confirmed_device(user) is not None
    return cached


def verify_url(next_url: str = "") -> str:
    return with_next(reverse("admin:mfa"), next_url)


def qr_data_uri(text: str) -> str:
    svg = segno.make(text, error="m").svg_inline(scale=5, dark="#000", light="#fff",
                                                 omitsize=False)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _pending_device(user) -> TOTPDevice:
    """The app being set up: one per staff member, even when the page is opened in several
    tabs at once (or twice by a double click). The staff member's row is locked while it is
    looked for and made (on SQLite the transaction's write lock does the same), so every tab
    shows the one key a code is then checked against."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
        return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def verify_view(request):
    user = request.user
    next_url = request.POST.get("next", request.GET.get("next", ""))
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return HttpResponseRedirect(with_next(reverse("admin:login"), next_url))
    if not needs_second_factor(request) and not (request.method == "GET"
                                                 and request.GET.get("setup")):
        return redirect(safe_next(request, next_url))
    device = confirmed_device(user)
    link = setup_link_for(request)
    enrolling = device is None or link is not None
    context = {
        **admin.site.each_context(request),
        "who_to_ask": who_can_help(),
        "link_hours": SETUP_LINK_HOURS,
        "next": next_url,
        "username": user.get_username(),
    }
    if enrolling and link is None:  # the password alone never reaches the set-up
        request.session.pop(SETUP_SESSION_KEY, None)
        return TemplateResponse(request, "admin/intake/mfa.html", {
            **context, "title": _("Ask for a set-up link"), "needs_link": True}, status=403)
    if enrolling:
        device = _pending_device(user)
    error = ""
    if request.method == "POST":
        token = "".join(request.POST.get("token", "").split())
        if not token.isdigit() or len(token) != 6:
            error = _("Enter the 6-digit code shown in your authenticator app.")
        elif device.verify_token(token):
            if enrolling:
                if not _use_link(link, device):
                    return redirect(request.get_full_path())  # used or expired meanwhile
                request.session.pop(SETUP_SESSION_KEY, None)
                audit.record(user, audit.MFA_ENROLLED, None, username=user.get_username(),
                             link=link.pk)
            django_otp.login(request, device)
            audit.record(user, audit.MFA_VERIFIED, None, username=user.get_username())
            return redirect(safe_next(request, next_url))
        else:
            error = _("That code did not match. Codes change every 30 seconds: enter the "
                      "newest one. Repeated wrong codes make you wait longer between tries.")
            audit.record(user, audit.MFA_FAILED, None, username=user.get_username())
    context.update({
        "title": _("Set up your authenticator app") if enrolling
        else _("Enter your sign-in code"),
        "enrolling": enrolling,
        "error": error,
    })
    if enrolling:
        context["qr"] = qr_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode().rstrip("=")
    return TemplateResponse(request, "admin/intake/mfa.html", context,
                            status=200 if not error else 400)


@require_POST
@csrf_protect
def cancel_view(request):
    """Leave the second-factor page: log out (the admin's own logout needs full access)."""
    logout(request)  # audited by the user_logged_out signal (intake/staff/auth_events.py)
    return HttpResponseRedirect(reverse("admin:login"))


def safe_next(request, url: str) -> str:
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return reverse("admin:index")


def with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url
