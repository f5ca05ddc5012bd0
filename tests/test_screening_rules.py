"""Boundary and rule tests for the screening engine, rules version 2 (docs/screening-rules.md),
and what version 2 changed ("Changes in version 2"): still taking, psychosis "I don't know",
`antidepressant_start`, the seizure consideration under `switch_or_combine`, and options that
name what was tried.

Each test builds a small history with the factories in `screening_helpers` and reads the
JSON-ready result of parse + assess + assessment_to_dict.
"""

from __future__ import annotations

import copy
import csv
import math

import pytest

from intake.screening import RULES_VERSION, AnswersError, Thresholds, parse_answers, tried_summary
from tests.screening_helpers import (
    CATALOG_PATH,
    OPTION_ORDER,
    all_considerations,
    answers,
    catalog,
    changed,
    failed,
    failed_history,
    option,
    option_codes,
    other_trial,
    phq9_items,
    possibly_failed,
    reason,
    reason_codes,
    run,
    trial,
    unknown_trial,
    verdicts,
)


def trial_result(*trials: dict, thresholds: Thresholds | None = None, index: int = 0) -> dict:
    """The output for one trial of a history made of `trials`."""
    return run(answers(medication_trials=list(trials)), thresholds)["trd"]["trials"][index]


def trd(*trials: dict, thresholds: Thresholds | None = None, **overrides) -> dict:
    return run(answers(medication_trials=list(trials), **overrides), thresholds)["trd"]


def shown(**overrides) -> list[str]:
    return option_codes(run(answers(**overrides)))


# --- catalog ---------------------------------------------------------------------------------


def test_catalog_loads_every_row_of_the_project_csv():
    with CATALOG_PATH.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    loaded = catalog()
    assert set(loaded) == {row["slug"] for row in rows}
    for row in rows:
        entry = loaded[row["slug"]]
        assert entry.slug == row["slug"]
        assert entry.drug_class == row["drug_class"]
        assert entry.role == row["role"]
        minimum = row["min_adequate_mg_per_day"]
        assert entry.min_adequate_mg_per_day == (float(minimum) if minimum else None)


def test_rules_version_and_default_thresholds_are_recorded():
    result = run(answers(medication_trials=[failed("sertraline"), failed("venlafaxine")]))
    assert RULES_VERSION == "2"
    assert result["rules_version"] == "2"
    assert result["thresholds"] == {
        "min_trial_weeks": 6.0,
        "intolerance_weeks": 4.0,
        "min_doses": {"sertraline": 50.0, "venlafaxine": 150.0},
    }


# --- section 2: verdict for one trial --------------------------------------------------------


def test_dose_exactly_at_minimum_is_adequate():
    result = trial_result(trial(medication="sertraline", dose_mg_per_day=50))
    assert result["verdict"] == "failed_adequate"
    assert (result["dose"], result["duration"], result["adherence"]) == ("yes", "yes", "yes")
    assert reason_codes(result) == {"adequate_trial_without_response"}


def test_dose_just_below_minimum_is_inadequate():
    result = trial_result(trial(medication="sertraline", dose_mg_per_day=49.9))
    assert result["verdict"] == "inadequate"
    assert result["dose"] == "no"
    below = reason(result, "dose_below_minimum")
    assert below["dose_mg_per_day"] == 49.9
    assert below["minimum_mg_per_day"] == 50


def test_weeks_exactly_at_min_trial_weeks_is_adequate():
    result = trial_result(trial(weeks=6))
    assert result["verdict"] == "failed_adequate"
    assert result["duration"] == "yes"


def test_weeks_just_below_min_trial_weeks_is_inadequate():
    result = trial_result(trial(weeks=5.9))
    assert result["verdict"] == "inadequate"
    assert result["duration"] == "no"
    short = reason(result, "duration_below_minimum")
    assert short["weeks"] == 5.9
    assert short["minimum_weeks"] == 6


def test_one_reason_per_failing_adequacy_part():
    result = trial_result(trial(dose_mg_per_day=25, weeks=2, adherence="often_missed"))
    assert result["verdict"] == "inadequate"
    assert reason_codes(result) == {
        "dose_below_minimum",
        "duration_below_minimum",
        "not_taken_as_prescribed",
    }


def test_stopped_for_side_effects_before_intolerance_weeks_is_intolerance():
    result = trial_result(trial(weeks=3.9, stopped_because="side_effects"))
    assert result["verdict"] == "intolerance"
    stopped = reason(result, "stopped_for_side_effects")
    assert stopped["weeks"] == 3.9
    assert stopped["intolerance_weeks"] == 4
    assert (result["dose"], result["duration"], result["adherence"]) == (None, None, None)


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [(4, "inadequate"), (None, "possibly_failed_adequate")],
    ids=["at-intolerance-weeks", "weeks-unknown"],
)
def test_side_effects_without_known_short_weeks_is_not_intolerance(weeks, expected):
    result = trial_result(trial(weeks=weeks, stopped_because="side_effects"))
    assert result["verdict"] == expected


