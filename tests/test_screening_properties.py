"""Property tests: the screening rules hold for any valid history, not only the vignettes.

`expected_*` below restate docs/screening-rules.md (version 2) as a small reference model;
the engine's output is compared with it, and with invariants and metamorphic relations
(reordering, duplicating, adding a responded trial, lowering a dose).
"""

from __future__ import annotations

import copy
import json

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from intake.screening import Thresholds, parse_answers, tried_summary
from tests.screening_helpers import (
    ADHERENCE,
    ASQ_FOUR,
    CURRENT_EPISODE,
    HEALTH_KEYS,
    IMPROVEMENT,
    OPTION_ORDER,
    OTHER_TREATMENTS,
    PSYCHOTHERAPY_TYPES,
    PSYCHOTIC,
    STOPPED_BECAUSE,
    catalog,
    medication_key,
    option_codes,
    run,
)

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

CATALOG = catalog()
SLUGS = sorted(CATALOG)
# A few slugs drawn often so that histories repeat medications and mix roles.
FREQUENT_SLUGS = ("sertraline", "escitalopram", "bupropion", "quetiapine", "gepirone")
OTHER_NAMES = ("Zuranolone", " zuranolone ", "ZURANOLONE", "Esmethadone", "esmethadone  ")
INTERESTING_WEEKS = (0, 3.9, 4, 5.9, 6, 8, 12)
RESPONDED = ("50to74", "gte75")
NOT_RESPONDED = ("lt25", "25to49")


# --- strategies ------------------------------------------------------------------------------


def doses_for(medication: str) -> st.SearchStrategy:
    entry = CATALOG.get(medication)
    minimum = entry.min_adequate_mg_per_day if entry else None
    near = [minimum, minimum - 0.1, minimum * 2] if minimum else [50, 150]
    return st.one_of(
        st.none(),
        st.sampled_from(near),
        st.integers(1, 3000),
        st.floats(min_value=0, max_value=3000, exclude_min=True, allow_nan=False),
    )


@st.composite
def trials(draw, improvements: tuple[str, ...] = IMPROVEMENT) -> dict:
    medication = draw(
        st.one_of(
            st.sampled_from(FREQUENT_SLUGS),
            st.sampled_from(SLUGS),
            st.just("other"),
            st.just("unknown"),
        )
    )
    return {
        "medication": medication,
        "other_name": draw(st.sampled_from(OTHER_NAMES)) if medication == "other" else None,
        "dose_mg_per_day": draw(doses_for(medication)),
        "weeks": draw(
            st.one_of(
                st.none(),
                st.sampled_from(INTERESTING_WEEKS),
                st.floats(min_value=0, max_value=3000, allow_nan=False),
            )
        ),
        "adherence": draw(st.sampled_from(ADHERENCE)),
        "improvement": draw(st.sampled_from(improvements)),
        "current_episode": draw(st.sampled_from(CURRENT_EPISODE)),
        "stopped_because": draw(st.sampled_from(STOPPED_BECAUSE)),
    }


ADEQUATE_SLUGS = tuple(
    slug
    for slug, entry in sorted(CATALOG.items())
    if entry.role != "augmentation" and entry.min_adequate_mg_per_day is not None
)


@st.composite
def failing_trials(draw) -> dict:
    """`failed_adequate` trials, or with one part unknown, so histories often reach two."""
    slug = draw(st.one_of(st.sampled_from(FREQUENT_SLUGS[:3]), st.sampled_from(ADEQUATE_SLUGS)))
    minimum = CATALOG[slug].min_adequate_mg_per_day
    trial = {
        "medication": slug,
        "other_name": None,
        "dose_mg_per_day": draw(st.sampled_from([minimum, minimum * 2])),
        "weeks": draw(st.sampled_from([6, 8, 12, 52])),
        "adherence": "most_days",
        "improvement": draw(st.sampled_from(NOT_RESPONDED)),
        "current_episode": "yes",
        "stopped_because": draw(st.sampled_from(STOPPED_BECAUSE)),
    }
    unknown = draw(st.sampled_from([None, None, None, "dose", "adherence", "episode"]))
    if unknown:
        trial.update(
            {
                "dose": {"dose_mg_per_day": None},
                "adherence": {"adherence": "unknown"},
                "episode": {"current_episode": "unknown"},
            }[unknown]
        )
    return trial


