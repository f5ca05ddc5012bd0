"""The results page, built from a stored assessment: words for every code it holds."""

from __future__ import annotations

from django.conf import settings

from .models import Assessment, MedicationTrial, Submission
from .patient_text import (
    CONSIDERATION_TEXT,
    OPTION_REASON_TEXT,
    OPTION_TEXT,
    PHQ9_BANDS,
    QUESTIONS_TO_ASK,
    TRD_RESULT,
    VERDICT_TEXT,
    reason_text,
)


def trial_name(trial: MedicationTrial | None, stored: dict) -> str:
    if trial is not None:
        return trial.display_name
    return stored.get("other_name") or stored["medication"]


def results_context(sub: Submission, assessment: Assessment) -> dict:
    result = assessment.result
    trials = list(sub.trials.select_related("medication"))
    medicines = [
        {
            "name": trial_name(trials[i] if i < len(trials) else None, stored),
            "verdict": stored["verdict"],
            "verdict_text": VERDICT_TEXT[stored["verdict"]],
            "reasons": [reason_text(r) for r in stored["reasons"]],
        }
        for i, stored in enumerate(result["trd"]["trials"])
    ]
    options = [
        {
            "code": option["code"],
            "title": OPTION_TEXT[option["code"]]["title"],
            "facts": OPTION_TEXT[option["code"]]["facts"],
            "why": [OPTION_REASON_TEXT.get(code, code) for code in option["reasons"]],
            "considerations": [CONSIDERATION_TEXT[c] for c in option["considerations"]],
        }
        for option in result["options"]
    ]
    heading, explanation = TRD_RESULT[result["trd"]["status"]]
    return {
        "assessment": assessment,
        "trd_status": result["trd"]["status"],
        "trd_heading": heading,
        "trd_explanation": explanation,
        "medicines": medicines,
        "options": options,
        "general_considerations": [CONSIDERATION_TEXT[c] for c in result["considerations"]],
        "phq9_total": result["phq9"]["total"],
        "phq9_band": PHQ9_BANDS[result["phq9"]["band"]],
        "questions": QUESTIONS_TO_ASK,
        "next_steps": settings.CLINIC_NEXT_STEPS,
    }