def test_custom_thresholds_are_applied_and_recorded():
    thresholds = Thresholds(min_trial_weeks=8, intolerance_weeks=2)
    result = run(
        answers(medication_trials=[trial(weeks=6), trial(weeks=3, stopped_because="side_effects")]),
        thresholds,
    )
    six_weeks, three_weeks = result["trd"]["trials"]
    assert six_weeks["verdict"] == "inadequate"
    assert reason(six_weeks, "duration_below_minimum")["minimum_weeks"] == 8
    assert three_weeks["verdict"] == "inadequate"  # 3 weeks is no longer < 2
    assert result["thresholds"]["min_trial_weeks"] == 8
    assert result["thresholds"]["intolerance_weeks"] == 2


@pytest.mark.parametrize(
    ("overrides", "code", "part"),
    [
        ({"dose_mg_per_day": None}, "dose_unknown", ("dose", "unknown")),
        ({"weeks": None}, "duration_unknown", ("duration", "unknown")),
        ({"adherence": "unknown"}, "adherence_unknown", ("adherence", "unknown")),
        ({"improvement": "unknown"}, "improvement_unknown", ("dose", "yes")),
        ({"current_episode": "unknown"}, "episode_unknown", ("dose", "yes")),
        (
            {"medication": "other", "other_name": "Zuranolone"},
            "no_minimum_dose",
            ("dose", "unknown"),
        ),
        ({"medication": "unknown"}, "no_minimum_dose", ("dose", "unknown")),
        ({"medication": "gepirone", "dose_mg_per_day": 40}, "no_minimum_dose", ("dose", "unknown")),
    ],
    ids=["dose", "weeks", "adherence", "improvement", "episode", "other", "unknown", "no-minimum"],
)
def test_unknown_part_makes_possibly_failed_adequate(overrides, code, part):
    result = trial_result(trial(**overrides))
    assert result["verdict"] == "possibly_failed_adequate"
    assert code in reason_codes(result)
    assert result[part[0]] == part[1]


def test_often_missed_is_inadequate_even_when_dose_unknown():
    result = trial_result(trial(dose_mg_per_day=None, adherence="often_missed"))
    assert result["verdict"] == "inadequate"
    assert result["adherence"] == "no"
    assert "not_taken_as_prescribed" in reason_codes(result)


@pytest.mark.parametrize(
    ("overrides", "verdict", "code"),
    [
        (
            {"medication": "quetiapine", "dose_mg_per_day": 300, "current_episode": "no"},
            "augmentation",
            "augmentation_role",
        ),
        ({"current_episode": "no", "improvement": "gte75"}, "other_episode", "other_episode"),
        (
            {"improvement": "50to74", "weeks": 2, "stopped_because": "side_effects"},
            "responded",
            "improvement_50_or_more",
        ),
        ({"improvement": "gte75"}, "responded", "improvement_50_or_more"),
        (
            {"dose_mg_per_day": 10, "weeks": 2, "stopped_because": "side_effects"},
            "intolerance",
            "stopped_for_side_effects",
        ),
    ],
    ids=[
        "augmentation-beats-other-episode",
        "other-episode-beats-responded",
        "responded-beats-intolerance",
        "responded-gte75",
        "intolerance-beats-inadequate",
    ],
)
def test_verdict_order(overrides, verdict, code):
    result = trial_result(trial(**overrides))
    assert result["verdict"] == verdict
    assert code in reason_codes(result)
    assert (result["dose"], result["duration"], result["adherence"]) == (None, None, None)


def test_trials_keep_input_order_and_names():
    history = [other_trial("Zuranolone"), unknown_trial(), failed("bupropion")]
    trials = trd(*history)["trials"]
    assert [(t["medication"], t["other_name"]) for t in trials] == [
        ("other", "Zuranolone"),
        ("unknown", None),
        ("bupropion", None),
    ]


# --- section 3: result for the whole history -------------------------------------------------


@pytest.mark.parametrize(
    ("history", "confirmed", "possible"),
    [
        ([failed("sertraline"), trial(medication="sertraline", dose_mg_per_day=200)], 1, 0),
        ([possibly_failed("sertraline"), possibly_failed("sertraline", weeks=None)], 0, 1),
        ([failed("sertraline"), possibly_failed("sertraline")], 1, 0),
        ([other_trial("Zuranolone"), other_trial(" zuranolone "), other_trial("ZURANOLONE")], 0, 1),
        ([other_trial("Zuranolone"), other_trial("Esmethadone")], 0, 2),
        ([unknown_trial(), unknown_trial()], 0, 2),
        ([failed("sertraline"), failed("escitalopram"), possibly_failed("escitalopram")], 2, 0),
    ],
    ids=[
        "same-slug-twice",
        "same-slug-twice-possible",
        "confirmed-not-also-possible",
        "other-case-and-spaces",
        "other-different-names",
        "unknown-twice",
        "possible-of-confirmed-med",
    ],
)
def test_distinct_medication_counting(history, confirmed, possible):
    result = trd(*history)
    assert (result["confirmed"], result["possible"]) == (confirmed, possible)


