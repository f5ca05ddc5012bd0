"""Submissions in the staff admin: the triage list, the review page (the clinician's essentials
first, then one review form: status, assignment and a note saved together, then the full
clinical summary), re-assessment and the print view.

Access (groups in intake/staff/roles.py): reviewers see submissions, change review status and
assignment, add notes, record contact attempts and lower a safety level with a reason; managers
also export CSV, re-run assessments and delete drafts (never a flagged one: see `deletion`). The
patient's answers are read-only to everyone but superusers; a corrected safety answer raises the
safety level as the patient's own would. Everything is audited.
"""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from .. import audit, services, wording
from ..delivery import alerts, deadlines
from ..models import (
    AWAITING_CONTACT,
    Assessment,
    ReviewStatus,
    SafetyLevel,
    StaffNote,
    Submission,
    last_activity,
    triage_rank,
    waiting_since,
)
from ..patient.answers import saved_fields
from ..patient.steps import BY_SLUG, SAFETY_STEPS, STEPS
from . import deletion, roles
from .common import STAFF_CSS, STAFF_JS, duration_words, local_time, safety_badge, user_name
from .contact import (
    MAY_LEAVE_AWAITING,
    ContactAttemptForm,
    LowerSafetyForm,
    contact_needed,
    contact_needed_message,
    lower_safety,
    record_attempt,
)
from .export import export_submissions_csv
from .site import kept_review
from .summary import review_summary

# Fields that record what the patient said (what the question pages save, in their order):
# read-only to everyone but superusers.
PATIENT_FIELDS = tuple(dict.fromkeys(
    name for step in STEPS if step.form is not None for name in saved_fields(step.form)))
# The answers the safety level is drawn from (screening.safety_level): the PHQ-9 and safety pages.
SAFETY_FIELDS = frozenset(name for slug in ("phq9", *SAFETY_STEPS)
                          for name in saved_fields(BY_SLUG[slug].form))
STAFF_FIELDS = ("review_status", "assigned_to")
NOTE_MAX_LENGTH = StaffNote._meta.get_field("text").max_length

# The triage order's keys (models.py; the same expressions as the index that serves them).
TRIAGE = triage_rank()
WAITING_SINCE = waiting_since()
LAST_ACTIVITY = last_activity()

REFERENCE_PATTERN = re.compile(r"TRD-[A-Z0-9]{2,8}-[A-Z0-9]{4,8}", re.IGNORECASE)
JUST_SAVED_KEY = "intake_just_saved"


# --- the review form ------------------------------------------------------------------------