@st.composite
def answer_dicts(draw, min_trials: int = 0) -> dict:
    # Safety flags are drawn rarely enough that every safety level is common.
    flagged = draw(st.booleans())
    four = {key: flagged and draw(st.booleans()) for key in ASQ_FOUR}
    return {
        "current_episode_months": draw(st.one_of(st.none(), st.integers(0, 1200))),
        "psychotic_symptoms": draw(st.sampled_from(PSYCHOTIC)),
        "bipolar_history": draw(st.booleans()),
        "phq9": [
            *draw(st.lists(st.integers(0, 3), min_size=8, max_size=8)),
            draw(st.sampled_from([0, 0, 0, 1, 2, 3])),
        ],
        "asq": {**four, "thoughts_now": draw(st.booleans()) if any(four.values()) else None},
        "medication_trials": draw(
            st.lists(st.one_of(trials(), failing_trials()), min_size=min_trials, max_size=8)
        ),
        "psychotherapy": draw(
            st.lists(
                st.fixed_dictionaries(
                    {
                        "type": st.sampled_from(PSYCHOTHERAPY_TYPES),
                        "sessions": st.one_of(st.none(), st.integers(0, 100)),
                    }
                ),
                max_size=3,
            )
        ),
        "other_treatments": draw(st.lists(st.sampled_from(OTHER_TREATMENTS), unique=True)),
        "health": {key: draw(st.booleans()) for key in HEALTH_KEYS},
    }


thresholds = st.one_of(
    st.just(Thresholds()),
    st.builds(
        Thresholds,
        min_trial_weeks=st.sampled_from([4, 6, 8, 12]),
        intolerance_weeks=st.sampled_from([2, 4, 6]),
    ),
)


# --- the written rules as a reference model --------------------------------------------------


def episode(trial: dict) -> str:
    """Version 2, section 1: a medicine still being taken is taken in this episode."""
    return "yes" if trial["stopped_because"] == "still_taking" else trial["current_episode"]


def expected_trial(trial: dict, limits: Thresholds) -> tuple[str, tuple | None]:
    """(verdict, (dose, duration, adherence) or None): docs/screening-rules.md section 2."""
    entry = CATALOG.get(trial["medication"])
    if entry is not None and entry.role == "augmentation":
        return "augmentation", None
    if episode(trial) == "no":
        return "other_episode", None
    if trial["improvement"] in RESPONDED:
        return "responded", None
    weeks = trial["weeks"]
    if (
        trial["stopped_because"] == "side_effects"
        and weeks is not None
        and weeks < limits.intolerance_weeks
    ):
        return "intolerance", None
    minimum = entry.min_adequate_mg_per_day if entry is not None else None
    dose = trial["dose_mg_per_day"]
    parts = (
        "unknown" if dose is None or minimum is None else ("yes" if dose >= minimum else "no"),
        "unknown" if weeks is None else ("yes" if weeks >= limits.min_trial_weeks else "no"),
        {"most_days": "yes", "often_missed": "no", "unknown": "unknown"}[trial["adherence"]],
    )
    if "no" in parts:
        return "inadequate", parts
    if (
        parts == ("yes", "yes", "yes")
        and trial["improvement"] in NOT_RESPONDED
        and episode(trial) == "yes"
    ):
        return "failed_adequate", parts
    return "possibly_failed_adequate", parts


def expected_trd(trial_list: list[dict], found: list[str]) -> dict:
    """Counts and status from the verdicts: docs/screening-rules.md section 3."""
    keys = [medication_key(trial, index) for index, trial in enumerate(trial_list)]

    def with_verdict(wanted: str) -> set:
        return {key for key, verdict in zip(keys, found, strict=True) if verdict == wanted}

    confirmed = with_verdict("failed_adequate")
    possible = with_verdict("possibly_failed_adequate") - confirmed
    strict = {
        key
        for key, verdict, trial in zip(keys, found, trial_list, strict=True)
        if verdict == "failed_adequate" and trial["improvement"] == "lt25"
    }
    classes = {CATALOG[key[1]].drug_class for key in confirmed if key[0] == "slug"}
    if len(confirmed) >= 2:
        status = "may_apply"
    elif len(confirmed) + len(possible) >= 2:
        status = "unclear"
    else:
        status = "not_met"
    return {
        "status": status,
        "confirmed": len(confirmed),
        "possible": len(possible),
        "strict_confirmed": len(strict),
        "classes_confirmed": len(classes),
    }


def expected_phq9(items: list[int]) -> dict:
    total = sum(items)
    bands = ((4, "minimal"), (9, "mild"), (14, "moderate"), (19, "moderately_severe"))
    band = next((name for top, name in bands if total <= top), "severe")
    return {"total": total, "band": band, "item9": items[8]}


