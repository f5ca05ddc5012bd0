"""The staff admin site (the staff room's admin modules register their models on it): a dashboard
as its index, banners on every page (flagged cases with no contact recorded in time, undelivered
alerts), a second factor before any admin page, a login page that warns before the lockout, and
typed review input kept across an expired session."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import Resolver404, path, resolve
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..delivery import escalation, outbox
from ..models import AWAITING_CONTACT, SafetyLevel, Submission
from . import mfa, roles, staff_accounts
from .common import duration_words
from .lockout import StaffLoginForm, cooloff_words, possible_username

KEPT_SESSION_KEY = "intake_kept_review"
# What the review form holds, and is kept when a session ended before it was saved.
KEPT_FIELDS = ("review_status", "assigned_to", "note", "initial-review_status",
               "initial-assigned_to")


def staff_banners(request) -> dict:
    """Two small counts for the banners every admin page shows (two queries)."""
    if not request.user.has_perm("intake.view_submission"):
        return {}
    uncontacted = escalation.overdue(timezone.now()).aggregate(
        urgent=Count("pk", filter=Q(safety_level=SafetyLevel.ACUTE)),
        priority=Count("pk", filter=Q(safety_level=SafetyLevel.NON_ACUTE)))
    return {
        "urgent_uncontacted": uncontacted["urgent"],
        "priority_uncontacted": uncontacted["priority"],
        "urgent_contact_minutes": settings.URGENT_CONTACT_MINUTES,
        "priority_contact_hours": settings.PRIORITY_CONTACT_HOURS,
        "undelivered_alerts": outbox.undelivered().count(),
    }


def dashboard(request) -> dict:
    """The index page's numbers: two queries whatever the number of submissions."""
    waiting = Submission.objects.filter(review_status__in=AWAITING_CONTACT).exclude(
        safety_level=SafetyLevel.NONE)
    counts = waiting.aggregate(
        urgent=Count("pk", filter=Q(safety_level=SafetyLevel.ACUTE)),
        priority=Count("pk", filter=Q(safety_level=SafetyLevel.NON_ACUTE)),
        urgent_uncontacted=Count("pk", filter=Q(safety_level=SafetyLevel.ACUTE,
                                                contacted_at__isnull=True)),
    )
    oldest = (waiting.filter(flagged_at__isnull=False).order_by("flagged_at", "pk")
              .only("pk", "reference", "safety_level", "flagged_at").first())
    return {
        "dash": {
            **counts,
            "oldest": oldest,
            "oldest_waited": duration_words(timezone.now() - oldest.flagged_at)
            if oldest else "",
        },
    }


def kept_review(request, object_id) -> dict | None:
    """Take (once) what this browser typed into a submission's review form before its session
    ended."""
    kept = request.session.get(KEPT_SESSION_KEY)
    if not kept or str(object_id) not in kept:
        return None
    data = kept.pop(str(object_id))
    request.session[KEPT_SESSION_KEY] = kept
    return data


class StaffAdminSite(admin.AdminSite):
    site_header = f"{settings.CLINIC_NAME} staff"
    site_title = f"{settings.CLINIC_NAME} staff"
    index_title = _("Intake review")
    enable_nav_sidebar = False  # the triage list needs the width of a laptop screen
    index_template = "admin/intake/dashboard.html"
    login_template = "admin/intake/login.html"

    # -- access: password, then the second factor --

    login_form = StaffLoginForm

    def has_permission(self, request):
        return super().has_permission(request) and not mfa.needs_second_factor(request)

    def each_context(self, request):
        context = super().each_context(request)
        if context.get("has_permission"):
            context.update(staff_banners(request))
        context["session_minutes"] = settings.STAFF_SESSION_MINUTES
        return context

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and not self.has_permission(request):
                self._keep_typed_input(request)
            return inner(request, *args, **kwargs)

        wrapper.__wrapped__ = inner
        wrapper.admin_site = self
        return wrapper

    def _keep_typed_input(self, request) -> None:
        """A review form posted after the session ended: keep what was typed (server-side, in
        this browser's new session) so the login brings it back instead of losing it."""
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return
        if match.url_name != "intake_submission_change":
            return
        data = {name: request.POST.get(name, "")[:10_000] for name in KEPT_FIELDS
                if name in request.POST}
        if not data.get("note", "").strip() and "review_status" not in data:
            return
        kept = request.session.get(KEPT_SESSION_KEY, {})
        kept[str(match.kwargs["object_id"])] = data
        request.session[KEPT_SESSION_KEY] = kept

    def login(self, request, extra_context=None):
        next_url = request.POST.get("next", request.GET.get("next", ""))
        if request.method == "GET" and mfa.needs_second_factor(request):
            return HttpResponseRedirect(mfa.verify_url(next_url))
        context = {**(extra_context or {})}
        if request.session.get(KEPT_SESSION_KEY):
            context["kept_input"] = True
        response = super().login(request, context)
        if request.method == "POST" and response.status_code in (301, 302) \
                and mfa.needs_second_factor(request):
            return HttpResponseRedirect(mfa.verify_url(next_url))
        if request.method == "POST" and getattr(response, "context_data", None) is not None:
            response.context_data["login_warning"] = lockout_warning(request)
        return response

    def get_urls(self):
        return [
            path("mfa/", mfa.verify_view, name="mfa"),
            path("mfa/log-out/", mfa.cancel_view, name="mfa_cancel"),
            path("set-up/<str:token>/", mfa.setup_link_view, name="mfa_setup_link"),
            *staff_accounts.urls(self),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        """The queue's counts for staff who can open submissions only; the Staff page's link
        for managers."""
        counts = dashboard(request) if request.user.has_perm("intake.view_submission") else {}
        return super().index(request, {**counts, **(extra_context or {}),
                                       "staff_accounts": roles.is_manager(request.user),
                                       "title": _("Today's queue")})


def lockout_warning(request) -> str:
    """After a wrong password: how many tries are left before the lockout, once it is few."""
    from axes.helpers import get_client_ip_address
    from axes.models import AccessAttempt

    username = request.POST.get("username", "")
    if not possible_username(username):
        return ""
    attempt = AccessAttempt.objects.filter(
        username=username, ip_address=get_client_ip_address(request)).first()
    if attempt is None:
        return ""
    left = settings.AXES_FAILURE_LIMIT - attempt.failures_since_start
    if left <= 0 or left > 2:
        return ""
    return ngettext(
        "Careful: one more wrong password locks this account for %(time)s.",
        "Careful: %(n)s more wrong passwords lock this account for %(time)s.", left,
    ) % {"n": left, "time": cooloff_words()}

