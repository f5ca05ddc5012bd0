"""The wording layer is complete: every code the engine can produce has patient and staff words,
and the code lists of the engine, the models' choices and the texts agree."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given, settings

from intake import screening, wording
from intake.models import (
    Medication,
    MedicationTrial,
    SafetyLevel,
    Submission,
    TherapyTried,
    TrdStatus,
    YesNoUnknown,
)
from intake.patient_text import HEALTH_CHOICES, OTHER_TREATMENT_CHOICES, THERAPY_CHOICES
from intake.screening import model
from intake.wording import PATIENT, STAFF
from tests.screening_helpers import run
from tests.test_screening_properties import answer_dicts

AUDIENCES = (PATIENT, STAFF)


def _words(text) -> str:
    text = str(text)
    assert text.strip(), "empty text"
    assert "Unrecognised" not in text and "cannot show" not in text, text
    return text


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_option_has_a_title_and_words_for_each_reason(audience):
    for code in screening.OPTION_CODES:
        _words(wording.option_title(code, audience))
        for reason in screening.OPTION_REASONS[code]:
            _words(wording.option_reason(reason, audience))
    assert set(screening.OPTION_REASONS) == set(screening.OPTION_CODES)
    assert set(wording.OPTIONS[STAFF]) == set(screening.OPTION_CODES)
    assert set(wording.OPTIONS[PATIENT]) == set(screening.OPTION_CODES)
    assert set(wording.OPTION_REASONS[audience]) == set(screening.OPTION_REASON_CODES)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_consideration_verdict_reason_status_and_band_has_words(audience):
    assert set(wording.CONSIDERATIONS[audience]) == set(screening.CONSIDERATION_CODES)
    for code in screening.CONSIDERATION_CODES:
        _words(wording.consideration(code, audience))
    assert set(wording.VERDICTS[audience]) == set(screening.VERDICTS)
    for code in screening.VERDICTS:
        _words(wording.verdict(code, audience))
    worded = set(wording.REASONS[audience]) | set(wording.NUMBERED_REASONS)
    assert worded == set(screening.TRIAL_REASON_CODES)
    assert set(wording.TRD_STATUS[audience]) == set(screening.TRD_STATUSES)
    for code in screening.TRD_STATUSES:
        _words(wording.trd_status(code, audience))
    bands = {name for _top, name in screening.PHQ9_BANDS}
    assert set(wording.PHQ9_BAND_WORDS[audience]) == bands


def test_staff_only_codes_have_staff_words():
    assert set(wording.MSM_BANDS) == set(screening.MSM_BANDS)
    assert set(wording.SAFETY_LEVELS) == set(screening.SAFETY_LEVELS)
    for code in screening.MSM_BANDS:
        _words(wording.msm_band(code))


def test_engine_codes_models_choices_and_texts_agree():
    def codes(choices):
        return tuple(value for value, _label in choices)

    assert codes(Submission.Psychosis.choices) == model.PSYCHOTIC_SYMPTOMS
    assert codes(MedicationTrial.Adherence.choices) == model.ADHERENCE
    assert codes(MedicationTrial.Improvement.choices) == model.IMPROVEMENT
    assert codes(YesNoUnknown.choices) == model.CURRENT_EPISODE
    assert codes(MedicationTrial.StoppedBecause.choices) == model.STOPPED_BECAUSE
    assert codes(Medication.Role.choices) == model.ROLES
    assert set(codes(TrdStatus.choices)) == set(screening.TRD_STATUSES)
    assert set(codes(SafetyLevel.choices)) == set(screening.SAFETY_LEVELS)
    assert codes(THERAPY_CHOICES) == model.PSYCHOTHERAPY_TYPES
    assert tuple(wording.THERAPY_NAMES) == model.PSYCHOTHERAPY_TYPES
    assert codes(OTHER_TREATMENT_CHOICES) == model.OTHER_TREATMENTS
    assert codes(HEALTH_CHOICES) == model.HEALTH_ITEMS
    assert codes(TherapyTried.Helped.choices) == ("yes", "partly", "no", "unknown")


@pytest.mark.parametrize("kind", sorted(wording.ANSWERS))
@pytest.mark.parametrize("audience", AUDIENCES)
def test_every_answer_kind_has_words_missing_and_unknown_codes(kind, audience):
    for code in wording.ANSWERS[kind]:
        _words(wording.answer(kind, code, audience))
    # empty is "not provided/answered", an unknown code is said to be unrecognised: both differ
    missing = wording.answer(kind, "", audience)
    strange = wording.answer(kind, "no-such-code", audience)
    assert missing == str(wording.MISSING[audience])
    assert strange != missing and "Not" not in strange


@pytest.mark.parametrize(
    ("value", "text"),
    [(150, "150"), (150.0, "150"), (37.5, "37.5"), (17.333, "17.3"), (None, "")],
)
def test_one_number_format(value, text):
    from decimal import Decimal

    assert wording.number(value) == text
    if value is not None:
        assert wording.number(Decimal(str(value))) == text


def test_unknown_codes_never_crash():
    option = {"code": "retired_option", "reasons": ["old_reason"], "considerations": ["x:y"]}
    for audience in AUDIENCES:
        words = wording.option_words(option, audience)
        assert "retired_option" in words["title"] or audience == PATIENT
        assert words["why"] and words["considerations"]
    assert "old" in wording.reason({"code": "old"}, STAFF)


@settings(max_examples=100, deadline=None)
@given(data=answer_dicts())
def test_every_result_the_engine_produces_has_words(data):
    result = run(data)
    with translation.override("en"):
        for audience in AUDIENCES:
            for option in result["options"]:
                words = wording.option_words(option, audience)
                _words(words["title"])
                for text in (*words["why"], *words["considerations"]):
                    _words(text)
            for trial in result["trd"]["trials"]:
                _words(wording.verdict(trial["verdict"], audience))
                for reason in trial["reasons"]:
                    _words(wording.reason(reason, audience))
            for code in result["considerations"]:
                _words(wording.consideration(code, audience))
            _words(wording.phq9_band(result["phq9"]["band"], audience))
        _words(wording.trd_explanation(result, [t["medication"] for t in data[
            "medication_trials"]]))


def test_unclear_because_of_a_medicine_not_in_the_catalog_does_not_say_not_known():
    data = {"code": "no_minimum_dose"}
    result = {"trd": {"status": "unclear", "trials": [
        {"verdict": "failed_adequate", "reasons": []},
        {"verdict": "possibly_failed_adequate", "reasons": [data]}]}}
    text = wording.trd_explanation(result, ["Sertraline", "Zuranolone"])
    assert "not known" not in text
    assert "Zuranolone" in text and "clinic will check" in text
    assert "not known" not in wording.reason(data, PATIENT)
