"""Small factories and readers shared by the screening tests.

Everything here is built from the written rules (`docs/screening-rules.md`, version 2, and
`tests/vignettes/README.md`), never from the engine's code.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

from intake.screening import (
    Thresholds,
    assess,
    assessment_to_dict,
    load_catalog_csv,
    parse_answers,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
CATALOG_PATH = REPO_ROOT / "intake" / "data" / "medications.csv"
VIGNETTES_DIR = REPO_ROOT / "tests" / "vignettes"

# docs/screening-rules.md section 7, "When each option is shown", in table order.
OPTION_ORDER = (
    "antidepressant_start",
    "medication_optimization",
    "switch_or_combine",
    "augmentation",
    "psychotherapy",
    "tms",
    "esketamine",
    "ketamine_infusion",
    "ect",
    "vns",
    "clinical_trials",
    "medical_evaluation",
    "lifestyle",
)

HEALTH_KEYS = (
    "seizures",
    "metal_in_head",
    "implanted_device",
    "vascular_brain",
    "uncontrolled_blood_pressure",
    "heart_or_stroke",
    "pregnancy",
    "substance_use",
    "thyroid_disease",
    "chronic_illness",
    "supplements",
)
ASQ_FOUR = ("wished_dead", "better_off_dead", "thoughts_past_week", "ever_attempted")

# Field domains from docs/screening-rules.md section 1 and the vignettes README.
ADHERENCE = ("most_days", "often_missed", "unknown")
IMPROVEMENT = ("lt25", "25to49", "50to74", "gte75", "unknown")
CURRENT_EPISODE = ("yes", "no", "unknown")
STOPPED_BECAUSE = ("side_effects", "not_helping", "still_taking", "other", "unknown")
PSYCHOTIC = ("never", "past", "current", "unknown")
PSYCHOTHERAPY_TYPES = (
    "cbt",
    "ipt",
    "dbt",
    "mbct",
    "cbasp",
    "behavioural_activation",
    "istdp",
    "mbt",
    "psychodynamic",
    "couples_family",
    "group",
    "other",
)
OTHER_TREATMENTS = (
    "tms",
    "ect",
    "esketamine",
    "ketamine_infusion",
    "vns",
    "psilocybin",
    "light_therapy",
    "other",
)

# Antidepressants with a catalog minimum, all in different drug classes where possible;
# enough to build histories of up to 11 distinct failed medications.
DISTINCT_ANTIDEPRESSANTS = (
    "sertraline",
    "venlafaxine",
    "bupropion",
    "mirtazapine",
    "nortriptyline",
    "phenelzine",
    "trazodone",
    "vortioxetine",
    "agomelatine",
    "reboxetine",
    "maprotiline",
    "escitalopram",
)


@functools.cache
def catalog() -> dict:
    return load_catalog_csv(CATALOG_PATH)


def minimum(slug: str) -> float:
    value = catalog()[slug].min_adequate_mg_per_day
    assert value is not None, f"{slug} has no catalog minimum"
    return value


def trial(**overrides: Any) -> dict:
    """A valid trial dict; by default an adequate sertraline trial that failed (lt25)."""
    data = {
        "medication": "sertraline",
        "other_name": None,
        "dose_mg_per_day": 100,
        "weeks": 8,
        "adherence": "most_days",
        "improvement": "lt25",
        "current_episode": "yes",
        "stopped_because": "not_helping",
    }
    unknown = set(overrides) - set(data)
    assert not unknown, f"unknown trial fields {unknown}"
    data.update(overrides)
    return data


def failed(slug: str = "sertraline", **overrides: Any) -> dict:
    """An adequate current-episode trial without response: `failed_adequate`."""
    return trial(medication=slug, dose_mg_per_day=minimum(slug), **overrides)


def possibly_failed(slug: str = "sertraline", **overrides: Any) -> dict:
    """Like `failed` but with the dose not remembered: `possibly_failed_adequate`."""
    return trial(medication=slug, dose_mg_per_day=None, **overrides)


def other_trial(name: str, **overrides: Any) -> dict:
    return trial(medication="other", other_name=name, dose_mg_per_day=None, **overrides)


def unknown_trial(**overrides: Any) -> dict:
    return trial(medication="unknown", dose_mg_per_day=None, **overrides)


def failed_history(count: int) -> list[dict]:
    """`count` distinct confirmed failures (up to len(DISTINCT_ANTIDEPRESSANTS))."""
    return [failed(slug) for slug in DISTINCT_ANTIDEPRESSANTS[:count]]


def phq9_items(total: int, item9: int = 0) -> list[int]:
    """Nine items 0-3 adding up to `total`, with item 9 set to `item9`."""
    rest = total - item9
    assert 0 <= rest <= 24, "total not reachable with this item 9"
    items = []
    for _ in range(8):
        items.append(min(3, rest))
        rest -= items[-1]
    return [*items, item9]


def asq(**overrides: Any) -> dict:
    data = dict.fromkeys(ASQ_FOUR, False)
    data["thoughts_now"] = None
    data.update(overrides)
    return data


def health(**overrides: Any) -> dict:
    data = dict.fromkeys(HEALTH_KEYS, False)
    unknown = set(overrides) - set(data)
    assert not unknown, f"unknown health keys {unknown}"
    data.update(overrides)
    return data


def answers(**overrides: Any) -> dict:
    """A valid answers dict (no trials, PHQ-9 total 8, no safety flags, nothing in health).

    `asq=` and `health=` overrides are merged into the defaults; other keys replace them.
    """
    data = {
        "current_episode_months": 14,
        "psychotic_symptoms": "never",
        "bipolar_history": False,
        "phq9": phq9_items(8),
        "asq": asq(**overrides.pop("asq", {})),
        "medication_trials": [],
        "psychotherapy": [],
        "other_treatments": [],
        "health": health(**overrides.pop("health", {})),
    }
    unknown = set(overrides) - set(data)
    assert not unknown, f"unknown answers fields {unknown}"
    data.update(overrides)
    return data


def run(data: dict, thresholds: Thresholds | None = None) -> dict:
    """parse + assess + to_dict, with the project catalog and (default) thresholds."""
    parsed = parse_answers(copy.deepcopy(data), catalog())
    return assessment_to_dict(assess(parsed, catalog(), thresholds or Thresholds()))


def option_codes(result: dict) -> list[str]:
    return [option["code"] for option in result["options"]]


def option(result: dict, code: str) -> dict:
    matches = [o for o in result["options"] if o["code"] == code]
    assert len(matches) == 1, f"option {code} shown {len(matches)} times"
    return matches[0]


def all_considerations(result: dict) -> set[str]:
    """Option considerations and general considerations together."""
    codes = set(result["considerations"])
    for shown in result["options"]:
        codes.update(shown["considerations"])
    return codes


def verdicts(result: dict) -> list[str]:
    return [t["verdict"] for t in result["trd"]["trials"]]


def reason_codes(trial_result: dict) -> set[str]:
    return {reason["code"] for reason in trial_result["reasons"]}


def reason(trial_result: dict, code: str) -> dict:
    matches = [r for r in trial_result["reasons"] if r["code"] == code]
    assert len(matches) == 1, f"reason {code} found {len(matches)} times in {trial_result}"
    return matches[0]


def medication_key(trial_data: dict, index: int) -> tuple:
    """Identity used to count distinct medications (docs/screening-rules.md section 3)."""
    medication = trial_data["medication"]
    if medication == "other":
        return ("other", trial_data["other_name"].strip().casefold())
    if medication == "unknown":
        return ("unknown", index)
    return ("slug", medication)


_DELETE = object()


def changed(data: dict, path: tuple, value: Any = _DELETE) -> dict:
    """A deep copy of `data` with the item at `path` replaced (or deleted by default)."""
    result = copy.deepcopy(data)
    parent = result
    for key in path[:-1]:
        parent = parent[key]
    if value is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return result