def expected_safety(data: dict) -> str:
    if data["asq"]["thoughts_now"] is True:
        return "acute"
    if data["phq9"][8] > 0 or any(data["asq"][key] for key in ASQ_FOUR):
        return "non_acute"
    return "none"


def _points(value: int, tops: tuple[int, ...]) -> int:
    """1-based position of the first band whose top is >= value (len(tops) + 1 above all)."""
    return next((index for index, top in enumerate(tops, 1) if value <= top), len(tops) + 1)


def expected_msm(data: dict, found: list[str], counts: dict) -> dict:
    months = data["current_episode_months"]
    psychotic_now = data["psychotic_symptoms"] == "current"
    augmented = any(
        verdict == "augmentation" and episode(trial) != "no"
        for verdict, trial in zip(found, data["medication_trials"], strict=True)
    )
    parts = {
        "duration": None if months is None else _points(months, (12, 24)),
        "severity": 5 if psychotic_now else _points(sum(data["phq9"]), (4, 9, 19)),
        "failed": _points(counts["confirmed"] + counts["possible"], (0, 2, 4, 6, 10)) - 1,
        "augmentation": int(augmented),
        "ect": int("ect" in data["other_treatments"]),
    }
    total = None if months is None else sum(parts.values())
    bands = ("mild", "moderate", "severe")
    band = None if total is None else bands[_points(total, (6, 10)) - 1]
    return {"total": total, "band": band, "parts": parts}


def _is_antidepressant(trial: dict) -> bool:
    entry = CATALOG.get(trial["medication"])
    return entry is None or entry.role != "augmentation"


def expected_options(data: dict, judged: list[tuple], counts: dict, limits: Thresholds) -> list:
    status = counts["status"]
    failed = counts["confirmed"] + counts["possible"]
    safety = expected_safety(data)
    trials_ = data["medication_trials"]
    health = data["health"]
    optimise = any(
        verdict == "inadequate" and episode(trial) == "yes" and "no" in parts[:2]
        for trial, (verdict, parts) in zip(trials_, judged, strict=True)
    ) or any(
        trial["stopped_because"] == "still_taking"
        and _is_antidepressant(trial)
        and trial["weeks"] is not None
        and trial["weeks"] < limits.min_trial_weeks
        for trial in trials_
    )
    antidepressant_this_episode = any(
        _is_antidepressant(trial) and episode(trial) in ("yes", "unknown") for trial in trials_
    )
    trd_possible = status in ("may_apply", "unclear")
    shown = {
        "antidepressant_start": not antidepressant_this_episode,
        "medication_optimization": optimise,
        "switch_or_combine": failed >= 1,
        "augmentation": trd_possible,
        "psychotherapy": True,
        "tms": trd_possible,
        "esketamine": trd_possible or safety != "none",
        "ketamine_infusion": trd_possible,
        "ect": status == "may_apply"
        or (safety != "none" and sum(data["phq9"]) >= 20)
        or data["psychotic_symptoms"] == "current",
        "vns": failed >= 4,
        "clinical_trials": status == "may_apply",
        "medical_evaluation": health["thyroid_disease"] or health["chronic_illness"],
        "lifestyle": True,
    }
    return [code for code in OPTION_ORDER if shown[code]]


HEALTH_CONSIDERATIONS = {
    "seizures": ("switch_or_combine:seizures", "tms:seizures"),
    "metal_in_head": ("tms:metal_in_head",),
    "implanted_device": ("tms:implanted_device",),
    "vascular_brain": ("esketamine:vascular",),
    "uncontrolled_blood_pressure": (
        "esketamine:blood_pressure",
        "ketamine_infusion:blood_pressure",
    ),
    "pregnancy": ("esketamine:pregnancy", "ketamine_infusion:pregnancy"),
    "substance_use": ("esketamine:substance_use", "ketamine_infusion:substance_use"),
    "heart_or_stroke": ("ect:heart_or_stroke",),
    "supplements": ("general:supplement_interaction",),
}


def expected_considerations(data: dict) -> set[str]:
    codes = {
        code
        for key, raised in HEALTH_CONSIDERATIONS.items()
        if data["health"][key]
        for code in raised
    }
    psychosis_ever = data["psychotic_symptoms"] != "never"
    if psychosis_ever:
        codes |= {"esketamine:psychosis", "ketamine_infusion:psychosis"}
    if psychosis_ever or data["bipolar_history"]:
        codes.add("clinical_trials:bipolar_or_psychosis")
    if data["bipolar_history"]:
        codes.add("general:bipolar_history")
    return codes


# --- the engine agrees with the written rules ------------------------------------------------


