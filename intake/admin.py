"""The staff side: submissions (triage list, clinical summary, workflow), the medication catalog
and the audit trail, in the Django admin.

Access, in short (groups in intake/roles.py):
- anonymous and non-staff users are sent to the login page by the admin site itself;
- reviewers see submissions, change review status and assignment, and add notes;
- managers also export CSV, re-run assessments, delete drafts, edit the catalog and read the
  audit trail; a reviewer calling one of those gets 403;
- the patient's answers are read-only to everyone but superusers.

Everything staff do here that touches a record is written to the audit trail (intake/audit.py).
"""

from __future__ import annotations

import csv
import re

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from . import audit, services, wording
from .models import (
    Assessment,
    AuditEvent,
    Medication,
    SafetyLevel,
    StaffNote,
    Submission,
    last_activity,
    triage_rank,
)
from .staff_summary import staff_summary

admin.site.site_header = f"{settings.CLINIC_NAME} staff"
admin.site.site_title = f"{settings.CLINIC_NAME} staff"
admin.site.index_title = _("Intake review")

STAFF_CSS = {"all": ("intake/staff_admin.css",)}

# Fields that record what the patient said: read-only to everyone but superusers.
PATIENT_FIELDS = (
    "consented_at", "privacy_notice_version", "age_confirmed",
    "full_name", "date_of_birth", "email", "phone", "contact_preference",
    "episode_months", "episode_months_unknown", "episode_count", "first_episode_age",
    "hospital_stays", "bipolar_history", "psychotic_symptoms", "other_diagnoses",
    "family_history", "trauma", "phq9",
    "asq_wished_dead", "asq_better_off_dead", "asq_thoughts_past_week", "asq_ever_attempted",
    "asq_thoughts_now", "other_treatments", "health_conditions", "anything_else",
)
STAFF_FIELDS = ("review_status", "assigned_to")
WORKFLOW_READONLY = ("review_status_changed_at", "review_status_changed_by", "first_viewed_at",
                     "first_viewed_by")

# The triage order's keys (models.py; the same expressions as the index that serves them).
TRIAGE = triage_rank()
LAST_ACTIVITY = last_activity()

SAFETY_BADGES = {
    SafetyLevel.ACUTE: ("safety-acute", _("Urgent")),
    SafetyLevel.NON_ACUTE: ("safety-priority", _("Priority")),
}

REFERENCE_PATTERN = re.compile(r"TRD-[A-Z0-9]{2,8}-[A-Z0-9]{4,8}", re.IGNORECASE)

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _user_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def safety_badge(level: str):
    if level in SAFETY_BADGES:
        css, label = SAFETY_BADGES[level]
        return format_html('<span class="safety-badge {}">{}</span>', css, label)
    return format_html('<span class="safety-none"><span aria-hidden="true">—</span>'
                       '<span class="visually-hidden">{}</span></span>', _("None"))


def csv_cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


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


# --- submissions ----------------------------------------------------------------------------

