"""Treatment options to discuss with a provider, version 2 (docs/screening-rules.md, section 7).

Each option shown carries the codes of why it is shown and the considerations that the health
answers raise for it. The table below is the whole rule: order, when shown, considerations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .model import Answers, CatalogEntry, Thresholds
from .rules import (
    ACUTE,
    INADEQUATE,
    MAY_APPLY,
    NON_ACUTE,
    UNCLEAR,
    UNSURE,
    YES,
    TrdResult,
    episode_of,
    role_of,
)


@dataclass(frozen=True, slots=True)
class OptionResult:
    code: str
    reasons: tuple[str, ...]          # why it is shown for this person
    considerations: tuple[str, ...]   # "tell your provider about ..." codes


@dataclass(frozen=True, slots=True)
class Facts:
    """What the option rules read, computed once per assessment."""

    answers: Answers
    trd: TrdResult
    safety: str
    phq9_total: int
    thresholds: Thresholds
    catalog: Mapping[str, CatalogEntry]

    @property
    def failed(self) -> int:
        return self.trd.confirmed + self.trd.possible

    @property
    def psychosis_ever(self) -> bool:
        # version 2: "I don't know" raises every consideration that "ever" raises
        return self.answers.psychotic_symptoms in ("past", "current", "unknown")


def _status(f: Facts) -> list[str]:
    return [f"trd_{f.trd.status}"] if f.trd.status in (MAY_APPLY, UNCLEAR) else []


def _antidepressant_start(f: Facts) -> list[str]:
    this_episode = any(
        role_of(t, f.catalog) == "antidepressant" and episode_of(t) in (YES, UNSURE)
        for t in f.answers.medication_trials
    )
    return [] if this_episode else ["no_antidepressant_this_episode"]


def _medication_optimization(f: Facts) -> list[str]:
    reasons = []
    for result in f.trd.trials:
        t = result.trial
        if (result.verdict == INADEQUATE and episode_of(t) == YES
                and any(r.code in ("dose_below_minimum", "duration_below_minimum")
                        for r in result.reasons)):
            reasons.append("current_trial_below_minimum")
        if (t.stopped_because == "still_taking"
                and role_of(t, f.catalog) == "antidepressant"
                and t.weeks is not None and t.weeks < f.thresholds.min_trial_weeks):
            reasons.append("still_taking_under_minimum_weeks")
    return sorted(set(reasons))


def _switch_or_combine(f: Facts) -> list[str]:
    return ["failed_antidepressants"] if f.failed >= 1 else []


def _psychotherapy(f: Facts) -> list[str]:
    return ["tried_others_exist" if f.answers.psychotherapy else "none_tried"]


def _esketamine(f: Facts) -> list[str]:
    return _status(f) + (["safety_concern"] if f.safety in (ACUTE, NON_ACUTE) else [])


def _ect(f: Facts) -> list[str]:
    reasons = ["trd_may_apply"] if f.trd.status == MAY_APPLY else []
    if f.safety in (ACUTE, NON_ACUTE) and f.phq9_total >= 20:
        reasons.append("safety_concern_severe_symptoms")
    if f.answers.psychotic_symptoms == "current":
        reasons.append("psychotic_symptoms_now")
    return reasons


def _vns(f: Facts) -> list[str]:
    return ["four_or_more_failed"] if f.failed >= 4 else []


def _clinical_trials(f: Facts) -> list[str]:
    return ["trd_may_apply"] if f.trd.status == MAY_APPLY else []


def _medical_evaluation(f: Facts) -> list[str]:
    return [item for item in ("thyroid_disease", "chronic_illness") if item in f.answers.health]


def _always(f: Facts) -> list[str]:
    return ["always"]


def _health(item: str) -> Callable[[Facts], bool]:
    return lambda f: item in f.answers.health


def _psychosis(f: Facts) -> bool:
    return f.psychosis_ever


def _bipolar_or_psychosis(f: Facts) -> bool:
    return f.answers.bipolar_history or f.psychosis_ever


# (code, when shown -> reasons (empty: not shown), ((consideration, raised when), ...))
OPTIONS: tuple[tuple[str, Callable[[Facts], list[str]], tuple], ...] = (
    ("antidepressant_start", _antidepressant_start, ()),
    ("medication_optimization", _medication_optimization, ()),
    ("switch_or_combine", _switch_or_combine, (
        ("switch_or_combine:seizures", _health("seizures")),
    )),
    ("augmentation", _status, ()),
    ("psychotherapy", _psychotherapy, ()),
    ("tms", _status, (
        ("tms:seizures", _health("seizures")),
        ("tms:metal_in_head", _health("metal_in_head")),
        ("tms:implanted_device", _health("implanted_device")),
    )),
    ("esketamine", _esketamine, (
        ("esketamine:vascular", _health("vascular_brain")),
        ("esketamine:blood_pressure", _health("uncontrolled_blood_pressure")),
        ("esketamine:pregnancy", _health("pregnancy")),
        ("esketamine:substance_use", _health("substance_use")),
        ("esketamine:psychosis", _psychosis),
    )),
    ("ketamine_infusion", _status, (
        ("ketamine_infusion:psychosis", _psychosis),
        ("ketamine_infusion:blood_pressure", _health("uncontrolled_blood_pressure")),
        ("ketamine_infusion:substance_use", _health("substance_use")),
        ("ketamine_infusion:pregnancy", _health("pregnancy")),
    )),
    ("ect", _ect, (("ect:heart_or_stroke", _health("heart_or_stroke")),)),
    ("vns", _vns, ()),
    ("clinical_trials", _clinical_trials, (
        ("clinical_trials:bipolar_or_psychosis", _bipolar_or_psychosis),
    )),
    ("medical_evaluation", _medical_evaluation, ()),
    ("lifestyle", _always, ()),
)
OPTION_CODES = tuple(code for code, _, _ in OPTIONS)

GENERAL_CONSIDERATIONS = (
    ("general:bipolar_history", lambda f: f.answers.bipolar_history),
    ("general:supplement_interaction", _health("supplements")),
)
CONSIDERATION_CODES = tuple(
    code for _, _, raised in OPTIONS for code, _ in raised
) + tuple(code for code, _ in GENERAL_CONSIDERATIONS)


# Every reason code each option can give (the wording layer has words for each; a test checks
# that the rules give no other).
OPTION_REASONS: dict[str, tuple[str, ...]] = {
    "antidepressant_start": ("no_antidepressant_this_episode",),
    "medication_optimization": ("current_trial_below_minimum",
                                "still_taking_under_minimum_weeks"),
    "switch_or_combine": ("failed_antidepressants",),
    "augmentation": ("trd_may_apply", "trd_unclear"),
    "psychotherapy": ("none_tried", "tried_others_exist"),
    "tms": ("trd_may_apply", "trd_unclear"),
    "esketamine": ("trd_may_apply", "trd_unclear", "safety_concern"),
    "ketamine_infusion": ("trd_may_apply", "trd_unclear"),
    "ect": ("trd_may_apply", "safety_concern_severe_symptoms", "psychotic_symptoms_now"),
    "vns": ("four_or_more_failed",),
    "clinical_trials": ("trd_may_apply",),
    "medical_evaluation": ("thyroid_disease", "chronic_illness"),
    "lifestyle": ("always",),
}
OPTION_REASON_CODES = tuple(sorted({c for codes in OPTION_REASONS.values() for c in codes}))


def options_to_discuss(facts: Facts) -> tuple[OptionResult, ...]:
    shown = []
    for code, when, raised in OPTIONS:
        reasons = when(facts)
        if reasons:
            considerations = tuple(c for c, applies in raised if applies(facts))
            shown.append(OptionResult(code, tuple(reasons), considerations))
    return tuple(shown)


def general_considerations(facts: Facts) -> tuple[str, ...]:
    return tuple(code for code, applies in GENERAL_CONSIDERATIONS if applies(facts))
