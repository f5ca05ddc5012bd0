"""What happens to a submission, in one place: turning its answers into the rules' input,
running and storing an assessment, submitting once, and raising the safety flag.

Views and the admin call these; they hold no rules of their own (those are in `screening`).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import screening
from .delivery import alerts
from .models import Alert, Assessment, MedicationTrial, SafetyLevel, Submission
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


def submit(sub_id: int, base: str) -> bool:
    """Submit a draft exactly once; True only for the call that did it.

    The status flip is a conditional UPDATE, so a double click, a replayed POST or the back
    button can never create a second assessment or alert; a page saved at the same moment in
    another tab waits for the row lock and then finds the intake submitted
    (`intake.patient.views.drafts.locked_draft`).
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
            alerts.queue(sub, Alert.Kind.SUBMITTED, base)
    return True


# --- safety ---------------------------------------------------------------------------------

def refresh_safety(sub: Submission, base: str, level: str | None = None) -> bool:
    """Raise the safety flag from the answers so far (or to `level`, worked out from answers
    that could not be saved: posted by a browser that no longer held the draft); True if this
    call raised it.

    Call it in the transaction that saved the answers. The level only goes up, by a conditional
    UPDATE (never by saving a stale object), so no save from another tab can lower or erase a
    flag: a later change of answer leaves it for staff to see and decide. The staff alert is
    queued in the same transaction (escalation, until contact is recorded, is the worker's
    sweep: `escalation.queue_due`).
    """
    if level is None:
        item9 = sub.phq9[8] if len(sub.phq9) == 9 else None
        level = screening.safety_level(item9, asq_answers(sub))
    lower = [lvl for lvl, rank in SAFETY_RANK.items() if rank < SAFETY_RANK[level]]
    if not lower:
        return False
    now = timezone.now()
    raised = Submission.objects.filter(pk=sub.pk, safety_level__in=lower).update(
        safety_level=level, flagged_at=now)
    if not raised:
        return False
    sub.safety_level, sub.flagged_at = level, now
    alerts.queue(sub, alerts.KIND_FOR_LEVEL[level], base)
    return True
