"""CSV exports for managers: submissions (labels beside codes, local times, a UTF-8 BOM so
spreadsheets read it, formula-safe cells; each question the pages declare as a code column and
one headed by the question) and the audit trail as filtered on screen. Each exported submission
gets its own audit row, so a search by reference finds the export."""

from __future__ import annotations

from django import forms
from django.http import HttpResponse
from django.utils import timezone

from .. import audit, wording
from ..models import Assessment, ContactAttempt
from ..patient.answers import questions, words
from ..patient.steps import STEPS
from .common import csv_cell, csv_response, csv_time, user_name

IDENTIFYING_PAGES = frozenset({"about-you"})
# Typed answers: free text, e-mail addresses, phone numbers (a choice is a ChoiceField).
FREE_TEXT = forms.CharField


def exported_questions() -> list[tuple[type, str, str]]:
    """(form, field name, label) of each question the pages declare, in their order, but the
    contact details and free text: the export identifies no patient."""
    return [(step.form, name, label) for step in STEPS
            if step.form is not None and step.slug not in IDENTIFYING_PAGES
            for name, label in questions(step.form)
            if not isinstance(step.form.base_fields[name], FREE_TEXT)]


def code(value) -> str:
    """A stored answer as a code: yes or no, codes of a list space-separated."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(map(str, value))
    return "" if value is None else str(value)


def export_submissions_csv(request, queryset) -> HttpResponse:
    rows = list(queryset.select_related("assigned_to", "first_viewed_by").order_by("pk"))
    current = {a.submission_id: a for a in Assessment.objects.filter(
        submission__in=[r.pk for r in rows], is_current=True)}
    attempts: dict[int, list[str]] = {}  # each submission's outcomes, oldest first
    for sub_id, outcome in ContactAttempt.objects.filter(
            submission__in=[r.pk for r in rows]).order_by("at", "id").values_list(
            "submission_id", "outcome"):
        attempts.setdefault(sub_id, []).append(outcome)
    outcome_labels = dict(ContactAttempt.Outcome.choices)
    response, writer = csv_response("submissions")
    tz = timezone.get_current_timezone_name()
    asked = exported_questions()
    writer.writerow([
        "reference", "status", "status_label", f"submitted_at ({tz})", "safety_level",
        "safety_label", f"flagged_at ({tz})", f"first_viewed_at ({tz})", "first_viewed_by",
        "trd_status", "trd_label", "confirmed", "possible", "phq9_total", "phq9_band",
        "phq9_band_label", "msm_total", "review_status", "review_label", "assigned_to",
        "rules_version", f"assessed_at ({tz})", "options", "options_labels",
        "contact_attempts", f"first_contact_at ({tz})", "last_attempt_outcome",
        "last_attempt_label",
        *(header for _form, name, label in asked for header in (name, label)),
    ])
    for sub in rows:
        assessment = current.get(sub.pk)
        codes = [o["code"] for o in assessment.result["options"]] if assessment else []
        outcomes = attempts.get(sub.pk, [])
        last = outcomes[-1] if outcomes else ""
        writer.writerow([csv_cell(value) for value in (
            sub.reference, sub.status, wording.choice("submission_status", sub.status),
            csv_time(sub.submitted_at),
            sub.safety_level, wording.safety_level(sub.safety_level), csv_time(sub.flagged_at),
            csv_time(sub.first_viewed_at), user_name(sub.first_viewed_by) if sub.first_viewed_by_id
            else "",
            sub.trd_status,
            wording.trd_status(sub.trd_status, wording.STAFF) if sub.trd_status else "",
            sub.confirmed_count, sub.possible_count, sub.phq9_total, sub.phq9_band,
            wording.phq9_band(sub.phq9_band, wording.STAFF) if sub.phq9_band else "",
            sub.msm_total, sub.review_status,
            wording.choice("review_status", sub.review_status),
            sub.assigned_to.get_username() if sub.assigned_to else "",
            assessment.rules_version if assessment else "",
            csv_time(assessment.created_at) if assessment else "",
            " ".join(codes),
            wording.csv_options(assessment.result if assessment else None),
            len(outcomes), csv_time(sub.contacted_at), last, outcome_labels.get(last, ""),
            *(cell for form, name, _label in asked
              for cell in (code(getattr(sub, name)), words(form, name, sub, wording.STAFF))),
        )])
    batch = len(rows)
    for sub in rows:  # one row per submission: searchable by its reference
        audit.record(request.user, audit.EXPORTED, sub, format="csv", batch_size=batch)
    return response

