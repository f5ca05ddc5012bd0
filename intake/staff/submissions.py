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

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import audit, services, wording
from ..delivery import alerts
from ..models import AWAITING_CONTACT, ReviewStatus, SafetyLevel, StaffNote, Submission
from ..patient.answers import saved_fields
from ..patient.steps import BY_SLUG, SAFETY_STEPS, STEPS
from . import deletion, roles
from .common import STAFF_CSS, STAFF_JS, user_name
from .contact import MAY_LEAVE_AWAITING, ContactAttemptForm, contact_needed, contact_needed_message
from .site import kept_review
from .submission_list import AssignedFilter, ConsentOnlyFilter, TriageList
from .submission_pages import JUST_SAVED_KEY, CasePages
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


@admin.register(Submission)
class SubmissionAdmin(TriageList, CasePages, admin.ModelAdmin):
    form = ReviewForm
    list_display = ("reference", "submitted", "safety", "waiting", "trd", "counts",
                    "phq9_score", "msm", "review", "assigned", "first_viewed")
    list_display_links = ("reference",)
    list_filter = ("safety_level", "trd_status", "review_status", "status", AssignedFilter,
                   ConsentOnlyFilter, "submitted_at")
    search_fields = ("reference", "full_name", "email")
    search_help_text = _("Reference, name or e-mail address (part of one is enough).")
    list_select_related = ("assigned_to",)
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
        kept = getattr(request, "intake_kept_review", None)
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
            request.intake_kept_review = kept_review(request, obj.pk)
            if request.intake_kept_review:
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


__all__ = ["SubmissionAdmin", "ReviewForm", "ReviewStatus"]
