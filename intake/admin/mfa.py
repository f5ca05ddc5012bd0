"""The second factor for staff: a TOTP code from an authenticator app (django-otp).

After the password (the admin's login, with django-axes' lockout) a staff user who must use a
second factor lands on one page: enter the 6-digit code, or, the first time, scan the QR code
(or type the key) into an authenticator app and enter its code to confirm it. No admin page is
reachable before that (StaffAdminSite.has_permission). `STAFF_MFA_REQUIRED` (true by default in
production) makes it mandatory; otherwise only staff who set up an app are asked for it.
Recovery: `manage.py staff_mfa_reset USERNAME` (README).
"""

from __future__ import annotations

import base64

import django_otp
import segno
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model, logout
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import audit
from ..admin_site import safe_next, with_next

DEVICE_NAME = "Authenticator app"


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
    if settings.STAFF_MFA_REQUIRED:
        return True
    cached = getattr(request, "_intake_has_device", None)
    if cached is None:
        cached = request._intake_has_device = confirmed_device(user) is not None
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
    enrolling = device is None
    if enrolling:
        device = _pending_device(user)
    error = ""
    if request.method == "POST":
        token = "".join(request.POST.get("token", "").split())
        if not token.isdigit() or len(token) != 6:
            error = _("Enter the 6-digit code shown in your authenticator app.")
        elif device.verify_token(token):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                audit.record(user, audit.MFA_ENROLLED, None, username=user.get_username())
            django_otp.login(request, device)
            audit.record(user, audit.MFA_VERIFIED, None, username=user.get_username())
            return redirect(safe_next(request, next_url))
        else:
            error = _("That code did not match. Codes change every 30 seconds: enter the "
                      "newest one. Repeated wrong codes make you wait longer between tries.")
            audit.record(user, audit.MFA_FAILED, None, username=user.get_username())
    context = {
        **admin.site.each_context(request),
        "who_to_ask": settings.STAFF_ACCOUNT_HELP,
        "title": _("Set up your authenticator app") if enrolling
        else _("Enter your sign-in code"),
        "enrolling": enrolling,
        "error": error,
        "next": next_url,
        "username": user.get_username(),
    }
    if enrolling:
        context["qr"] = qr_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode().rstrip("=")
    return TemplateResponse(request, "admin/intake/mfa.html", context,
                            status=200 if not error else 400)


@require_POST
@csrf_protect
def cancel_view(request):
    """Leave the second-factor page: log out (the admin's own logout needs full access)."""
    logout(request)  # audited by the user_logged_out signal (intake/admin/auth_events.py)
    return HttpResponseRedirect(reverse("admin:login"))
