"""The results page, built from a stored assessment; the rules' words come from `wording`,
what happens next from the submission's safety level."""

from __future__ import annotations

from django.conf import settings

from .. import wording
from ..models import Assessment, MedicationTrial, SafetyLevel, Submission
from ..reference import engine_catalog
from ..wording import PATIENT, QUESTIONS_TO_ASK


def next_steps(sub: Submission) -> str:
    """What happens next, for this patient's safety level."""
    return str(wording.FLAGGED_NEXT_STEPS.get(sub.safety_level, settings.CLINIC_NEXT_STEPS))


def trial_name(trial: MedicationTrial | None, stored: dict) -> str:
    if trial is not None:
        return trial.display_name
    return stored.get("other_name") or stored["medication"]


def results_context(sub: Submission, assessment: Assessment) -> dict:
    result = assessment.result
    trials = list(sub.trials.select_related("medication"))
    names = [trial_name(trials[i] if i < len(trials) else None, stored)
             for i, stored in enumerate(result["trd"]["trials"])]
    medicines = [
        {
            "name": name,
            "verdict": stored["verdict"],
            "verdict_text": wording.verdict(stored["verdict"], PATIENT),
            "reasons": wording.patient_reasons(stored["verdict"], stored["reasons"]),
        }
        for name, stored in zip(names, result["trd"]["trials"], strict=True)
    ]
    tried, catalog_names = wording.tried_for(assessment.answers, engine_catalog())
    options = [wording.option_words(option, PATIENT, tried, catalog_names)
               for option in result["options"]]
    return {
        "assessment": assessment,
        "trd_status": result["trd"]["status"],
        "trd_heading": wording.trd_status(result["trd"]["status"], PATIENT),
        "trd_explanation": wording.trd_explanation(result, names),
        "medicines": medicines,
        "options": options,
        "general_considerations": [wording.consideration(c, PATIENT)
                                   for c in result["considerations"]],
        "phq9_total": result["phq9"]["total"],
        "phq9_band": wording.phq9_band(result["phq9"]["band"], PATIENT),
        "questions": QUESTIONS_TO_ASK,
        "next_steps": next_steps(sub),
        "submitted_on": sub.submitted_at,
        "flagged": sub.safety_level != SafetyLevel.NONE,
        "acute": sub.safety_level == SafetyLevel.ACUTE,
    }
