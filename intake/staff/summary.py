"""What the review page adds to the clinical summary (intake/staff/clinical_summary.py): the first
screen a clinician reads (name, age, contact, safety, the patient's own words, review state),
every PHQ-9 item, the options exactly as the patient saw them with any later re-run beside
them, the contact attempts, a lowered safety level with who lowered it, and words instead of
codes."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import audit, wording
from ..models import Assessment, AuditEvent, Submission
from ..reference import engine_catalog
from .clinical_summary import born_words, staff_summary
from .common import duration_words, local_time, user_name


def _options(assessment: Assessment | None) -> list[dict]:
    if assessment is None:
        return []
    tried, names = wording.tried_for(assessment.answers, engine_catalog())
    options = []
    for option in assessment.result["options"]:
        words = wording.option_words(option, wording.STAFF, tried, names)
        words["title"] = wording.option_title(option["code"], wording.PATIENT)  # as they saw it
        options.append(words)
    return options


def options_shown(history: list[Assessment]) -> dict:
    """The options from the assessment the patient saw (made when they submitted), and the
    newest re-run beside it with what changed."""
    seen = next((a for a in reversed(history)
                 if a.trigger == Assessment.Trigger.SUBMITTED), None)
    current = next((a for a in history if a.is_current), None)
    rerun = current if current is not None and seen is not None and current.pk != seen.pk \
        else None
    shown = _options(seen)
    result = {"seen": seen, "shown": shown, "rerun": rerun}
    if rerun is not None:
        now = _options(rerun)
        before = {o["code"] for o in shown}
        after = {o["code"] for o in now}
        result.update(
            rerun_options=now,
            added=[o["title"] for o in now if o["code"] not in before],
            removed=[o["title"] for o in shown if o["code"] not in after],
            rerun_when=local_time(rerun.created_at),
            rerun_by=user_name(rerun.created_by),
        )
    return result


def phq9_items(sub: Submission) -> list[dict]:
    items = []
    for number, question in enumerate(wording.PHQ9_QUESTIONS, start=1):
        value = sub.phq9[number - 1] if len(sub.phq9) >= number else None
        items.append({"number": number, "question": str(question),
                      "answer": wording.phq9_answer(value, wording.STAFF),
                      "score": value, "flag": number == 9 and bool(value)})
    return items


def history_rows(history: list[Assessment]) -> list[dict]:
    rows = []
    for a in history:
        trd = a.result["trd"]
        rows.append({
            "assessment": a,
            "when": local_time(a.created_at),
            "by": user_name(a.created_by) or "—",
            "result": _("%(status)s: %(c)s confirmed, %(p)s possible failed trials") % {
                "status": wording.trd_status(trd["status"], wording.STAFF),
                "c": trd["confirmed"], "p": trd["possible"]},
        })
    return rows


def contact_attempts(sub: Submission) -> list[dict]:
    """Every recorded attempt, newest last, in words."""
    return [{"attempt": a, "at": local_time(a.at),
             "method": wording.choice("contact_method", a.method),
             "outcome": wording.choice("contact_outcome", a.outcome),
             "by": user_name(a.recorded_by), "recorded": local_time(a.recorded_at)}
            for a in sub.contact_attempts.select_related("recorded_by").order_by("at", "id")]


def safety_lowered(sub: Submission) -> dict | None:
    """Who last lowered the safety level, when, and from what (from the audit trail)."""
    event = (AuditEvent.objects.filter(action=audit.SAFETY_LOWERED,
                                       object_type=sub._meta.label_lower, object_id=str(sub.pk))
             .select_related("actor").order_by("-at", "-id").first())
    if event is None:
        return None
    return {"when": local_time(event.at), "by": user_name(event.actor),
            "old": wording.safety_level(event.detail.get("old", "")),
            "new": wording.safety_level(event.detail.get("new", ""))}


def review_summary(sub: Submission) -> dict:
    summary = staff_summary(sub)
    not_answered = str(wording.MISSING[wording.STAFF])
    born, age = born_words(sub)
    summary["first"] = {
        "name": sub.full_name or not_answered,
        "age": age or not_answered,
        "born": born,
        "phone": sub.phone or not_answered,
        "email": sub.email or not_answered,
        "contact_preference": wording.choice("contact_preference", sub.contact_preference),
        "review": wording.choice("review_status", sub.review_status),
        "review_changed": local_time(sub.review_status_changed_at),
        "review_changed_by": user_name(sub.review_status_changed_by),
        "assigned": user_name(sub.assigned_to),
        "submitted": local_time(sub.submitted_at),
        "saved": local_time(sub.updated_at),
        "flagged": local_time(sub.flagged_at),
        "waited": duration_words(timezone.now() - sub.flagged_at)
        if sub.awaiting_contact and sub.flagged_at else "",
        "first_viewed": local_time(sub.first_viewed_at),
        "first_viewed_by": user_name(sub.first_viewed_by),
        "escalated": local_time(sub.escalated_at),
        "contacted": local_time(sub.contacted_at),
    }
    summary["contact_attempts"] = contact_attempts(sub)
    summary["safety"]["lowered"] = safety_lowered(sub)
    summary["phq9_items"] = phq9_items(sub)
    summary["options_shown"] = options_shown(summary["history"])
    summary["history_rows"] = history_rows(summary["history"])
    summary["consideration_words"] = list(dict.fromkeys(
        text for _code, text in summary["considerations"]))
    if summary["trd"]:
        k = summary["trd"]["classes_confirmed"]
        summary["trd"]["classes_words"] = ngettext(
            "%(n)s drug class", "%(n)s drug classes", k) % {"n": k}
    summary["times"] = {
        "assessed": local_time(summary["assessment"].created_at)
        if summary["assessment"] else "",
        "consented": local_time(sub.consented_at),
    }
    return summary
