"""Stored answers in words (Check your answers, the staff summary): the words the patient chose
from, the same for both audiences."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from ..models import MedicationTrial, Submission, TherapyTried, YesNoUnknown
from .base import MISSING, NOT_SURE, PATIENT, lookup, number
from .questions import (
    HEALTH_CHOICES,
    OTHER_DIAGNOSIS_CHOICES,
    OTHER_TREATMENT_CHOICES,
    PHQ9_ANSWERS,
    TREATMENT_HELPED_CHOICES,
)

# Each kind of answer: its codes and their words, the same for both audiences (the words the
# patient chose from). The short therapy names are their own table, not a label split on ":".
THERAPY_NAMES = {
    "cbt": _("CBT (cognitive behavioural therapy)"),
    "ipt": _("IPT (interpersonal therapy)"),
    "dbt": _("DBT (dialectical behaviour therapy)"),
    "mbct": _("MBCT (mindfulness-based cognitive therapy)"),
    "cbasp": _("CBASP"),
    "behavioural_activation": _("Behavioural activation"),
    "istdp": _("ISTDP (intensive short-term dynamic psychotherapy)"),
    "mbt": _("MBT (mentalization-based treatment)"),
    "psychodynamic": _("Psychodynamic therapy"),
    "couples_family": _("Couples or family therapy"),
    "group": _("Group therapy"),
    "other": _("Another kind of talk therapy"),
}
ANSWERS: dict[str, dict] = {
    "yes_no_unknown": dict(YesNoUnknown.choices),
    "psychotic_symptoms": dict(Submission.Psychosis.choices),
    "episode_count": dict(Submission.EpisodeCount.choices),
    "trauma": dict(Submission.Trauma.choices),
    "contact_preference": dict(Submission.ContactPreference.choices),
    "adherence": dict(MedicationTrial.Adherence.choices),
    "improvement": dict(MedicationTrial.Improvement.choices),
    "current_episode": dict(YesNoUnknown.choices),
    "stopped_because": dict(MedicationTrial.StoppedBecause.choices),
    "duration_unit": dict(MedicationTrial.DurationUnit.choices),
    "therapy_helped": dict(TherapyTried.Helped.choices),
    "treatment_helped": dict(TREATMENT_HELPED_CHOICES),
    # the words of the "how much did it help" page, for the patient's own answers
    "other_treatment_helped": {"helped": _("It helped"), "partly": _("It helped a little"),
                               "no": _("It did not help"), "unknown": _("I don't know")},
    "health": dict(HEALTH_CHOICES),
    "other_diagnosis": dict(OTHER_DIAGNOSIS_CHOICES),
    "other_treatment": dict(OTHER_TREATMENT_CHOICES),
    "therapy": THERAPY_NAMES,
    "phq9_answer": dict(PHQ9_ANSWERS),
}


def answer(kind: str, value, audience: str = PATIENT) -> str:
    """One stored answer code in words; empty: "Not provided" / "Not answered"."""
    return lookup(ANSWERS[kind], value, audience)


def answers(kind: str, values: Iterable, audience: str = PATIENT, empty=None) -> str:
    """Several codes (checkboxes) as a comma-separated list; none: "None" (or `empty`)."""
    words = [answer(kind, value, audience) for value in values]
    return ", ".join(words) or str(empty if empty is not None else _("None"))


def health_answers(conditions: Iterable[str], unsure: Iterable[str],
                   audience: str = PATIENT, empty=None) -> str:
    """The health answers, each one the patient was not sure of marked "(not sure)"."""
    unsure = set(unsure or ())
    words = [str(NOT_SURE[audience] % {"answer": answer("health", code, audience)})
             if code in unsure else answer("health", code, audience) for code in conditions]
    return ", ".join(words) or str(empty if empty is not None else _("None"))


def dose_a_day(value, unit: str = "mg", audience: str = PATIENT) -> str:
    """A daily dose in the unit it was given in (mg, or mcg for thyroid hormone)."""
    if unit != "mcg":
        return mg_a_day(value, audience)
    if value is None:
        return str(_("I don't know") if audience == PATIENT else _("unknown"))
    template = _("%(dose)s mcg a day") if audience == PATIENT else _("%(dose)s mcg/day")
    return str(template % {"dose": number(value)})


def mg_a_day(value, audience: str = PATIENT) -> str:
    if value is None:
        return str(_("I don't know") if audience == PATIENT else _("unknown"))
    template = _("%(dose)s mg a day") if audience == PATIENT else _("%(dose)s mg/day")
    return str(template % {"dose": number(value)})


# The units a dose is given in: the choices of the medicine page and the unit in its messages.
UNITS = (("mg", _("mg")), ("mcg", _("micrograms (mcg)")))
UNIT_WORDS = dict(UNITS)


def unit(code: str) -> str:
    return str(UNIT_WORDS.get(code, code))


def phq9_answer(value, audience: str = PATIENT) -> str:
    """One PHQ-9 item's score (0 to 3) as the words the patient chose; none: "Not answered"."""
    return str(MISSING[audience]) if value is None else answer("phq9_answer", str(value),
                                                               audience)
