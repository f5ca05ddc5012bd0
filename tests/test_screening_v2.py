"""What rules version 2 changed (docs/screening-rules.md, "Changes in version 2"), at the
boundaries: still taking, psychosis "I don't know", `antidepressant_start`, the seizure
consideration under `switch_or_combine`, and options that name what was tried."""

from __future__ import annotations

import copy

import pytest

from intake.screening import parse_answers, tried_summary
from tests.screening_helpers import (
    answers,
    catalog,
    failed,
    option,
    option_codes,
    other_trial,
    run,
    trial,
    unknown_trial,
    verdicts,
)


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