@PROPERTY_SETTINGS
@given(data=answer_dicts(), limits=thresholds)
def test_assessment_follows_the_written_rules(data, limits):
    result = run(data, limits)
    judged = [expected_trial(trial, limits) for trial in data["medication_trials"]]
    found = [
        (out["verdict"], out["dose"], out["duration"], out["adherence"])
        for out in result["trd"]["trials"]
    ]
    assert found == [(verdict, *(parts or (None,) * 3)) for verdict, parts in judged]

    counts = expected_trd(data["medication_trials"], [verdict for verdict, _ in judged])
    assert {key: result["trd"][key] for key in counts} == counts
    assert result["phq9"] == expected_phq9(data["phq9"])
    assert result["safety"]["level"] == expected_safety(data)
    assert result["msm"] == expected_msm(data, [verdict for verdict, _ in judged], counts)

    assert option_codes(result) == expected_options(data, judged, counts, limits)
    raised = expected_considerations(data)
    assert result["considerations"] == sorted(c for c in raised if c.startswith("general:"))
    for shown in result["options"]:
        prefix = shown["code"] + ":"
        assert sorted(shown["considerations"]) == sorted(c for c in raised if c.startswith(prefix))

    assert result["thresholds"]["min_trial_weeks"] == limits.min_trial_weeks
    assert result["thresholds"]["intolerance_weeks"] == limits.intolerance_weeks


# --- invariants ------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(data=answer_dicts())
def test_trd_invariants(data):
    trd = run(data)["trd"]
    confirmed, possible = trd["confirmed"], trd["possible"]
    assert (trd["status"] == "may_apply") == (confirmed >= 2)
    assert (trd["status"] == "unclear") == (confirmed < 2 <= confirmed + possible)
    pairs = enumerate(zip(data["medication_trials"], trd["trials"], strict=True))
    distinct = {
        medication_key(trial, index)
        for index, (trial, out) in pairs
        if out["verdict"] != "augmentation"
    }
    assert confirmed + possible <= len(distinct)
    assert 0 <= trd["strict_confirmed"] <= confirmed
    assert 0 <= trd["classes_confirmed"] <= confirmed
    assert [(t["medication"], t["other_name"]) for t in trd["trials"]] == [
        (t["medication"], t["other_name"] and t["other_name"].strip())
        for t in data["medication_trials"]
    ]


@PROPERTY_SETTINGS
@given(data=answer_dicts())
def test_output_invariants(data):
    original = copy.deepcopy(data)
    result = run(data)
    codes = option_codes(result)
    assert codes == [code for code in OPTION_ORDER if code in codes]  # table order, no repeats
    assert {"psychotherapy", "lifestyle"} <= set(codes)
    for shown in result["options"]:
        assert all(c.startswith(shown["code"] + ":") for c in shown["considerations"])
    assert all(c.startswith("general:") for c in result["considerations"])
    assert result["considerations"] == sorted(result["considerations"])
    msm = result["msm"]
    if msm["total"] is not None:
        assert msm["total"] == sum(msm["parts"].values())

    used = {t["medication"] for t in data["medication_trials"]}
    min_doses = result["thresholds"]["min_doses"]
    assert set(min_doses) <= used
    for slug, value in min_doses.items():
        assert value == CATALOG[slug].min_adequate_mg_per_day
    for trial, out in zip(data["medication_trials"], result["trd"]["trials"], strict=True):
        entry = CATALOG.get(trial["medication"])
        if out["dose"] in ("yes", "no") and entry is not None:
            assert trial["medication"] in min_doses

    assert json.loads(json.dumps(result, allow_nan=False)) == result
    assert run(data) == result
    assert data == original


# --- metamorphic relations -------------------------------------------------------------------


def _counts(result: dict) -> tuple:
    trd = result["trd"]
    return (trd["status"], trd["confirmed"], trd["possible"])


@PROPERTY_SETTINGS
@given(data=answer_dicts(), responded=trials(improvements=RESPONDED), where=st.data())
def test_adding_a_responded_trial_changes_no_count(data, responded, where):
    before = run(data)
    position = where.draw(st.integers(0, len(data["medication_trials"])))
    data["medication_trials"].insert(position, responded)
    assert _counts(run(data)) == _counts(before)


@PROPERTY_SETTINGS
@given(data=answer_dicts(min_trials=1), where=st.data())
def test_appending_an_exact_duplicate_changes_no_count(data, where):
    # Not for `unknown` medications: each of those counts as a different one.
    named = [t for t in data["medication_trials"] if t["medication"] != "unknown"]
    assume(named)
    before = run(data)
    data["medication_trials"].append(copy.deepcopy(where.draw(st.sampled_from(named))))
    after = run(data)
    assert _counts(after) == _counts(before)
    assert after["trd"]["strict_confirmed"] == before["trd"]["strict_confirmed"]
    assert after["trd"]["classes_confirmed"] == before["trd"]["classes_confirmed"]