@pytest.mark.parametrize(
    "augmenter",
    [
        trial(medication="quetiapine", dose_mg_per_day=300),
        trial(medication="aripiprazole", dose_mg_per_day=10),
        trial(medication="lithium", dose_mg_per_day=None),
    ],
    ids=lambda t: t["medication"],
)
def test_augmentation_role_drug_never_counts(augmenter):
    result = trd(failed("sertraline"), augmenter)
    assert [t["verdict"] for t in result["trials"]] == ["failed_adequate", "augmentation"]
    assert (result["confirmed"], result["possible"], result["status"]) == (1, 0, "not_met")


@pytest.mark.parametrize(
    ("history", "status"),
    [
        ([], "not_met"),
        ([failed("sertraline")], "not_met"),
        ([possibly_failed("sertraline")], "not_met"),
        ([failed("sertraline"), possibly_failed("bupropion")], "unclear"),
        ([possibly_failed("sertraline"), unknown_trial()], "unclear"),
        ([failed("sertraline"), failed("bupropion")], "may_apply"),
        ([failed("sertraline"), failed("bupropion"), possibly_failed("mirtazapine")], "may_apply"),
        ([failed("sertraline"), trial(medication="bupropion", dose_mg_per_day=100)], "not_met"),
    ],
    ids=["none", "one", "one-possible", "1+1", "0+2", "2", "2+1", "1+inadequate"],
)
def test_trd_status(history, status):
    assert trd(*history)["status"] == status


@pytest.mark.parametrize(
    ("history", "strict", "classes"),
    [
        ([failed("sertraline"), failed("escitalopram")], 2, 1),
        ([failed("sertraline"), failed("venlafaxine", improvement="25to49")], 1, 2),
        (
            [failed("sertraline", improvement="25to49"), failed("bupropion", improvement="25to49")],
            0,
            2,
        ),
        ([failed("amitriptyline"), failed("imipramine"), failed("phenelzine")], 3, 2),
    ],
    ids=["two-ssris", "ssri-snri", "partial-only", "tcas-and-maoi"],
)
def test_strict_confirmed_and_classes(history, strict, classes):
    result = trd(*history)
    assert (result["strict_confirmed"], result["classes_confirmed"]) == (strict, classes)


def test_bipolar_history_adds_consideration_without_changing_counts():
    history = [failed("sertraline"), possibly_failed("bupropion")]
    without = run(answers(medication_trials=history))
    with_bipolar = run(answers(medication_trials=history, bipolar_history=True))
    assert with_bipolar["trd"] == without["trd"]
    assert "general:bipolar_history" in with_bipolar["considerations"]
    assert "general:bipolar_history" not in without["considerations"]


# --- section 4: PHQ-9 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "item9", "band"),
    [
        (0, 0, "minimal"),
        (4, 0, "minimal"),
        (5, 1, "mild"),
        (9, 0, "mild"),
        (10, 2, "moderate"),
        (14, 0, "moderate"),
        (15, 0, "moderately_severe"),
        (19, 3, "moderately_severe"),
        (20, 0, "severe"),
        (27, 3, "severe"),
    ],
)
def test_phq9_total_and_band(total, item9, band):
    result = run(answers(phq9=phq9_items(total, item9)))
    assert result["phq9"] == {"total": total, "band": band, "item9": item9}


# --- section 5: safety level -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("item9", "asq_answers", "level"),
    [
        (0, {}, "none"),
        (1, {}, "non_acute"),
        (0, {"wished_dead": True, "thoughts_now": False}, "non_acute"),
        (0, {"better_off_dead": True, "thoughts_now": False}, "non_acute"),
        (0, {"thoughts_past_week": True, "thoughts_now": False}, "non_acute"),
        (0, {"ever_attempted": True, "thoughts_now": False}, "non_acute"),
        (0, {"wished_dead": True, "thoughts_now": True}, "acute"),
        (3, {"ever_attempted": True, "thoughts_now": True}, "acute"),
    ],
    ids=[
        "all-no",
        "item9-only",
        "wished-dead",
        "better-off-dead",
        "thoughts-past-week",
        "ever-attempted",
        "thoughts-now",
        "thoughts-now-and-item9",
    ],
)
def test_safety_level(item9, asq_answers, level):
    result = run(answers(phq9=phq9_items(10, item9), asq=asq_answers))
    assert result["safety"] == {"level": level}


# --- section 6: approximate Maudsley staging -------------------------------------------------


def msm(**overrides) -> dict:
    return run(answers(**overrides))["msm"]


@pytest.mark.parametrize(
    ("months", "points"),
    [(0, 1), (12, 1), (13, 2), (24, 2), (25, 3), (1200, 3)],
)
def test_msm_duration(months, points):
    assert msm(current_episode_months=months)["parts"]["duration"] == points


def test_msm_total_is_null_when_episode_duration_unknown():
    result = msm(current_episode_months=None)
    assert (result["total"], result["band"], result["parts"]["duration"]) == (None, None, None)


@pytest.mark.parametrize(
    ("phq9_total", "psychotic", "points"),
    [
        (0, "never", 1),
        (4, "never", 1),
        (5, "never", 2),
        (9, "never", 2),
        (10, "never", 3),
        (19, "never", 3),
        (20, "never", 4),
        (27, "past", 4),
        (0, "current", 5),
        (4, "past", 1),
        (27, "unknown", 4),  # version 2: "I don't know" is not "current"
        (0, "unknown", 1),
    ],
)
def test_msm_severity(phq9_total, psychotic, points):
    result = msm(phq9=phq9_items(phq9_total, min(3, phq9_total)), psychotic_symptoms=psychotic)
    assert result["parts"]["severity"] == points


