"""The screening rules, version 2 (docs/screening-rules.md sections 2-6).

Pure functions: answers and reference data in, results out. Each verdict carries the reasons
that produced it, with the numbers compared, so staff and patients can see why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .model import OTHER, STILL_TAKING, UNKNOWN, Answers, Asq, CatalogEntry, Thresholds, Trial

# --- verdicts and reasons -------------------------------------------------------------------

AUGMENTATION = "augmentation"
OTHER_EPISODE = "other_episode"
RESPONDED = "responded"
INTOLERANCE = "intolerance"
INADEQUATE = "inadequate"
FAILED_ADEQUATE = "failed_adequate"
POSSIBLY_FAILED_ADEQUATE = "possibly_failed_adequate"
VERDICTS = (AUGMENTATION, OTHER_EPISODE, RESPONDED, INTOLERANCE, INADEQUATE, FAILED_ADEQUATE,
            POSSIBLY_FAILED_ADEQUATE)

YES, NO, UNSURE = "yes", "no", "unknown"

MAY_APPLY, UNCLEAR, NOT_MET = "may_apply", "unclear", "not_met"
TRD_STATUSES = (MAY_APPLY, UNCLEAR, NOT_MET)

# Every reason code a trial verdict can carry (the wording layer has words for each).
TRIAL_REASON_CODES = (
    "augmentation_role", "other_episode", "improvement_50_or_more", "stopped_for_side_effects",
    "dose_unknown", "no_minimum_dose", "dose_below_minimum", "duration_unknown",
    "duration_below_minimum", "not_taken_as_prescribed", "adherence_unknown",
    "improvement_unknown", "episode_unknown", "adequate_trial_without_response",
)


@dataclass(frozen=True, slots=True)
class Reason:
    """A machine-readable reason: a stable code and the numbers behind it."""

    code: str
    params: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"code": self.code, **self.params}


@dataclass(frozen=True, slots=True)
class TrialResult:
    trial: Trial
    verdict: str
    reasons: tuple[Reason, ...]
    dose: str | None = None          # the three adequacy parts (yes/no/unknown), None when the
    duration: str | None = None      # verdict was reached before they were checked
    adherence: str | None = None
    minimum_mg_per_day: float | None = None


@dataclass(frozen=True, slots=True)
class TrdResult:
    status: str
    confirmed: int
    possible: int
    strict_confirmed: int
    classes_confirmed: int
    trials: tuple[TrialResult, ...]


@dataclass(frozen=True, slots=True)
class Phq9Result:
    total: int
    band: str
    item9: int


@dataclass(frozen=True, slots=True)
class MsmParts:
    duration: int | None
    severity: int
    failed: int
    augmentation: int
    ect: int


@dataclass(frozen=True, slots=True)
class MsmResult:
    total: int | None
    band: str | None
    parts: MsmParts


# --- section 2: one trial -------------------------------------------------------------------

def episode_of(trial: Trial) -> str:
    """`current_episode` as every rule reads it (section 1, version 2): a medicine the patient
    is still taking is being taken in the current episode, whatever was answered."""
    return YES if trial.stopped_because == STILL_TAKING else trial.current_episode


def role_of(trial: Trial, catalog: Mapping[str, CatalogEntry]) -> str:
    """`other` and `unknown` medications count as antidepressants (section 1)."""
    entry = catalog.get(trial.medication)
    return entry.role if entry is not None else "antidepressant"


def minimum_dose(trial: Trial, catalog: Mapping[str, CatalogEntry]) -> float | None:
    entry = catalog.get(trial.medication)
    return entry.min_adequate_mg_per_day if entry is not None else None


def judge_trial(trial: Trial, catalog: Mapping[str, CatalogEntry],
                thresholds: Thresholds) -> TrialResult:
    """The first rule of section 2 that matches gives the verdict."""
    minimum = minimum_dose(trial, catalog)
    if role_of(trial, catalog) == "augmentation":
        return TrialResult(trial, AUGMENTATION, (Reason("augmentation_role"),),
                           minimum_mg_per_day=minimum)
    if episode_of(trial) == NO:
        return TrialResult(trial, OTHER_EPISODE, (Reason("other_episode"),),
                           minimum_mg_per_day=minimum)
    if trial.improvement in ("50to74", "gte75"):
        return TrialResult(trial, RESPONDED, (Reason("improvement_50_or_more"),),
                           minimum_mg_per_day=minimum)
    if (trial.stopped_because == "side_effects" and trial.weeks is not None
            and trial.weeks < thresholds.intolerance_weeks):
        reason = Reason("stopped_for_side_effects",
                        {"weeks": trial.weeks, "intolerance_weeks": thresholds.intolerance_weeks})
        return TrialResult(trial, INTOLERANCE, (reason,), minimum_mg_per_day=minimum)

    failing: list[Reason] = []
    unsure: list[Reason] = []

    if trial.dose_mg_per_day is None:
        unsure.append(Reason("dose_unknown"))
    if minimum is None:
        unsure.append(Reason("no_minimum_dose"))
    if unsure:
        dose = UNSURE
    elif trial.dose_mg_per_day >= minimum:
        dose = YES
    else:
        dose = NO
        failing.append(Reason("dose_below_minimum", {"dose_mg_per_day": trial.dose_mg_per_day,
                                                     "minimum_mg_per_day": minimum}))

    if trial.weeks is None:
        duration = UNSURE
        unsure.append(Reason("duration_unknown"))
    elif trial.weeks >= thresholds.min_trial_weeks:
        duration = YES
    else:
        duration = NO
        failing.append(Reason("duration_below_minimum",
                              {"weeks": trial.weeks, "minimum_weeks": thresholds.min_trial_weeks}))

    adherence = {"most_days": YES, "often_missed": NO}.get(trial.adherence, UNSURE)
    if adherence == NO:
        failing.append(Reason("not_taken_as_prescribed"))
    elif adherence == UNSURE:
        unsure.append(Reason("adherence_unknown"))

    parts = {"dose": dose, "duration": duration, "adherence": adherence,
             "minimum_mg_per_day": minimum}
    if failing:
        return TrialResult(trial, INADEQUATE, tuple(failing), **parts)
    if trial.improvement == "unknown":
        unsure.append(Reason("improvement_unknown"))
    if episode_of(trial) == UNSURE:
        unsure.append(Reason("episode_unknown"))
    if unsure:
        return TrialResult(trial, POSSIBLY_FAILED_ADEQUATE, tuple(unsure), **parts)
    return TrialResult(trial, FAILED_ADEQUATE, (Reason("adequate_trial_without_response"),),
                       **parts)


# --- section 3: the whole history -----------------------------------------------------------

def medication_key(trial: Trial, index: int) -> tuple:
    """What makes two trials 'the same medication' (section 3)."""
    if trial.medication == OTHER:
        return (OTHER, " ".join((trial.other_name or "").split()).casefold())
    if trial.medication == UNKNOWN:
        return (UNKNOWN, index)  # each unremembered medicine may be a different one
    return (trial.medication,)


def summarise_history(results: Iterable[TrialResult],
                      catalog: Mapping[str, CatalogEntry]) -> TrdResult:
    results = tuple(results)
    confirmed: set[tuple] = set()
    strict: set[tuple] = set()
    maybe: set[tuple] = set()
    for index, result in enumerate(results):
        key = medication_key(result.trial, index)
        if result.verdict == FAILED_ADEQUATE:
            confirmed.add(key)
            if result.trial.improvement == "lt25":
                strict.add(key)
        elif result.verdict == POSSIBLY_FAILED_ADEQUATE:
            maybe.add(key)
    possible = maybe - confirmed
    classes = {catalog[key[0]].drug_class for key in confirmed if key[0] in catalog}
    if len(confirmed) >= 2:
        status = MAY_APPLY
    elif len(confirmed) + len(possible) >= 2:
        status = UNCLEAR
    else:
        status = NOT_MET
    return TrdResult(status, len(confirmed), len(possible), len(strict), len(classes), results)


# --- section 4: PHQ-9 -----------------------------------------------------------------------

PHQ9_BANDS = ((4, "minimal"), (9, "mild"), (14, "moderate"), (19, "moderately_severe"),
              (27, "severe"))


def score_phq9(items: tuple[int, ...]) -> Phq9Result:
    total = sum(items)
    band = next(name for upper, name in PHQ9_BANDS if total <= upper)
    return Phq9Result(total, band, items[8])


# --- section 5: safety ----------------------------------------------------------------------

ACUTE, NON_ACUTE, NONE = "acute", "non_acute", "none"
SAFETY_LEVELS = (NONE, NON_ACUTE, ACUTE)


def safety_level(phq9_item9: int | None, asq: Asq | None) -> str:
    """Usable mid-intake: either part may still be missing (None)."""
    if asq is not None and asq.any_positive and asq.thoughts_now:
        return ACUTE
    if (phq9_item9 or 0) > 0 or (asq is not None and asq.any_positive):
        return NON_ACUTE
    return NONE


# --- section 6: approximate Maudsley Staging Method -----------------------------------------

MSM_BANDS = ("mild", "moderate", "severe")
FAILED_POINTS = ((0, 0), (2, 1), (4, 2), (6, 3), (10, 4))  # (at most n failed, points)


def stage_msm(answers: Answers, phq9: Phq9Result, trd: TrdResult) -> MsmResult:
    months = answers.current_episode_months
    duration = None if months is None else 1 if months <= 12 else 2 if months <= 24 else 3
    if answers.psychotic_symptoms == "current":  # "unknown" is not current (version 2)
        severity = 5
    else:
        severity = 1 if phq9.total <= 4 else 2 if phq9.total <= 9 else 3 if phq9.total <= 19 else 4
    failed_count = trd.confirmed + trd.possible
    failed = next((points for most, points in FAILED_POINTS if failed_count <= most), 5)
    augmentation = int(any(r.verdict == AUGMENTATION and episode_of(r.trial) != NO
                           for r in trd.trials))
    ect = int("ect" in answers.other_treatments)
    parts = MsmParts(duration, severity, failed, augmentation, ect)
    if duration is None:
        return MsmResult(None, None, parts)
    total = duration + severity + failed + augmentation + ect
    band = MSM_BANDS[0] if total <= 6 else MSM_BANDS[1] if total <= 10 else MSM_BANDS[2]
    return MsmResult(total, band, parts)