@PROPERTY_SETTINGS
@given(data=answer_dicts(min_trials=2), where=st.data())
def test_reordering_trials_changes_nothing_but_the_order(data, where):
    before = run(data)
    order = where.draw(st.permutations(range(len(data["medication_trials"]))))
    data["medication_trials"] = [data["medication_trials"][i] for i in order]
    after = run(data)
    summary = ("status", "confirmed", "possible", "strict_confirmed", "classes_confirmed")
    assert [after["trd"][key] for key in summary] == [before["trd"][key] for key in summary]
    assert after["trd"]["trials"] == [before["trd"]["trials"][i] for i in order]
    for key in ("msm", "options", "considerations", "phq9", "safety"):
        assert after[key] == before[key]


@PROPERTY_SETTINGS
@given(data=answer_dicts(min_trials=1), where=st.data())
def test_lowering_a_failed_trials_dose_never_raises_the_counts(data, where):
    before = run(data)
    failed = [
        index
        for index, out in enumerate(before["trd"]["trials"])
        if out["verdict"] == "failed_adequate"
    ]
    assume(failed)
    index = where.draw(st.sampled_from(failed))
    trial = data["medication_trials"][index]
    trial["dose_mg_per_day"] = CATALOG[trial["medication"]].min_adequate_mg_per_day / 2
    after = run(data)
    assert after["trd"]["trials"][index]["verdict"] == "inadequate"
    assert after["trd"]["confirmed"] <= before["trd"]["confirmed"]
    total = after["trd"]["confirmed"] + after["trd"]["possible"]
    assert total <= before["trd"]["confirmed"] + before["trd"]["possible"]


@PROPERTY_SETTINGS
@given(data=answer_dicts(min_trials=1), where=st.data())
def test_episode_answer_of_a_medicine_still_taken_changes_nothing(data, where):
    before = run(data)
    still = [i for i, t in enumerate(data["medication_trials"])
             if t["stopped_because"] == "still_taking"]
    assume(still)
    index = where.draw(st.sampled_from(still))
    data["medication_trials"][index]["current_episode"] = where.draw(
        st.sampled_from(CURRENT_EPISODE))
    assert run(data) == before


@PROPERTY_SETTINGS
@given(data=answer_dicts(min_trials=1), where=st.data())
def test_psychosis_unknown_raises_what_past_raises_and_what_never_does_not(data, where):
    data["psychotic_symptoms"] = "unknown"
    unknown = run(data)
    data["psychotic_symptoms"] = "past"
    past = run(data)
    assert unknown == past  # "unknown" is treated like "ever" but not "current"


# --- options that name what the patient tried ------------------------------------------------


def _parts(name: str) -> set[str]:
    return set(name.casefold().replace("-", " ").split())


@PROPERTY_SETTINGS
@given(data=answer_dicts())
def test_examples_never_name_a_medicine_already_tried(data):
    answers = parse_answers(copy.deepcopy(data), CATALOG)
    tried = tried_summary(answers, CATALOG)
    taken = set()
    for trial in data["medication_trials"]:
        if trial["medication"] in CATALOG:
            taken |= _parts(CATALOG[trial["medication"]].generic_name)
        elif trial["medication"] == "other":
            taken |= _parts(trial["other_name"])
    if data["health"]["seizures"]:
        taken.add("bupropion")
    for slug in (*tried.switch_examples, *tried.augmentation_examples):
        assert not _parts(CATALOG[slug].generic_name) & taken, slug
    for slug in tried.switch_examples:
        assert CATALOG[slug].role == "antidepressant"
    for slug in tried.augmentation_examples:
        assert CATALOG[slug].role == "augmentation"
    addons = [t["medication"] for t in data["medication_trials"]
              if t["medication"] in CATALOG and CATALOG[t["medication"]].role == "augmentation"]
    assert tried.addons_tried == tuple(dict.fromkeys(addons))
    assert not set(tried.families_tried) & set(tried.usual_families_not_tried)
    antidepressants = {t["medication"] for t in data["medication_trials"]
                       if t["medication"] in CATALOG
                       and CATALOG[t["medication"]].role == "antidepressant"}
    assert set(tried.antidepressants_tried) == antidepressants
    assert bool(tried.families_tried) == bool(antidepressants)