@pytest.mark.parametrize(
    ("failures", "points"),
    [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4), (10, 4), (11, 5)],
)
def test_msm_failed_antidepressants(failures, points):
    assert msm(medication_trials=failed_history(failures))["parts"]["failed"] == points


def test_msm_failed_antidepressants_counts_confirmed_and_possible():
    history = [failed("sertraline"), unknown_trial(), other_trial("Zuranolone")]
    assert msm(medication_trials=history)["parts"]["failed"] == 2  # 3 distinct -> 2 points


@pytest.mark.parametrize(
    ("current_episode", "points"),
    [("yes", 1), ("unknown", 1), ("no", 0)],
)
def test_msm_augmentation(current_episode, points):
    augmenter = trial(medication="quetiapine", dose_mg_per_day=300, current_episode=current_episode)
    result = run(answers(medication_trials=[augmenter]))
    assert verdicts(result) == ["augmentation"]
    assert result["msm"]["parts"]["augmentation"] == points


@pytest.mark.parametrize(
    ("other_treatments", "points"),
    [([], 0), (["tms", "esketamine"], 0), (["ect"], 1), (["tms", "ect", "vns"], 1)],
)
def test_msm_ect(other_treatments, points):
    assert msm(other_treatments=other_treatments)["parts"]["ect"] == points


def _augmentation_trial() -> dict:
    return trial(medication="quetiapine", dose_mg_per_day=300)


@pytest.mark.parametrize(
    ("months", "phq9_total", "failures", "augmented", "ect", "total", "band"),
    [
        (14, 10, 1, False, False, 6, "mild"),
        (25, 10, 1, False, False, 7, "moderate"),
        (25, 20, 1, True, True, 10, "moderate"),
        (25, 20, 3, True, True, 11, "severe"),
    ],
)
def test_msm_total_and_band(months, phq9_total, failures, augmented, ect, total, band):
    history = failed_history(failures) + ([_augmentation_trial()] if augmented else [])
    result = msm(
        current_episode_months=months,
        phq9=phq9_items(phq9_total),
        medication_trials=history,
        other_treatments=["ect"] if ect else [],
    )
    assert (result["total"], result["band"]) == (total, band)
    assert result["total"] == sum(result["parts"].values())


# --- docs/screening-rules.md section 7: when each option is shown --------------------------


@pytest.mark.parametrize(
    ("history", "expected"),
    [
        ([trial(dose_mg_per_day=25)], True),
        ([trial(weeks=3)], True),
        ([trial(adherence="often_missed")], False),
        ([trial(dose_mg_per_day=25, current_episode="unknown")], False),
        ([trial(dose_mg_per_day=25, current_episode="no")], False),
        ([trial(weeks=2, stopped_because="side_effects")], False),
        ([trial(weeks=3, stopped_because="still_taking")], True),
        ([trial(weeks=3, stopped_because="still_taking", improvement="gte75")], True),
        ([trial(weeks=3, stopped_because="still_taking", current_episode="unknown")], True),
        ([other_trial("Zuranolone", weeks=3, stopped_because="still_taking")], True),
        # version 2: still taking counts as this episode, whatever the episode answer
        ([trial(weeks=3, stopped_because="still_taking", current_episode="no")], True),
        ([trial(weeks=None, stopped_because="still_taking")], False),
        ([trial(weeks=6, stopped_because="still_taking")], False),
        (
            [
                trial(
                    medication="quetiapine",
                    dose_mg_per_day=50,
                    weeks=3,
                    stopped_because="still_taking",
                )
            ],
            False,
        ),
        ([failed("sertraline"), failed("bupropion")], False),
    ],
    ids=[
        "dose-too-low",
        "too-short",
        "adherence-only",
        "dose-too-low-episode-unknown",
        "dose-too-low-other-episode",
        "intolerance",
        "still-taking-3-weeks",
        "still-taking-responding",
        "still-taking-episode-unknown",
        "still-taking-other-medication",
        "still-taking-other-episode",
        "still-taking-weeks-unknown",
        "still-taking-6-weeks",
        "still-taking-augmentation-drug",
        "adequate-failures",
    ],
)
def test_medication_optimization(history, expected):
    assert ("medication_optimization" in shown(medication_trials=history)) is expected


def test_medication_optimization_uses_custom_min_trial_weeks():
    history = [trial(weeks=7, stopped_because="still_taking", improvement="gte75")]
    assert "medication_optimization" not in option_codes(run(answers(medication_trials=history)))
    custom = run(answers(medication_trials=history), Thresholds(min_trial_weeks=8))
    assert "medication_optimization" in option_codes(custom)


# Histories by TRD status / F (confirmed + possible), for the status-driven options.
NOT_MET_F0 = []
NOT_MET_F1 = [possibly_failed("sertraline")]
UNCLEAR = [failed("sertraline"), possibly_failed("bupropion")]
MAY_APPLY = [failed("sertraline"), failed("bupropion")]
F3 = [failed("sertraline"), failed("bupropion"), unknown_trial()]
F4 = [failed("sertraline"), failed("bupropion"), unknown_trial(), other_trial("Zuranolone")]

