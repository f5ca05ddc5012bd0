"""Answers in, assessment out: the whole screen for one history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .model import RULES_VERSION, Answers, CatalogEntry, Thresholds
from .options import Facts, OptionResult, general_considerations, options_to_discuss
from .rules import (
    MsmResult,
    Phq9Result,
    TrdResult,
    judge_trial,
    safety_level,
    score_phq9,
    stage_msm,
    summarise_history,
)


@dataclass(frozen=True, slots=True)
class Assessment:
    rules_version: str
    thresholds: Thresholds
    min_doses: Mapping[str, float | None]   # catalog minimums used, by slug
    trd: TrdResult
    phq9: Phq9Result
    safety: str
    msm: MsmResult
    options: tuple[OptionResult, ...]
    considerations: tuple[str, ...]         # general ones; the others sit under their option


def assess(answers: Answers, catalog: Mapping[str, CatalogEntry],
           thresholds: Thresholds) -> Assessment:
    trd = summarise_history(
        (judge_trial(trial, catalog, thresholds) for trial in answers.medication_trials), catalog
    )
    phq9 = score_phq9(answers.phq9)
    safety = safety_level(phq9.item9, answers.asq)
    facts = Facts(answers, trd, safety, phq9.total, thresholds, catalog)
    min_doses = {
        t.medication: catalog[t.medication].min_adequate_mg_per_day
        for t in answers.medication_trials if t.medication in catalog
    }
    return Assessment(
        rules_version=RULES_VERSION,
        thresholds=thresholds,
        min_doses=dict(sorted(min_doses.items())),
        trd=trd,
        phq9=phq9,
        safety=safety,
        msm=stage_msm(answers, phq9, trd),
        options=options_to_discuss(facts),
        considerations=general_considerations(facts),
    )


def assessment_to_dict(a: Assessment) -> dict:
    """The stored and printed form (JSON-ready). Its keys are a stable contract."""
    return {
        "rules_version": a.rules_version,
        "thresholds": {
            "min_trial_weeks": a.thresholds.min_trial_weeks,
            "intolerance_weeks": a.thresholds.intolerance_weeks,
            "min_doses": dict(a.min_doses),
        },
        "trd": {
            "status": a.trd.status,
            "confirmed": a.trd.confirmed,
            "possible": a.trd.possible,
            "strict_confirmed": a.trd.strict_confirmed,
            "classes_confirmed": a.trd.classes_confirmed,
            "trials": [
                {
                    "medication": r.trial.medication,
                    "other_name": r.trial.other_name,
                    "verdict": r.verdict,
                    "reasons": [reason.to_dict() for reason in r.reasons],
                    "dose": r.dose,
                    "duration": r.duration,
                    "adherence": r.adherence,
                }
                for r in a.trd.trials
            ],
        },
        "phq9": {"total": a.phq9.total, "band": a.phq9.band, "item9": a.phq9.item9},
        "safety": {"level": a.safety},
        "msm": {
            "total": a.msm.total,
            "band": a.msm.band,
            "parts": {
                "duration": a.msm.parts.duration,
                "severity": a.msm.parts.severity,
                "failed": a.msm.parts.failed,
                "augmentation": a.msm.parts.augmentation,
                "ect": a.msm.parts.ect,
            },
        },
        "options": [
            {"code": o.code, "reasons": list(o.reasons), "considerations": list(o.considerations)}
            for o in a.options
        ],
        "considerations": sorted(a.considerations),
    }
