"""The triage list of submissions: its order (most urgent first), search by reference, name or
e-mail, its filters and its columns."""

from __future__ import annotations

import re

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import wording
from ..delivery import deadlines
from ..models import SafetyLevel, Submission, last_activity, triage_rank, waiting_since
from .common import duration_words, local_time, safety_badge, user_name

# The triage order's keys (models.py; the same expressions as the index that serves them).
TRIAGE = triage_rank()
WAITING_SINCE = waiting_since()
LAST_ACTIVITY = last_activity()

REFERENCE_PATTERN = re.compile(r"TRD-[A-Z0-9]{2,8}-[A-Z0-9]{4,8}", re.IGNORECASE)


class AssignedFilter(admin.SimpleListFilter):
    title = _("assigned clinician")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return (("me", _("Assigned to me")), ("nobody", _("Not assigned")))

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


# A draft with nothing but consent (no name yet) and no safety flag: nothing for staff to do.
CONSENT_ONLY = Q(status=Submission.Status.DRAFT, safety_level=SafetyLevel.NONE, full_name="")


class ConsentOnlyFilter(admin.SimpleListFilter):
    title = _("consent-only drafts")
    parameter_name = "consent_only"

    def lookups(self, request, model_admin):
        return (("show", _("Show them too")), ("only", _("Only them")))

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {"selected": self.value() == lookup,
                   "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                   "display": title}
        yield {"selected": self.value() is None,
               "query_string": changelist.get_query_string(remove=[self.parameter_name]),
               "display": _("Hidden (default)")}

    def queryset(self, request, queryset):
        if self.value() == "show":
            return queryset
        if self.value() == "only":
            return queryset.filter(CONSENT_ONLY)
        return queryset.exclude(CONSENT_ONLY)


class TriageList:
    """The list's queryset, search, order and columns, for `SubmissionAdmin`."""

    TRIAGE_ORDER = ("triage", "waiting_since", "-last_activity", "-id")

    def get_queryset(self, request):
        # Annotate before ordering (ModelAdmin.get_queryset orders straight away).
        queryset = self.model._default_manager.get_queryset().annotate(
            triage=TRIAGE, waiting_since=WAITING_SINCE, last_activity=LAST_ACTIVITY)
        return queryset.order_by(*self.get_ordering(request))

    def get_search_results(self, request, queryset, search_term):
        # A whole reference is looked up through its unique index, not by scanning every row.
        if REFERENCE_PATTERN.fullmatch(search_term.strip()):
            return queryset.filter(reference=search_term.strip().upper()), False
        return super().get_search_results(request, queryset, search_term)

    def get_ordering(self, request):
        # Annotations (see get_queryset), so not in `ordering`, which the checks want as fields.
        return self.TRIAGE_ORDER

    @admin.display(description=_("submitted"), ordering="last_activity")
    def submitted(self, obj):
        if obj.submitted_at:
            return local_time(obj.submitted_at)
        return format_html('{}<span class="list-note">{}</span>', _("Draft"),
                           _("saved %(when)s") % {"when": local_time(obj.updated_at)})

    @admin.display(description=_("safety"), ordering="safety_level")
    def safety(self, obj):
        return safety_badge(obj.safety_level)

    @admin.display(description=_("waiting"))
    def waiting(self, obj):
        """Time since the flag while nobody has recorded contact with the patient."""
        if not obj.awaiting_contact or obj.flagged_at is None:
            return "—"
        now = timezone.now()
        text = duration_words(now - obj.flagged_at)
        if deadlines.past_deadline(obj.safety_level, obj.flagged_at, now):
            return format_html('<strong class="waiting-long">{}</strong>', text)
        return text

    @admin.display(description=_("TRD status"), ordering="trd_status")
    def trd(self, obj):
        return wording.trd_status(obj.trd_status) if obj.trd_status else "—"

    @admin.display(description=_("confirmed / possible"), ordering="confirmed_count")
    def counts(self, obj):
        if obj.confirmed_count is None:
            return "—"
        return format_html('{} / {}<span class="visually-hidden"> ({})</span>',
                           obj.confirmed_count, obj.possible_count,
                           _("confirmed / possible failed trials"))

    @admin.display(description=_("PHQ-9"), ordering="phq9_total")
    def phq9_score(self, obj):
        if obj.phq9_total is None:
            return "—"
        band = wording.phq9_band(obj.phq9_band, wording.STAFF)
        return format_html('{}<span class="list-note">{}</span>', obj.phq9_total, band)

    @admin.display(description=_("MSM (approx.)"), ordering="msm_total")
    def msm(self, obj):
        return "—" if obj.msm_total is None else obj.msm_total

    @admin.display(description=_("review status"), ordering="review_status")
    def review(self, obj):
        return wording.choice("review_status", obj.review_status)

    @admin.display(description=_("assigned to"), ordering="assigned_to__username")
    def assigned(self, obj):
        return user_name(obj.assigned_to) or "—"

    @admin.display(description=_("first viewed"), ordering="first_viewed_at")
    def first_viewed(self, obj):
        if obj.first_viewed_at:
            return local_time(obj.first_viewed_at)
        if obj.safety_level != SafetyLevel.NONE:
            return format_html('<strong class="not-viewed">{}</strong>', _("Not yet"))
        return "—"