STATUS_HISTORIES = {
    "not_met-F0": NOT_MET_F0,
    "not_met-F1": NOT_MET_F1,
    "unclear": UNCLEAR,
    "may_apply": MAY_APPLY,
    "may_apply-F3": F3,
    "may_apply-F4": F4,
}
SHOWN_FOR = {
    "antidepressant_start": {"not_met-F0"},
    "switch_or_combine": {"not_met-F1", "unclear", "may_apply", "may_apply-F3", "may_apply-F4"},
    "augmentation": {"unclear", "may_apply", "may_apply-F3", "may_apply-F4"},
    "tms": {"unclear", "may_apply", "may_apply-F3", "may_apply-F4"},
    "esketamine": {"unclear", "may_apply", "may_apply-F3", "may_apply-F4"},
    "ketamine_infusion": {"unclear", "may_apply", "may_apply-F3", "may_apply-F4"},
    "ect": {"may_apply", "may_apply-F3", "may_apply-F4"},
    "vns": {"may_apply-F4"},
    "clinical_trials": {"may_apply", "may_apply-F3", "may_apply-F4"},
    "medication_optimization": set(),
    "medical_evaluation": set(),
    "psychotherapy": set(STATUS_HISTORIES),
    "lifestyle": set(STATUS_HISTORIES),
}


@pytest.mark.parametrize("history_name", STATUS_HISTORIES)
def test_options_driven_by_trd_status(history_name):
    """No safety flag, PHQ-9 8, no psychosis, nothing in health: only S and F matter."""
    codes = shown(medication_trials=STATUS_HISTORIES[history_name])
    expected = [code for code in OPTION_ORDER if history_name in SHOWN_FOR[code]]
    assert codes == expected


@pytest.mark.parametrize(
    ("overrides", "esketamine", "ect"),
    [
        ({"phq9": phq9_items(27, 3)}, True, True),
        ({"phq9": phq9_items(20, 1)}, True, True),
        ({"phq9": phq9_items(19, 1)}, True, False),
        ({"phq9": phq9_items(20), "asq": {"wished_dead": True, "thoughts_now": False}}, True, True),
        ({"phq9": phq9_items(20), "asq": {"wished_dead": True, "thoughts_now": True}}, True, True),
        ({"phq9": phq9_items(24, 0)}, False, False),
        ({"psychotic_symptoms": "current"}, False, True),
        ({"psychotic_symptoms": "past", "phq9": phq9_items(24, 0)}, False, False),
        ({"psychotic_symptoms": "unknown", "phq9": phq9_items(24, 0)}, False, False),
    ],
    ids=[
        "non-acute-phq27",
        "non-acute-phq20",
        "non-acute-phq19",
        "asq-yes-phq20",
        "acute-phq20",
        "no-safety-phq24",
        "psychosis-now",
        "psychosis-past",
        "psychosis-unknown",
    ],
)
def test_esketamine_and_ect_without_trd(overrides, esketamine, ect):
    codes = shown(**overrides)  # no trials: status not_met
    assert ("esketamine" in codes, "ect" in codes) == (esketamine, ect)


@pytest.mark.parametrize(
    ("health_answers", "expected"),
    [
        ({}, False),
        ({"thyroid_disease": True}, True),
        ({"chronic_illness": True}, True),
        ({"thyroid_disease": True, "chronic_illness": True}, True),
        ({"supplements": True, "heart_or_stroke": True}, False),
    ],
)
def test_medical_evaluation(health_answers, expected):
    assert ("medical_evaluation" in shown(health=health_answers)) is expected


@pytest.mark.parametrize(
    ("psychotherapy", "code"),
    [
        ([], "none_tried"),
        ([{"type": "cbt", "sessions": 12}], "tried_others_exist"),
        ([{"type": "other", "sessions": None}], "tried_others_exist"),
    ],
)
def test_psychotherapy_reason(psychotherapy, code):
    result = run(answers(psychotherapy=psychotherapy))
    assert code in option(result, "psychotherapy")["reasons"]


def test_all_options_appear_in_table_order():
    """Every option but `antidepressant_start`, which cannot be shown with a failed trial."""
    history = [*F4, trial(medication="escitalopram", weeks=3, stopped_because="still_taking")]
    codes = shown(medication_trials=history, health={"thyroid_disease": True})
    assert codes == [code for code in OPTION_ORDER if code != "antidepressant_start"]


def test_antidepressant_start_comes_first():
    codes = shown(health={"thyroid_disease": True}, psychotic_symptoms="current",
                  phq9=phq9_items(22, 2))
    assert codes[0] == "antidepressant_start"
    assert codes == [code for code in OPTION_ORDER if code in codes]
    assert {"ect", "esketamine", "medical_evaluation"} <= set(codes)


# --- docs/screening-rules.md section 7.2: considerations -------------------------------------