@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("reference", "submitted", "safety", "trd", "counts", "phq9_score", "msm",
                    "review", "assigned", "first_viewed")
    list_display_links = ("reference",)
    list_filter = ("safety_level", "trd_status", "review_status", "status", AssignedFilter,
                   "submitted_at")
    search_fields = ("reference", "full_name", "email")
    search_help_text = _("Reference, name or e-mail address (part of one is enough).")
    list_select_related = ("assigned_to",)
    TRIAGE_ORDER = ("triage", "-last_activity", "-id")
    list_per_page = 50
    show_full_result_count = False
    actions = ("export_csv", "reassess_selected", "delete_drafts")
    change_form_template = "admin/intake/submission/change_form.html"
    # Manager-only actions, and the permission each needs (a forged POST gets 403).
    ACTION_PERMISSIONS = {"export_csv": "export", "reassess_selected": "reassess",
                          "delete_drafts": "delete", "delete_selected": "delete"}

    class Media:
        css = STAFF_CSS

    # -- queryset and list columns --

    def get_queryset(self, request):
        # Annotate before ordering (ModelAdmin.get_queryset orders straight away).
        queryset = self.model._default_manager.get_queryset().annotate(
            triage=TRIAGE, last_activity=LAST_ACTIVITY)
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
            return date_format(timezone.localtime(obj.submitted_at), "SHORT_DATETIME_FORMAT")
        return _("Draft, last saved %(when)s") % {
            "when": date_format(timezone.localtime(obj.updated_at), "SHORT_DATETIME_FORMAT")}

    @admin.display(description=_("safety"), ordering="safety_level")
    def safety(self, obj):
        return safety_badge(obj.safety_level)

    @admin.display(description=_("TRD status"), ordering="trd_status")
    def trd(self, obj):
        return obj.get_trd_status_display() or "—"

    @admin.display(description=_("confirmed / possible"), ordering="confirmed_count")
    def counts(self, obj):
        if obj.confirmed_count is None:
            return "—"
        return f"{obj.confirmed_count} / {obj.possible_count}"

    @admin.display(description=_("PHQ-9"), ordering="phq9_total")
    def phq9_score(self, obj):
        if obj.phq9_total is None:
            return "—"
        return f"{obj.phq9_total} ({obj.phq9_band.replace('_', ' ')})"

    @admin.display(description=_("MSM (approx.)"), ordering="msm_total")
    def msm(self, obj):
        return "—" if obj.msm_total is None else obj.msm_total

    @admin.display(description=_("review status"), ordering="review_status")
    def review(self, obj):
        return obj.get_review_status_display()

    @admin.display(description=_("assigned to"), ordering="assigned_to__username")
    def assigned(self, obj):
        return _user_name(obj.assigned_to) or "—"

    @admin.display(description=_("first viewed"), ordering="first_viewed_at")
    def first_viewed(self, obj):
        if obj.first_viewed_at:
            return date_format(timezone.localtime(obj.first_viewed_at), "SHORT_DATETIME_FORMAT")
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

    # -- the change form: staff fields only, patient answers for superusers --

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(_("Review"), {"fields": STAFF_FIELDS + WORKFLOW_READONLY})]
        if request.user.is_superuser:
            fieldsets.append((_("Patient answers (superusers only: correct a recorded answer)"),
                              {"fields": PATIENT_FIELDS, "classes": ("collapse",)}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return WORKFLOW_READONLY
        return WORKFLOW_READONLY + PATIENT_FIELDS

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = get_user_model().objects.filter(
                is_staff=True, is_active=True).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        """Save only what changed; record who changed the review status and when; audit."""
        before = Submission.objects.filter(pk=obj.pk).values(
            "review_status", "assigned_to_id").get()
        changed = set(form.changed_data)
        staff_changes = {name: getattr(obj, name) for name in STAFF_FIELDS if name in changed}
        if "review_status" in staff_changes:
            obj.review_status_changed_at = timezone.now()
            obj.review_status_changed_by = request.user
            staff_changes.update(review_status_changed_at=obj.review_status_changed_at,
                                 review_status_changed_by=request.user)
        patient_changes = sorted(changed & set(PATIENT_FIELDS))
        if patient_changes and request.user.is_superuser:
            obj.save()
        elif staff_changes:
            # A queryset update: the patient's "last saved" time is not touched by staff work.
            Submission.objects.filter(pk=obj.pk).update(**staff_changes)
        if "review_status" in staff_changes and before["review_status"] != obj.review_status:
            audit.record(request.user, audit.STATUS_CHANGED, obj,
                         old=before["review_status"], new=obj.review_status)
        if "assigned_to" in staff_changes and before["assigned_to_id"] != obj.assigned_to_id:
            audit.record(request.user, audit.ASSIGNED, obj,
                         old=before["assigned_to_id"], new=obj.assigned_to_id)
        if patient_changes and request.user.is_superuser:
            audit.record(request.user, audit.ANSWERS_CORRECTED, obj, fields=patient_changes)

    def delete_model(self, request, obj):
        if obj.is_submitted:
            raise PermissionDenied
        audit.record(request.user, audit.DRAFT_DELETED, obj)
        super().delete_model(request, obj)

    # -- the change page: clinical summary, notes, re-run, first view --

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_view_or_change_permission(request, obj) \
                and request.method == "GET":
            audit.record(request.user, audit.VIEWED, obj)
            if obj.safety_level != SafetyLevel.NONE and obj.first_viewed_at is None:
                now = timezone.now()
                Submission.objects.filter(pk=obj.pk, first_viewed_at__isnull=True).update(
                    first_viewed_at=now, first_viewed_by=request.user)
        if obj is not None:
            obj.refresh_from_db()
            extra_context = {
                **(extra_context or {}),
                "summary": staff_summary(obj),
                "notes": obj.notes.select_related("author").order_by("-created_at", "-id"),
                "can_add_note": request.user.has_perm("intake.add_staffnote"),
                "can_reassess": self.has_reassess_permission(request) and obj.is_submitted,
                "note_max_length": StaffNote._meta.get_field("text").max_length,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        action = request.POST.get("action") if request.method == "POST" else None
        needed = self.ACTION_PERMISSIONS.get(action)
        if needed and not getattr(self, f"has_{needed}_permission")(request):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/note/", wrap(self.add_note_view),
                 name=f"{prefix}_note"),
            path("<path:object_id>/reassess/", wrap(self.reassess_view),
                 name=f"{prefix}_reassess"),
            path("<path:object_id>/print/", wrap(self.print_view),
                 name=f"{prefix}_print"),
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

    def add_note_view(self, request, object_id):
        return require_POST(self._add_note)(request, object_id)

    def _add_note(self, request, object_id):
        obj = self._submission_or_404(request, object_id)
        if not request.user.has_perm("intake.add_staffnote"):
            raise PermissionDenied
        text = request.POST.get("text", "").strip()
        max_length = StaffNote._meta.get_field("text").max_length
        if not text:
            self.message_user(request, _("The note was empty: nothing was added."),
                              messages.ERROR)
        elif len(text) > max_length:
            self.message_user(request, _("The note is too long (at most %(n)s characters).")
                              % {"n": max_length}, messages.ERROR)
        else:
            with transaction.atomic():
                note = StaffNote.objects.create(submission=obj, author=request.user, text=text)
                audit.record(request.user, audit.NOTE_ADDED, obj, note_id=note.pk)
            self.message_user(request, _("Note added."), messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj) + "#notes")

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
            self.message_user(request, _("Assessment re-run with today's catalog; the earlier "
                                         "result is kept in the history."), messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj))

    def _run_again(self, request, obj) -> Assessment:
        with transaction.atomic():
            previous = obj.assessments.filter(is_current=True).first()
            row = services.run_assessment(obj, Assessment.Trigger.RERUN, request.user)
            audit.record(request.user, audit.REASSESSED, obj, assessment_id=row.pk,
                         previous_assessment_id=previous.pk if previous else None,
                         rules_version=row.rules_version)
        return row

    def print_view(self, request, object_id):
        return require_safe(self._print)(request, object_id)

    def _print(self, request, object_id):
        obj = self._submission_or_404(request, object_id)
        audit.record(request.user, audit.PRINTED, obj)
        return render(request, "admin/intake/submission/print.html", {
            "summary": staff_summary(obj),
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
        rows = list(queryset.select_related("assigned_to").order_by("pk"))
        current = {a.submission_id: a for a in Assessment.objects.filter(
            submission__in=[r.pk for r in rows], is_current=True)}
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="submissions-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow([
            "reference", "status", "submitted_at", "safety_level", "trd_status", "confirmed",
            "possible", "phq9_total", "phq9_band", "msm_total", "review_status", "assigned_to",
            "rules_version", "assessed_at", "options", "safety_level_text", "trd_status_text",
            "options_text",
        ])
        for sub in rows:
            assessment = current.get(sub.pk)
            writer.writerow([csv_cell(value) for value in (
                sub.reference, sub.status,
                sub.submitted_at.isoformat() if sub.submitted_at else "",
                sub.safety_level, sub.trd_status, sub.confirmed_count, sub.possible_count,
                sub.phq9_total, sub.phq9_band, sub.msm_total, sub.review_status,
                sub.assigned_to.get_username() if sub.assigned_to else "",
                assessment.rules_version if assessment else "",
                assessment.created_at.isoformat() if assessment else "",
                " ".join(o["code"] for o in assessment.result["options"]) if assessment else "",
                wording.safety_level(sub.safety_level),
                wording.trd_status(sub.trd_status, wording.STAFF) if sub.trd_status else "",
                wording.csv_options(assessment.result if assessment else None),
            )])
        audit.record(request.user, audit.EXPORTED, None, count=len(rows),
                     references=[sub.reference for sub in rows])
        return response

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

    @admin.action(description=_("Delete the selected drafts (submitted ones are kept)"),
                  permissions=["delete"])
    def delete_drafts(self, request, queryset):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        drafts = list(queryset.filter(status=Submission.Status.DRAFT))
        with transaction.atomic():
            for draft in drafts:
                audit.record(request.user, audit.DRAFT_DELETED, draft)
                draft.delete()
        self.message_user(request, _("Deleted %(n)s draft(s).") % {"n": len(drafts)},
                          messages.SUCCESS)


