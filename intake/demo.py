"""Synthetic submissions for the demo data (`seed_demo`) and for the staff-side tests.

They are built from the same model fields the patient pages fill in, then run through the same
services (`refresh_safety`, `run_assessment`), so the admin shows them exactly as it would show a
real intake. Every name is obviously fake ("Demo Patient 07").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from . import screening, services
from .models import (
    Assessment,
    Medication,
    MedicationTrial,
    SafetyLevel,
    Submission,
    TherapyTried,
)
from .patient.steps import STEPS
from .wording import PRIVACY_NOTICE_VERSION

DEMO_NAME_PREFIX = "Demo Patient"


def trial(slug: str | None, dose=None, weeks=None, *, adherence="most_days", improvement="lt25",
          episode="yes", stopped="not_helping", other_name="") -> dict:
    """One medicine as the patient described it; slug None means "don't remember the name"."""
    return {"slug": slug, "dose": dose, "weeks": weeks, "adherence": adherence,
            "improvement": improvement, "episode": episode, "stopped": stopped,
            "other_name": other_name}


TWO_FAILURES = (trial("sertraline", 150, 10), trial("escitalopram", 20, 8, improvement="25to49"))
ONE_FAILURE_ONE_UNKNOWN_DOSE = (trial("sertraline", 150, 12),
                                trial("venlafaxine", None, 10, improvement="25to49"))
TOO_SHORT = (trial("sertraline", 50, 4, stopped="still_taking"),)

# Answers chosen so each safety level comes out of the real rules.
SAFETY_ANSWERS = {
    SafetyLevel.NONE: {"item9": 0, "asq": (False, False, False, False), "now": None},
    SafetyLevel.NON_ACUTE: {"item9": 1, "asq": (True, False, False, False), "now": False},
    SafetyLevel.ACUTE: {"item9": 2, "asq": (True, True, True, False), "now": True},
}


@transaction.atomic
def create_submission(*, name: str = "Demo Patient 00", email: str = "",
                      safety: str = SafetyLevel.NONE, trials=TWO_FAILURES, submitted: bool = True,
                      when: dt.datetime | None = None, phq9_first8=(2, 2, 2, 2, 1, 2, 1, 1),
                      therapies=(("cbt", 12, "partly"),), other_treatments=None,
                      health=(), **fields) -> Submission:
    """A complete intake (or a draft) with the given answers, assessed as on submission.

    Extra keyword arguments set Submission fields directly (e.g. episode_months, review_status).
    Staff alerts are not sent for these rows.
    """
    answers = SAFETY_ANSWERS[safety]
    four = answers["asq"]
    number = "".join(ch for ch in name if ch.isdigit()) or "0"
    values = {
        "consented_at": timezone.now(),
        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
        "age_confirmed": True,
        "full_name": name,
        "date_of_birth": dt.date(1970 + int(number) % 30, 1 + int(number) % 12, 14),
        "email": email or f"demo.patient.{number}@example.org",
        "phone": f"555-01{int(number) % 100:02d}",
        "contact_preference": "email",
        "episode_months": 14,
        "episode_count": "2",
        "first_episode_age": 24,
        "hospital_stays": "no",
        "bipolar_history": "no",
        "psychotic_symptoms": "never",
        "other_diagnoses": [],
        "family_history": "unknown",
        "trauma": "prefer_not",
        "phq9": [*phq9_first8, answers["item9"]],
        "asq_wished_dead": four[0],
        "asq_better_off_dead": four[1],
        "asq_thoughts_past_week": four[2],
        "asq_ever_attempted": four[3],
        "asq_thoughts_now": answers["now"],
        "other_treatments": other_treatments or {},
        "health_conditions": list(health),
        "anything_else": "",
        "steps_done": [step.slug for step in STEPS],
        **fields,
    }
    sub = Submission(**values)
    # Synthetic rows get their level straight from the rules, not through refresh_safety: no
    # alert is queued for them (as if staff had been told already).
    sub.safety_level = screening.safety_level(sub.phq9[8], services.asq_answers(sub))
    sub.save()
    catalog = {m.slug: m for m in Medication.objects.filter(
        slug__in=[t["slug"] for t in trials if t["slug"]])}
    for position, spec in enumerate(trials, start=1):
        kind = (MedicationTrial.Kind.CATALOG if spec["slug"] else
                MedicationTrial.Kind.OTHER if spec["other_name"] else
                MedicationTrial.Kind.UNKNOWN)
        MedicationTrial.objects.create(
            submission=sub, position=position, kind=kind,
            medication=catalog.get(spec["slug"]) if spec["slug"] else None,
            other_name=spec["other_name"],
            dose_mg_per_day=Decimal(str(spec["dose"])) if spec["dose"] is not None else None,
            duration_amount=Decimal(str(spec["weeks"])) if spec["weeks"] is not None else None,
            duration_unit=MedicationTrial.DurationUnit.WEEKS if spec["weeks"] is not None else "",
            adherence=spec["adherence"], improvement=spec["improvement"],
            current_episode=spec["episode"], stopped_because=spec["stopped"],
        )
    for kind, sessions, helped in therapies:
        TherapyTried.objects.create(submission=sub, type=kind, sessions=sessions, helped=helped)

    when = when or timezone.now()
    if submitted:
        Submission.objects.filter(pk=sub.pk).update(status=Submission.Status.SUBMITTED,
                                                    submitted_at=when)
        sub.refresh_from_db()
        services.run_assessment(sub, Assessment.Trigger.SUBMITTED)
        sub.assessments.update(created_at=when)
    Submission.objects.filter(pk=sub.pk).update(
        created_at=when - dt.timedelta(minutes=25), updated_at=when,
        flagged_at=when - dt.timedelta(minutes=10) if sub.safety_level != SafetyLevel.NONE
        else None)
    sub.refresh_from_db()
    return sub