class ReviewForm(forms.ModelForm):
    """Status, assignment and a new note, saved by one button.

    Status and assignment carry the values the page was opened with (hidden initial values):
    only what this reviewer changed is written, and a change someone else saved in the
    meantime is never overwritten silently: the form comes back with a message and with
    everything typed still in it.
    """

    note = forms.CharField(
        label=_("Add a note"), required=False, max_length=NOTE_MAX_LENGTH, strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("Saved together with the status and assignment when you press Save. "
                    "Notes cannot be changed or deleted once added."))

    class Meta:
        model = Submission
        fields = ("review_status", "assigned_to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in STAFF_FIELDS:
            # a client that posts without what it saw is compared with the database instead
            if name in self.fields and (not self.is_bound or f"initial-{name}" in self.data):
                self.fields[name].show_hidden_initial = True
        if "assigned_to" in self.fields and self.instance.assigned_to_id:
            # whoever has the case now stays a choice (an unchanged form still saves)
            self.fields["assigned_to"].queryset = roles.assignable_staff(
                keep=self.instance.assigned_to_id)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        for name in STAFF_FIELDS:
            if name not in self.fields or name not in self.changed_data:
                continue
            posted_initial = self.data.get(f"initial-{name}")
            if posted_initial is None:
                continue  # a client that does not send what it saw: plain last-write
            now = self.initial.get(name)
            if str(now or "") != str(posted_initial or ""):
                field = self.fields[name]
                shown = dict(field.choices).get(now, now) if now not in (None, "") else _(
                    "nobody")
                if name == "assigned_to" and now:
                    shown = user_name(get_user_model().objects.filter(pk=now).first())
                self.add_error(name, _(
                    "Someone else changed this to “%(value)s” after you opened the page. "
                    "Check it, choose again and press Save: your note is still below."
                ) % {"value": shown})
        status = cleaned.get("review_status")
        if "review_status" in self.changed_data and status \
                and contact_needed(self.instance, status):
            self.add_error("review_status", contact_needed_message(self.instance, status))
        return cleaned


# --- list filters ---------------------------------------------------------------------------

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


# --- submissions ----------------------------------------------------------------------------

@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    form = ReviewForm
    list_display = ("reference", "submitted", "safety", "waiting", "trd", "counts",
                    "phq9_score", "msm", "review", "assigned", "first_viewed")
    list_display_links = ("reference",)
    list_filter = ("safety_level", "trd_status", "review_status", "status", AssignedFilter,
                   ConsentOnlyFilter, "submitted_at")
    search_fields = ("reference", "full_name", "email")
    search_help_text = _("Reference, name or e-mail address (part of one is enough).")
    list_select_related = ("assigned_to",)
    TRIAGE_ORDER = ("triage", "waiting_since", "-last_activity", "-id")
    list_per_page = 50
    show_full_result_count = False
    actions = ("export_csv", "reassess_selected", "delete_drafts")
    change_form_template = "admin/intake/submission/change_form.html"
    save_on_top = False
    # Manager-only actions, and the permission each needs (a forged POST gets 403).
    ACTION_PERMISSIONS = {"export_csv": "export", "reassess_selected": "reassess",
                          "delete_drafts": "delete", "delete_selected": "delete"}

    class Media:
        css = STAFF_CSS
        js = STAFF_JS

    # -- queryset and list columns --

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

    # -- permissions --

    def has_add_permission(self, request):
        return False  # submissions come from patients only

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_submitted:
            return False  # a submitted intake is a record: never deleted through the admin
        return super().has_delete_permission(request, obj)

    def has_export_permission(self, request):
        return request.user.has_perm("intake.export_submission")

    def has_reassess_permission(self, request):
        return request.user.has_perm("intake.reassess_submission")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by delete_drafts
        return actions

    # -- the change form: the review form; patient answers for superusers --

    def get_fieldsets(self, request, obj=None):
        fields = STAFF_FIELDS
        if request.user.has_perm("intake.add_staffnote"):
            fields += ("note",)
        fieldsets = [(None, {"fields": fields})]
        if request.user.is_superuser:
            fieldsets.append((_("Patient answers (superusers only: correct a recorded answer)"),
                              {"fields": PATIENT_FIELDS, "classes": ("collapse",)}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        return PATIENT_FIELDS

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        kept = getattr(request, "_intake_kept_review", None)
        if not kept:
            return form

        class KeptReviewForm(form):
            """The review form as this browser had typed it before its session ended."""

            def __init__(self, *args, **kw):
                if not args and kw.get("data") is None:
                    kw["data"] = kept
                super().__init__(*args, **kw)

        return KeptReviewForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = roles.assignable_staff()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Save only what this reviewer changed, and only if nobody changed it meanwhile (and a
        flagged case past "In review" only once contact is recorded); add the note; record who
        changed the review status and when; a superuser's corrected answers are saved field by
        field and a corrected safety answer raises the flag as a patient's would; audit."""
        changed = set(form.changed_data)
        staff_changes = {name: getattr(obj, name) for name in STAFF_FIELDS if name in changed}
        # the values this form was checked against (ReviewForm.clean), for a conditional write
        seen = {("assigned_to_id" if name == "assigned_to" else name): form.initial.get(name)
                for name in staff_changes}
        if "review_status" in staff_changes:
            obj.review_status_changed_at = timezone.now()
            obj.review_status_changed_by = request.user
            staff_changes.update(review_status_changed_at=obj.review_status_changed_at,
                                 review_status_changed_by=request.user)
        patient_changes = sorted(changed & set(PATIENT_FIELDS))
        note_text = (form.cleaned_data.get("note") or "").strip()
        if patient_changes and request.user.is_superuser:
            # only the corrected fields: a stale copy never rewrites the flag or the review
            obj.save(update_fields=patient_changes)
            if SAFETY_FIELDS & set(patient_changes) \
                    and services.refresh_safety(obj, alerts.site_base(request)):
                self.message_user(request, _(
                    "The corrected safety answers raise the safety level to “%(level)s”: the "
                    "staff alert is queued.") % {"level": wording.safety_level(obj.safety_level)},
                    messages.WARNING)
        if staff_changes:
            # A conditional queryset update: only these columns, only if still as seen; the
            # patient's "last saved" time is not touched by staff work.
            rows = Submission.objects.filter(pk=obj.pk, **seen)
            if "review_status" in staff_changes \
                    and staff_changes["review_status"] not in AWAITING_CONTACT:
                rows = rows.filter(MAY_LEAVE_AWAITING)  # flagged in the meantime: refused
            if not rows.update(**staff_changes):
                self.message_user(request, _(
                    "The review status or assignment was not saved: someone else changed it, "
                    "or the case was flagged, at the same moment. Open the submission again to "
                    "see it."), messages.ERROR)
                staff_changes = {}
        if "review_status" in staff_changes and seen["review_status"] != obj.review_status:
            audit.record(request.user, audit.STATUS_CHANGED, obj,
                         old=seen["review_status"], new=obj.review_status)
        if "assigned_to" in staff_changes and seen["assigned_to_id"] != obj.assigned_to_id:
            User = get_user_model()
            old_user = User.objects.filter(pk=seen["assigned_to_id"]).first()
            audit.record(request.user, audit.ASSIGNED, obj,
                         old=seen["assigned_to_id"], new=obj.assigned_to_id,
                         old_name=user_name(old_user), new_name=user_name(obj.assigned_to))
        if patient_changes and request.user.is_superuser:
            audit.record(request.user, audit.ANSWERS_CORRECTED, obj, fields=patient_changes)
        if note_text:
            if not request.user.has_perm("intake.add_staffnote"):
                raise PermissionDenied
            note = StaffNote.objects.create(submission=obj, author=request.user, text=note_text)
            audit.record(request.user, audit.NOTE_ADDED, obj, note_id=note.pk)
            self.message_user(request, _("Note added."), messages.SUCCESS)
        request.session[JUST_SAVED_KEY] = obj.pk

    def has_lower_safety_permission(self, request, obj) -> bool:
        """Lowering a flag is a clinician's decision, written as their note: whoever can change
        the submission and add notes (reviewers, managers)."""
        return self.has_change_permission(request, obj) \
            and request.user.has_perm("intake.add_staffnote")

    # -- deleting drafts: only through the confirmation page (deletion.py) --

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_delete_permission(request, obj):
            raise PermissionDenied
        one = Submission.objects.filter(pk=obj.pk)
        if request.method == "POST" and request.POST.get("post"):
            deletion.delete_confirmed(request, one)
            return HttpResponseRedirect(reverse("admin:intake_submission_changelist"))
        return deletion.confirmation(request, self, one)

    def delete_model(self, request, obj):
        deletion.delete_confirmed(request, Submission.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        deletion.delete_confirmed(request, queryset)

    # -- the change page: essentials, review form, summary; first view --

    def get_object(self, request, object_id, from_field=None):
        """The submission with the staff it names, read once per request: the change page, its
        summary and the admin's own form are drawn from the same row."""
        loaded = request.__dict__.setdefault("intake_submissions", {})
        key = (object_id, from_field)
        if key not in loaded:
            if from_field is not None:
                loaded[key] = super().get_object(request, object_id, from_field)
            else:
                queryset = self.get_queryset(request).select_related(
                    "assigned_to", "first_viewed_by", "review_status_changed_by")
                try:
                    loaded[key] = queryset.filter(pk=object_id).first()
                except (ValueError, ValidationError):
                    loaded[key] = None
        return loaded[key]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and request.method == "GET":
            request._intake_kept_review = kept_review(request, obj.pk)
            if request._intake_kept_review:
                self.message_user(request, _(
                    "Your session had ended before this was saved. What you typed is back in "
                    "the review form below and is NOT saved yet: check it and press Save."),
                    messages.WARNING)
        if obj is not None and self.has_view_or_change_permission(request, obj) \
                and request.method == "GET":
            # "Opened": not the page the browser is sent back to after a save
            if request.session.pop(JUST_SAVED_KEY, None) != obj.pk:
                audit.record(request.user, audit.VIEWED, obj)
            if obj.safety_level != SafetyLevel.NONE and obj.first_viewed_at is None:
                now = timezone.now()
                if Submission.objects.filter(pk=obj.pk, first_viewed_at__isnull=True).update(
                        first_viewed_at=now, first_viewed_by=request.user):
                    obj.first_viewed_at, obj.first_viewed_by = now, request.user
        if obj is not None:
            extra_context = {
                **(extra_context or {}),
                "title": _("Submission %(ref)s") % {"ref": obj.reference},
                "summary": review_summary(obj),
                "notes": obj.notes.select_related("author").order_by("-created_at", "-id"),
                "can_reassess": self.has_reassess_permission(request) and obj.is_submitted,
                "contact_form": ContactAttemptForm()
                if self.has_change_permission(request, obj) else None,
                "can_lower_safety": obj.safety_level != SafetyLevel.NONE
                and self.has_lower_safety_permission(request, obj),
                "show_save_and_add_another": False,
                "show_delete_link": False,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        action = request.POST.get("action") if request.method == "POST" else None
        needed = self.ACTION_PERMISSIONS.get(action)
        if needed and not getattr(self, f"has_{needed}_permission")(request):
            raise PermissionDenied
        return super().changelist_view(request, {"title": _("Submissions"),
                                                 **(extra_context or {})})

    def get_urls(self):
        wrap = self.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/reassess/", wrap(self.reassess_view),
                 name=f"{prefix}_reassess"),
            path("<path:object_id>/print/", wrap(self.print_view),
                 name=f"{prefix}_print"),
            path("<path:object_id>/contact/", wrap(self.contact_view),
                 name=f"{prefix}_contact"),
            path("<path:object_id>/lower-safety/", wrap(self.lower_safety_view),
                 name=f"{prefix}_lower_safety"),
            *super().get_urls(),
        ]

    def _submission_or_404(self, request, object_id) -> Submission:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _change_url(self, obj) -> str:
        return reverse("admin:intake_submission_change", args=[obj.pk])

    def reassess_view(self, request, object_id):
        return require_POST(self._reassess)(request, object_id)

    def _reassess(self, request, object_id):
        obj = self._submission_or_404(request, object_id)
        if not self.has_reassess_permission(request):
            raise PermissionDenied
        if not obj.is_submitted:
            self.message_user(request, _("A draft has no assessment to re-run."), messages.ERROR)
        else:
            self._run_again(request, obj)
            self.message_user(request, _("Assessment re-run with today's catalog; the options "
                                         "the patient saw are kept beside it."),
                              messages.SUCCESS)
        request.session[JUST_SAVED_KEY] = obj.pk
        return HttpResponseRedirect(self._change_url(obj))

    def _run_again(self, request, obj) -> Assessment:
        with transaction.atomic():
            previous = obj.assessments.filter(is_current=True).first()
            row = services.run_assessment(obj, Assessment.Trigger.RERUN, request.user)
            audit.record(request.user, audit.REASSESSED, obj, assessment_id=row.pk,
                         previous_assessment_id=previous.pk if previous else None,
                         rules_version=row.rules_version)
        return row

    def _form_page(self, request, obj, form, *, title: str, intro: str, button: str,
                   status: int = 200):
        """A small page with one form about one submission (and a way back to it)."""
        return render(request, "admin/intake/submission/form_page.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "original": obj,
            "title": title, "intro": intro, "form": form, "button": button,
            "back": self._change_url(obj)}, status=status)

    def contact_view(self, request, object_id):
        return require_POST(self._contact)(request, object_id)

    def _contact(self, request, object_id):
        obj = self._submission_or_404(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        form = ContactAttemptForm(request.POST)
        if not form.is_valid():
            return self._form_page(
                request, obj, form, title=_("Record a contact attempt: %(ref)s") % {
                    "ref": obj.reference},
                intro=_("Not recorded yet: correct what is marked below."),
                button=_("Record the attempt"), status=400)
        attempt, moved_from = record_attempt(obj, form, request.user)
        self.message_user(request, _("Contact attempt recorded."), messages.SUCCESS)
        if moved_from:
            self.message_user(request, _("The patient was reached: review status set to "
                                         "“Contacted”."), messages.SUCCESS)
        request.session[JUST_SAVED_KEY] = obj.pk
        return HttpResponseRedirect(self._change_url(obj) + "#contact-log")

    def lower_safety_view(self, request, object_id):
        obj = self._submission_or_404(request, object_id)
        if not self.has_lower_safety_permission(request, obj):
            raise PermissionDenied
        if obj.safety_level == SafetyLevel.NONE:
            self.message_user(request, _("This case has no safety flag to lower."),
                              messages.INFO)
            return HttpResponseRedirect(self._change_url(obj))
        form = LowerSafetyForm(obj, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            if lower_safety(obj, form, request.user):
                self.message_user(request, _(
                    "Safety level lowered to “%(level)s”; your reason is kept as a note.") % {
                    "level": wording.safety_level(obj.safety_level)}, messages.SUCCESS)
                request.session[JUST_SAVED_KEY] = obj.pk
                return HttpResponseRedirect(self._change_url(obj))
            obj.refresh_from_db()
            form = LowerSafetyForm(obj, request.POST)
            form.is_valid()  # shows that the level changed meanwhile
        return self._form_page(
            request, obj, form,
            title=_("Lower the safety level: %(ref)s") % {"ref": obj.reference},
            intro=_("Now “%(level)s”. The flag rises by itself from the patient's answers and "
                    "never falls by itself: lower it only when you have checked it is wrong or "
                    "no longer applies, and say why.") % {
                "level": wording.safety_level(obj.safety_level)},
            button=_("Lower the safety level"),
            status=400 if request.method == "POST" else 200)

    def print_view(self, request, object_id):
        return require_safe(self._print)(request, object_id)

    def _print(self, request, object_id):
        obj = self._submission_or_404(request, object_id)
        audit.record(request.user, audit.PRINTED, obj)
        return render(request, "admin/intake/submission/print.html", {
            "summary": review_summary(obj),
            "notes": obj.notes.select_related("author").order_by("created_at", "id"),
            "clinic_name": settings.CLINIC_NAME,
            "printed_at": timezone.now(),
        })

    # -- actions --

    @admin.action(description=_("Export the selected submissions as CSV"),
                  permissions=["export"])
    def export_csv(self, request, queryset):
        if not self.has_export_permission(request):
            raise PermissionDenied
        return export_submissions_csv(request, queryset)

    @admin.action(description=_("Re-run the assessment with today's catalog"),
                  permissions=["reassess"])
    def reassess_selected(self, request, queryset):
        if not self.has_reassess_permission(request):
            raise PermissionDenied
        done = 0
        for sub in queryset.filter(status=Submission.Status.SUBMITTED):
            self._run_again(request, sub)
            done += 1
        self.message_user(request, _("Re-ran %(n)s assessment(s); drafts were skipped; earlier "
                                     "results are kept.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Delete the selected drafts (submitted and flagged ones are "
                                "kept)"),
                  permissions=["delete"])
    def delete_drafts(self, request, queryset):
        """First a confirmation page naming what goes and what is kept back; its button posts
        the drafts that may go, which are checked again and deleted."""
        if not self.has_delete_permission(request):
            raise PermissionDenied
        if request.POST.get("post"):
            deletion.delete_confirmed(request, queryset)
            return None
        return deletion.confirmation(request, self, queryset, action="delete_drafts")


__all__ = ["SubmissionAdmin", "ReviewForm", "ReviewStatus"]
