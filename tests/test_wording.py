"""The wording layer is complete: every code the engine can produce has patient and staff words,
and the code lists of the engine, the models' choices and the texts agree."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation
from hypothesis import given, settings

from intake import audit, screening, wording
from intake.models import (
    Alert,
    Medication,
    MedicationTrial,
    SafetyLevel,
    Submission,
    TherapyTried,
    TrdStatus,
    YesNoUnknown,
)
from intake.patient.medicine_choices import group_of
from intake.patient.medicine_form import MAX_DOSE
from intake.screening import model
from intake.screening.tried import family_of
from intake.staff import deletion, roles
from intake.staff.catalog import CATALOG_AUDITED_FIELDS
from intake.staff.common import BADGE_CSS
from intake.wording import (
    HEALTH_CHOICES,
    MEDICINE_GROUPS,
    OTHER_TREATMENT_CHOICES,
    PATIENT,
    STAFF,
    THERAPY_CHOICES,
)
from tests.screening_helpers import answers, catalog, failed, run
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


def test_every_choice_of_every_model_field_has_words():
    """The choices of every model field are a choice set of the wording layer, and each of
    their codes has words there."""
    worded = [*wording.CHOICES.values(), *wording.ANSWERS.values(), wording.UNIT_WORDS]
    for model_class in apps.get_app_config("intake").get_models():
        for field in model_class._meta.get_fields():
            codes = {code for code, _label in getattr(field, "choices", None) or ()}
            if codes:
                assert any(codes <= set(table) for table in worded), (model_class, field.name)
    for kind, table in wording.CHOICES.items():
        for code in table:
            _words(wording.choice(kind, code))
    assert wording.choice("review_status", "") == str(wording.MISSING[STAFF])
    assert "retired" in wording.choice("review_status", "retired")


def test_every_audit_action_has_words():
    actions = {value for name, value in vars(audit).items()
               if name.isupper() and isinstance(value, str)}
    assert actions == set(wording.ACTION_LABELS)
    for code in actions:
        assert _words(wording.action(code)) != code
    assert wording.action("retired_action") == "retired_action"


def test_every_alert_kind_badge_unit_field_and_kept_reason_has_words():
    assert set(wording.ALERT_SUBJECTS) == set(Alert.Kind.values)
    for kind in Alert.Kind.values:
        _words(wording.alert_subject(kind))
    flagged = set(SafetyLevel.values) - {SafetyLevel.NONE}
    assert set(wording.SAFETY_BADGES) == set(BADGE_CSS) == flagged
    units = {code for code, _label in MedicationTrial._meta.get_field("dose_unit").choices}
    assert units == {code for code, _label in wording.UNITS} == set(MAX_DOSE)
    for code in units:
        _words(wording.unit(code))
    assert set(CATALOG_AUDITED_FIELDS) <= set(wording.FIELD_WORDS)
    assert set(wording.FLAGGED_NEXT_STEPS) == flagged
    assert set(wording.NOT_IN_THE_LIST) == set(MedicationTrial.Kind.values) - {"catalog"}
    assert {code for code, _label in wording.YES_NO} == {"yes", "no"}
    assert set(wording.ROLE_WORDS) == {roles.SUPERUSER, roles.MANAGERS, roles.REVIEWERS, ""}
    assert set(wording.MSM_PARTS) == set(run(answers())["msm"]["parts"])
    assert {deletion.SUBMITTED, deletion.FLAGGED, deletion.ALERT} == set(wording.KEPT_WORDS)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_phq9_answers_in_words(audience):
    assert wording.phq9_answer(2, audience) == "More than half the days"
    assert wording.phq9_answer(None, audience) == str(wording.MISSING[audience])


def test_the_medicine_menu_groups_antidepressants_by_their_screening_family():
    """One rule for drug families: the menu's groups are the screening core's families (those
    without a group of their own among the other antidepressants), add-ons apart."""
    groups = {}
    for entry in catalog().values():
        group = group_of(Medication(drug_class=entry.drug_class, role=entry.role))
        groups[entry.slug] = group
        if entry.role == "augmentation":
            assert group == "addon"
        else:
            family = family_of(entry.drug_class)
            assert group == (family if family in MEDICINE_GROUPS else "other"), entry.slug
    assert set(MEDICINE_GROUPS) - {"addon"} <= set(wording.FAMILIES)
    assert groups["sertraline"] == "ssri" and groups["venlafaxine"] == "snri"
    assert groups["bupropion"] == groups["mirtazapine"] == groups["vortioxetine"] == "other"
    assert groups["moclobemide"] == "maoi" and groups["lithium"] == "addon"


def test_what_was_tried_is_worded_from_what_the_caller_passes_in():
    """`tried_for` reads no database (this test has no database access): the catalog is passed
    in."""
    data = answers(medication_trials=[failed("sertraline"), failed("venlafaxine")])
    tried, names = wording.tried_for(data, catalog())
    assert tried.families_tried == ("ssri", "snri")
    assert names["sertraline"] == "sertraline"
    sentences = wording.tried_sentences("switch_or_combine", tried, names, PATIENT)
    assert sentences[0] == "You have tried: SSRIs and SNRIs."
    assert wording.tried_for({"medication_trials": "not a list"}, catalog())[0] is None
