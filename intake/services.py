"""What happens to a submission, in one place: turning its answers into the rules' input,
running and storing an assessment, submitting once, and raising the safety flag.

Views and the admin call these; they hold no rules of their own (those are in `screening`).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import screening
from .models import Assessment, MedicationTrial, SafetyLevel, Submission
from .reference import engine_catalog, engine_thresholds

log = logging.getLogger(__name__)

SAFETY_RANK = {SafetyLevel.NONE: 0, SafetyLevel.NON_ACUTE: 1, SafetyLevel.ACUTE: 2}


# --- answers as the rules read them -----------------------------------------------------------

def asq_answers(sub: Submission) -> screening.Asq | None:
    four = (sub.asq_wished_dead, sub.asq_better_off_dead, sub.asq_thoughts_past_week,
            sub.asq_ever_attempted)
    if any(answer is None for answer in four):
        return None
    return screening.Asq(*four, thoughts_now=sub.asq_thoughts_now if any(four) else None)


def trial_answers(trial: MedicationTrial) -> dict:
    medication = {
        MedicationTrial.Kind.CATALOG: trial.medication.slug if trial.medication_id else None,
        MedicationTrial.Kind.OTHER: screening.model.OTHER,
        MedicationTrial.Kind.UNKNOWN: screening.model.UNKNOWN,
    }[trial.kind]
    return {
        "medication": medication,
        "other_name": trial.other_name if trial.kind == MedicationTrial.Kind.OTHER else None,
        "dose_mg_per_day": float(trial.dose_mg_per_day)
        if trial.dose_mg_per_day is not None else None,
        "weeks": trial.weeks,
        "adherence": trial.adherence,
        "improvement": trial.improvement,
        "current_episode": trial.current_episode,
        "stopped_because": trial.stopped_because,
    }


def answers_for_rules(sub: Submission) -> dict:
    """The submission in the plain schema of the rules (tests/vignettes/README.md).

    Answers of "I don't know" to a health question count as yes, so that the consideration is
    raised for a clinician to check; "I don't know" to bipolar history does not (it is shown to
    staff with the other risk factors).
    """
    asq = asq_answers(sub)
    return {
        "current_episode_months": None if sub.episode_months_unknown else sub.episode_months,
        "psychotic_symptoms": sub.psychotic_symptoms,
        "bipolar_history": sub.bipolar_history == "yes",
        "phq9": list(sub.phq9),
        "asq": {
            "wished_dead": asq.wished_dead,
            "better_off_dead": asq.better_off_dead,
            "thoughts_past_week": asq.thoughts_past_week,
            "ever_attempted": asq.ever_attempted,
            "thoughts_now": asq.thoughts_now,
        } if asq else None,
        "medication_trials": [trial_answers(t) for t in sub.trials.select_related("medication")],
        "psychotherapy": [{"type": t.type, "sessions": t.sessions} for t in sub.therapies.all()],
        "other_treatments": sorted(code for code, helped in sub.other_treatments.items()
                                   if helped != "not_tried"),
        "health": {item: item in sub.health_conditions
                   for item in screening.model.HEALTH_ITEMS},
    }


# --- assessment -----------------------------------------------------------------------------

@transaction.atomic
def run_assessment(sub: Submission, trigger: str, user=None) -> Assessment:
    """Assess the answers with today's catalog and settings and make it the current result.

    Earlier results are kept (no longer current), each with the thresholds it used.
    """
    catalog = engine_catalog()
    data = answers_for_rules(sub)
    result = screening.assessment_to_dict(
        screening.assess(screening.parse_answers(data, catalog), catalog, engine_thresholds())
    )
    sub.assessments.filter(is_current=True).update(is_current=False)
    row = Assessment.objects.create(
        submission=sub, trigger=trigger, created_by=user, rules_version=result["rules_version"],
        thresholds=result["thresholds"], answers=data, result=result,
    )
    sub.trd_status = result["trd"]["status"]
    sub.confirmed_count = result["trd"]["confirmed"]
    sub.possible_count = result["trd"]["possible"]
    sub.phq9_total = result["phq9"]["total"]
    sub.phq9_band = result["phq9"]["band"]
    sub.msm_total = result["msm"]["total"]
    sub.save(update_fields=["trd_status", "confirmed_count", "possible_count", "phq9_total",
                            "phq9_band", "msm_total"])
    return row


def submit(sub_id: int) -> bool:
    """Submit a draft exactly once; True only for the call that did it.

    The status flip is a conditional UPDATE, so a double click, a replayed POST or the back
    button can never create a second assessment or alert.
    """
    with transaction.atomic():
        won = Submission.objects.filter(pk=sub_id, status=Submission.Status.DRAFT).update(
            status=Submission.Status.SUBMITTED, submitted_at=timezone.now(),
            resume_code_hash="", resume_expires_at=None,
        )
        if not won:
            return False
        sub = Submission.objects.get(pk=sub_id)
        run_assessment(sub, Assessment.Trigger.SUBMITTED)
        if settings.ALERT_ON_EVERY_SUBMISSION:
            transaction.on_commit(lambda: send_staff_alert(sub, "new"))
    return True


# --- safety ---------------------------------------------------------------------------------

def refresh_safety(sub: Submission) -> str:
    """Raise the safety flag from the answers so far, and alert staff when it rises.

    The flag only goes up: a later change of answer does not silently clear what the patient
    said earlier; staff see it and decide.
    """
    item9 = sub.phq9[8] if len(sub.phq9) == 9 else None
    level = screening.safety_level(item9, asq_answers(sub))
    if SAFETY_RANK[level] <= SAFETY_RANK[sub.safety_level]:
        return sub.safety_level
    sub.safety_level = level
    sub.flagged_at = timezone.now()
    sub.save(update_fields=["safety_level", "flagged_at", "updated_at"])
    if SAFETY_RANK[level] > SAFETY_RANK.get(sub.alerted_level or SafetyLevel.NONE, 0):
        Submission.objects.filter(pk=sub.pk).update(alerted_level=level)
        sub.alerted_level = level
        transaction.on_commit(lambda: send_staff_alert(sub, level))
    return level


ALERT_SUBJECTS = {
    SafetyLevel.ACUTE: "Urgent intake to review now",
    SafetyLevel.NON_ACUTE: "Priority intake to review",
    "new": "New intake submitted",
}


def send_staff_alert(sub: Submission, kind: str) -> None:
    """E-mail staff the reference and the admin link, and nothing else: no name, no answer."""
    recipients = settings.CLINIC_ALERT_EMAILS
    if not recipients:
        log.warning("no CLINIC_ALERT_EMAILS configured; alert for %s not sent", sub.reference)
        return
    link = settings.SITE_URL.rstrip("/") + reverse("admin:intake_submission_change",
                                                  args=[sub.pk])
    subject = f"[{settings.CLINIC_NAME}] {ALERT_SUBJECTS[kind]}: {sub.reference}"
    body = (
        f"{ALERT_SUBJECTS[kind]}.\n\nReference: {sub.reference}\nOpen it in the staff site "
        f"(login required): {link}\n\nThis message holds no health information by design.\n"
    )
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # an outage must not break the patient's page; the admin still shows it
        log.exception("alert e-mail for %s failed", sub.reference)
