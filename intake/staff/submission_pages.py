"""A submission's own pages besides its review page (re-assess, record a contact attempt, lower
the safety level, print) and the list's actions (CSV export, re-assess, delete drafts)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from .. import audit, services, wording
from ..models import Assessment, SafetyLevel, Submission
from . import deletion
from .contact import ContactAttemptForm, LowerSafetyForm, lower_safety, record_attempt
from .export import export_submissions_csv
from .summary import review_summary

JUST_SAVED_KEY = "intake_just_saved"


class CasePages:
    """The pages and actions of `SubmissionAdmin` beyond Django's own."""

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