# (code, answers overrides raising it, option it sits under)
OPTION_CONSIDERATIONS = [
    ("switch_or_combine:seizures", {"health": {"seizures": True}}),
    ("tms:seizures", {"health": {"seizures": True}}),
    ("tms:metal_in_head", {"health": {"metal_in_head": True}}),
    ("tms:implanted_device", {"health": {"implanted_device": True}}),
    ("esketamine:vascular", {"health": {"vascular_brain": True}}),
    ("esketamine:blood_pressure", {"health": {"uncontrolled_blood_pressure": True}}),
    ("esketamine:pregnancy", {"health": {"pregnancy": True}}),
    ("esketamine:substance_use", {"health": {"substance_use": True}}),
    ("esketamine:psychosis", {"psychotic_symptoms": "past"}),
    ("esketamine:psychosis", {"psychotic_symptoms": "unknown"}),
    ("ketamine_infusion:psychosis", {"psychotic_symptoms": "past"}),
    ("ketamine_infusion:psychosis", {"psychotic_symptoms": "unknown"}),
    ("ketamine_infusion:blood_pressure", {"health": {"uncontrolled_blood_pressure": True}}),
    ("ketamine_infusion:substance_use", {"health": {"substance_use": True}}),
    ("ketamine_infusion:pregnancy", {"health": {"pregnancy": True}}),
    ("ect:heart_or_stroke", {"health": {"heart_or_stroke": True}}),
    ("clinical_trials:bipolar_or_psychosis", {"bipolar_history": True}),
    ("clinical_trials:bipolar_or_psychosis", {"psychotic_symptoms": "past"}),
    ("clinical_trials:bipolar_or_psychosis", {"psychotic_symptoms": "unknown"}),
]
GENERAL_CONSIDERATIONS = [
    ("general:bipolar_history", {"bipolar_history": True}),
    ("general:supplement_interaction", {"health": {"supplements": True}}),
]


def _ids(cases):
    return [f"{code}-{next(iter(overrides))}-{next(iter(overrides.values()))}"
            for code, overrides in cases]


@pytest.mark.parametrize(
    ("code", "overrides"), OPTION_CONSIDERATIONS, ids=_ids(OPTION_CONSIDERATIONS)
)
def test_option_consideration_shown_under_its_option(code, overrides):
    result = run(answers(medication_trials=MAY_APPLY, **overrides))
    option_code = code.split(":")[0]
    assert code in option(result, option_code)["considerations"]
    assert code not in result["considerations"]


@pytest.mark.parametrize(
    ("code", "overrides"), OPTION_CONSIDERATIONS, ids=_ids(OPTION_CONSIDERATIONS)
)
def test_option_consideration_absent_when_option_hidden(code, overrides):
    result = run(answers(medication_trials=NOT_MET_F0, **overrides))
    assert code.split(":")[0] not in option_codes(result)
    assert code not in all_considerations(result)


@pytest.mark.parametrize(
    ("code", "overrides"), GENERAL_CONSIDERATIONS, ids=_ids(GENERAL_CONSIDERATIONS)
)
@pytest.mark.parametrize("history", [NOT_MET_F0, MAY_APPLY], ids=["not_met", "may_apply"])
def test_general_consideration_always_listed(code, overrides, history):
    result = run(answers(medication_trials=history, **overrides))
    assert code in result["considerations"]
    for shown_option in result["options"]:
        assert code not in shown_option["considerations"]


def test_no_considerations_without_health_answers():
    result = run(answers(medication_trials=F4, psychotic_symptoms="never"))
    assert all_considerations(result) == set()


def test_general_considerations_are_sorted():
    result = run(answers(bipolar_history=True, health={"supplements": True}))
    assert result["considerations"] == ["general:bipolar_history", "general:supplement_interaction"]


# --- parse_answers: rejected input -----------------------------------------------------------

TWO_TRIALS = answers(medication_trials=[failed("sertraline"), failed("bupropion")])
SAFETY_ASKED = answers(asq={"wished_dead": True, "thoughts_now": False})
WITH_THERAPY = answers(psychotherapy=[{"type": "cbt", "sessions": 12}], other_treatments=["tms"])
DELETE = object()


def _top(key: str, value=DELETE) -> tuple:
    return TWO_TRIALS, (key,), value, key


def _second_trial(field: str, value=DELETE) -> tuple:
    return TWO_TRIALS, ("medication_trials", 1, field), value, f"medication_trials[1].{field}"


def _phq9_item(index: int, value) -> tuple:
    return TWO_TRIALS, ("phq9", index), value, ("phq9", f"phq9[{index}]")


def _asq(base: dict, key: str, value=DELETE) -> tuple:
    return base, ("asq", key), value, f"asq.{key}"


def _health(key: str, value=DELETE, *, exact: bool = False) -> tuple:
    accepted = f"health.{key}" if exact else ("health", f"health.{key}")
    return TWO_TRIALS, ("health", key), value, accepted


def _therapy(path: tuple, value, *also_accepted: str) -> tuple:
    """psychotherapy / other_treatments errors: the item's path, e.g. `psychotherapy[0].type`."""
    item_path = f"{path[0]}[{path[1]}]" + "".join(f".{key}" for key in path[2:])
    return WITH_THERAPY, path, value, (item_path, *also_accepted)