# --- medication catalog ---------------------------------------------------------------------

CATALOG_AUDITED_FIELDS = ("min_adequate_mg_per_day", "usual_max_mg_per_day", "role",
                          "drug_class", "active")


@admin.register(Medication)
class MedicationAdmin(admin.ModelAdmin):
    list_display = (
        "generic_name",
        "drug_class",
        "role",
        "min_adequate_mg_per_day",
        "usual_max_mg_per_day",
        "active",
        "updated_at",
    )
    list_filter = ("role", "active", "drug_class")
    search_fields = ("generic_name", "brand_names", "slug")
    readonly_fields = ("updated_at",)
    prepopulated_fields = {"slug": ("generic_name",)}

    class Media:
        css = STAFF_CSS

    def has_delete_permission(self, request, obj=None):
        return False  # histories name these rows: make one inactive instead

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("slug", "updated_at")  # stored answers and results refer to the slug
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        """Save and audit. Catalog values are reference data, not health data, so the old and
        new values of the audited fields go into the audit row."""
        super().save_model(request, obj, form, change)
        if not change:
            audit.record(request.user, audit.CATALOG_ADDED, obj, slug=obj.slug)
            return
        values = {
            name: [None if form.initial.get(name) is None else str(form.initial.get(name)),
                   None if getattr(obj, name) is None else str(getattr(obj, name))]
            for name in form.changed_data if name in CATALOG_AUDITED_FIELDS
        }
        audit.record(request.user, audit.CATALOG_CHANGED, obj, slug=obj.slug,
                     fields=sorted(form.changed_data), values=values)


# --- audit trail ----------------------------------------------------------------------------

@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_repr", "detail")
    list_filter = ("action", "actor", "at", "object_type")
    search_fields = ("object_repr", "object_id")
    list_select_related = ("actor",)
    readonly_fields = ("at", "actor", "action", "object_type", "object_id", "object_repr",
                       "detail")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
