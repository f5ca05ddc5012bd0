"""The results page, built from a stored assessment; every word comes from `wording`."""

from __future__ import annotations

from django.conf import settings

from . import wording
from .models import Assessment, MedicationTrial, Submission
from .patient_text import QUESTIONS_TO_ASK
from .wording import PATIENT


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
    tried, catalog_names = wording.tried_for(assessment.answers)
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
        "next_steps": settings.CLINIC_NEXT_STEPS,
        "submitted_on": sub.submitted_at,
    }