# id -> (valid base, path to change, new value or DELETE, accepted error path(s))
BAD_INPUTS = {
    "missing-phq9": _top("phq9"),
    "missing-months": _top("current_episode_months"),
    "missing-asq": _top("asq"),
    "missing-trials": _top("medication_trials"),
    "missing-trial-field": _second_trial("improvement"),
    "weeks-string": _second_trial("weeks", "8"),
    "weeks-bool": _second_trial("weeks", False),
    "weeks-negative": _second_trial("weeks", -0.5),
    "weeks-too-high": _second_trial("weeks", 3001),
    "weeks-nan": _second_trial("weeks", math.nan),
    "dose-bool": _second_trial("dose_mg_per_day", True),
    "dose-zero": _second_trial("dose_mg_per_day", 0),
    "dose-negative": _second_trial("dose_mg_per_day", -5),
    "dose-too-high": _second_trial("dose_mg_per_day", 3000.5),
    "dose-nan": _second_trial("dose_mg_per_day", math.nan),
    "dose-inf": _second_trial("dose_mg_per_day", math.inf),
    "adherence-enum": _second_trial("adherence", "always"),
    "improvement-enum": _second_trial("improvement", "100"),
    "episode-enum": _second_trial("current_episode", "maybe"),
    "episode-bool": _second_trial("current_episode", True),
    "stopped-enum": _second_trial("stopped_because", "bored"),
    "unknown-slug": _second_trial("medication", "prozac"),
    "slug-wrong-case": _second_trial("medication", "Sertraline"),
    "trial-not-dict": (TWO_TRIALS, ("medication_trials", 1), "sertraline", "medication_trials[1]"),
    "trials-not-list": _top("medication_trials", {"medication": "sertraline"}),
    "months-negative": _top("current_episode_months", -1),
    "months-too-high": _top("current_episode_months", 1201),
    "months-string": _top("current_episode_months", "14"),
    "months-bool": _top("current_episode_months", True),
    "months-inf": _top("current_episode_months", math.inf),
    "phq9-eight-items": _top("phq9", [1] * 8),
    "phq9-ten-items": _top("phq9", [1] * 10),
    "phq9-not-list": _top("phq9", "111111111"),
    "phq9-item-4": _phq9_item(8, 4),
    "phq9-item-negative": _phq9_item(0, -1),
    "phq9-item-bool": _phq9_item(2, True),
    "phq9-item-float": _phq9_item(2, 1.5),
    "psychotic-enum": _top("psychotic_symptoms", "sometimes"),
    "bipolar-string": _top("bipolar_history", "false"),
    "thoughts-now-null": _asq(SAFETY_ASKED, "thoughts_now", None),
    "thoughts-now-string": _asq(SAFETY_ASKED, "thoughts_now", "no"),
    "thoughts-now-missing": _asq(SAFETY_ASKED, "thoughts_now"),
    "asq-answer-null": _asq(TWO_TRIALS, "wished_dead", None),
    "asq-answer-missing": _asq(TWO_TRIALS, "ever_attempted"),
    "health-unknown-key": _health("diabetes", True),
    "health-missing-key": _health("seizures"),
    "health-string": _health("pregnancy", "no", exact=True),
    "therapy-type": _therapy(("psychotherapy", 0, "type"), "hypnosis"),
    "therapy-sessions-string": _therapy(("psychotherapy", 0, "sessions"), "12"),
    "other-treatment": _therapy(("other_treatments", 0), "reiki", "other_treatments"),
}


@pytest.mark.parametrize(
    ("base", "path", "value", "error_path"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys()
)
def test_parse_answers_rejects(base, path, value, error_path):
    bad = changed(base, path) if value is DELETE else changed(base, path, value)
    with pytest.raises(AnswersError) as raised:
        parse_answers(bad, catalog())
    accepted = (error_path,) if isinstance(error_path, str) else error_path
    assert raised.value.path in accepted
    assert raised.value.path in str(raised.value)
    assert raised.value.message in str(raised.value)


@pytest.mark.parametrize("name", [None, "", "   "], ids=["null", "empty", "blank"])
def test_parse_answers_rejects_other_without_name(name):
    data = answers(medication_trials=[trial(medication="other", other_name=name)])
    with pytest.raises(AnswersError) as raised:
        parse_answers(data, catalog())
    assert raised.value.path == "medication_trials[0].other_name"


# id -> (valid base, path to change, new value): edge values that must be accepted.
VALID_EDGES = {
    "dose-3000": _second_trial("dose_mg_per_day", 3000)[:3],
    "dose-0.5": _second_trial("dose_mg_per_day", 0.5)[:3],
    "dose-null": _second_trial("dose_mg_per_day", None)[:3],
    "weeks-0": _second_trial("weeks", 0)[:3],
    "weeks-3000": _second_trial("weeks", 3000)[:3],
    "weeks-float": _second_trial("weeks", 6.5)[:3],
    "weeks-null": _second_trial("weeks", None)[:3],
    "months-0": _top("current_episode_months", 0)[:3],
    "months-1200": _top("current_episode_months", 1200)[:3],
    "months-null": _top("current_episode_months", None)[:3],
    "phq9-all-0": _top("phq9", [0] * 9)[:3],
    "phq9-all-3": _top("phq9", [3] * 9)[:3],
    "thoughts-now-false": _asq(SAFETY_ASKED, "thoughts_now", False)[:3],
    "sessions-null": (WITH_THERAPY, ("psychotherapy", 0, "sessions"), None),
}


@pytest.mark.parametrize(("base", "path", "value"), VALID_EDGES.values(), ids=VALID_EDGES.keys())
def test_parse_answers_accepts_edges(base, path, value):
    run(changed(base, path, value))


# --- what rules version 2 changed, at the boundaries ---

@pytest.mark.parametrize("episode", ["yes", "no", "unknown"])
def test_still_taking_counts_as_this_episode_whatever_the_episode_answer(episode):
    still = failed("venlafaxine", current_episode=episode, stopped_because="still_taking")
    result = run(answers(medication_trials=[failed("sertraline"), still]))
    assert verdicts(result) == ["failed_adequate", "failed_adequate"]
    assert result["trd"]["status"] == "may_apply"


def test_stopped_medicine_from_another_episode_still_does_not_count():
    stopped = failed("venlafaxine", current_episode="no", stopped_because="not_helping")
    result = run(answers(medication_trials=[failed("sertraline"), stopped]))
    assert verdicts(result) == ["failed_adequate", "other_episode"]
    assert result["trd"]["status"] == "not_met"


@pytest.mark.parametrize(
    ("history", "shown"),
    [
        ([], True),
        ([failed("sertraline", current_episode="no", stopped_because="other")], True),
        ([trial(medication="quetiapine", dose_mg_per_day=300)], True),  # an add-on only
        ([failed("sertraline", current_episode="unknown")], False),
        ([failed("sertraline", current_episode="no", stopped_because="still_taking")], False),
        ([trial(improvement="gte75")], False),  # responded, but this episode
        ([unknown_trial()], False),
        ([other_trial("Zuranolone", current_episode="no")], True),
    ],
    ids=["none", "earlier-episode", "add-on-only", "episode-unknown", "still-taking",
         "responded-this-episode", "name-unknown", "other-earlier-episode"],
)
def test_antidepressant_start(history, shown):
    result = run(answers(medication_trials=history))
    assert ("antidepressant_start" in option_codes(result)) is shown
    if shown:
        assert option(result, "antidepressant_start")["reasons"] == [
            "no_antidepressant_this_episode"]


def test_switch_or_combine_seizure_consideration():
    result = run(answers(medication_trials=[failed("sertraline")], health={"seizures": True}))
    assert option(result, "switch_or_combine")["considerations"] == ["switch_or_combine:seizures"]


@pytest.mark.parametrize("psychotic", ["past", "unknown"])
def test_psychosis_unknown_raises_psychosis_considerations_but_is_not_current(psychotic):
    history = [failed("sertraline"), failed("venlafaxine")]
    result = run(answers(medication_trials=history, psychotic_symptoms=psychotic))
    assert "esketamine:psychosis" in option(result, "esketamine")["considerations"]
    assert "ketamine_infusion:psychosis" in option(result, "ketamine_infusion")["considerations"]
    assert "psychotic_symptoms_now" not in option(result, "ect")["reasons"]
    assert result["msm"]["parts"]["severity"] == 2  # PHQ-9 8, not the psychosis 5


def tried(data: dict):
    return tried_summary(parse_answers(copy.deepcopy(data), catalog()), catalog())


def test_still_on_bupropion_is_not_told_about_bupropion():
    still = trial(medication="bupropion", dose_mg_per_day=300, weeks=10,
                  stopped_because="still_taking")
    summary = tried(answers(medication_trials=[failed("sertraline"), still]))
    assert "bupropion" not in summary.switch_examples
    assert "dextromethorphan-bupropion" not in summary.switch_examples
    assert summary.switch_examples[0] == "mirtazapine"
    assert summary.families_tried == ("ssri", "ndri")
    assert summary.usual_families_not_tried == ("snri", "nassa", "tca", "maoi")


def test_seizures_keep_bupropion_out_of_the_examples():
    summary = tried(answers(medication_trials=[failed("sertraline")],
                            health={"seizures": True}))
    assert not {"bupropion", "dextromethorphan-bupropion"} & set(summary.switch_examples)
    assert summary.switch_examples


def test_mirtazapine_stopped_for_side_effects_is_not_an_example():
    stopped = trial(medication="mirtazapine", dose_mg_per_day=30, weeks=2,
                    stopped_because="side_effects")
    summary = tried(answers(medication_trials=[failed("sertraline"), stopped]))
    assert "mirtazapine" not in summary.switch_examples
    assert "nassa" in summary.families_tried


def test_aripiprazole_taken_is_named_and_not_suggested():
    addon = trial(medication="aripiprazole", dose_mg_per_day=5, stopped_because="still_taking")
    summary = tried(answers(medication_trials=[failed("sertraline"), addon]))
    assert summary.addons_tried == ("aripiprazole",)
    assert "aripiprazole" not in summary.augmentation_examples
    assert summary.augmentation_examples == ("brexpiprazole", "quetiapine", "cariprazine")


def test_a_typed_name_is_not_suggested_back():
    summary = tried(answers(medication_trials=[other_trial("Bupropion XL")]))
    assert "bupropion" not in summary.switch_examples
