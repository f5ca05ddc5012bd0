"""One wording layer: every code of the rules and every stored answer, in patient words and in
staff words.

The rules (`intake.screening`) speak in stable codes; this module is the only place where they
become words, for the results page, Check your answers, the staff summary, its print view and the
CSV export. Patient words: reading age about 12, "may" for every result, never reassurance.
Staff words: short and clinical. A code without words (an old stored result, a bad row) is shown
as "unrecognised" with the code, never a crash and never "not provided".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import screening
from .models import (
    MedicationTrial,
    SafetyLevel,
    Submission,
    TherapyTried,
    TrdStatus,
    YesNoUnknown,
)
from .patient_text import (
    HEALTH_CHOICES,
    OTHER_DIAGNOSIS_CHOICES,
    OTHER_TREATMENT_CHOICES,
    PHQ9_ANSWERS,
    PHQ9_BANDS,
    TREATMENT_HELPED_CHOICES,
)

PATIENT, STAFF = "patient", "staff"
AUDIENCES = (PATIENT, STAFF)

MISSING = {PATIENT: _("Not provided"), STAFF: _("Not answered")}


def unrecognised(code, audience: str = STAFF) -> str:
    if audience == PATIENT:
        return str(_("An answer we cannot show here (the clinic will check it)"))
    return str(_("Unrecognised code: %(code)s") % {"code": code})


def number(value) -> str:
    """Every number shown to people: 150 (not 150.0 or 150.00), 37.5, 17.3 (one decimal)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float):
        if 0 < abs(value) < 1:  # a dose in mg given in micrograms: 0.025, not 0
            return f"{value:.4f}".rstrip("0").rstrip(".")
        value = round(value, 1)
        return str(int(value)) if value == int(value) else f"{value:g}"
    return str(value)


def _lookup(table: Mapping, code, audience: str) -> str:
    if code in ("", None):
        return str(MISSING[audience])
    text = table.get(code)
    return unrecognised(code, audience) if text is None else str(text)


# --- answers (Check your answers, staff summary) ---------------------------------------------

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
    return _lookup(ANSWERS[kind], value, audience)


def answers(kind: str, values: Iterable, audience: str = PATIENT, empty=None) -> str:
    """Several codes (checkboxes) as a comma-separated list; none: "None" (or `empty`)."""
    words = [answer(kind, value, audience) for value in values]
    return ", ".join(words) or str(empty if empty is not None else _("None"))


def yes_no(value: bool | None, audience: str = PATIENT) -> str:
    if value is None:
        return str(MISSING[audience])
    return str(_("Yes") if value else _("No"))


NOT_SURE = {PATIENT: _("%(answer)s (not sure)"), STAFF: _("%(answer)s (not sure)")}


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


# --- results ---------------------------------------------------------------------------------

TRD_STATUS = {
    PATIENT: {
        "may_apply": (
            _("The common definition of treatment-resistant depression may apply to you"),
            _("From your answers, at least two different antidepressants, each taken at a usual "
              "dose for long enough during this episode, did not help enough. A clinician will "
              "confirm this with you."),
        ),
        "unclear": (
            _("We need more detail to know if treatment-resistant depression may apply"),
            _("A clinician will go through your medicines with you and confirm."),
        ),
        "not_met": (
            _("From your answers, the common definition of treatment-resistant depression does "
              "not appear to apply"),
            _("This is not a judgement of how hard things have been. A clinician will confirm, "
              "and there are still options to discuss."),
        ),
    },
    STAFF: dict(TrdStatus.choices),
}

VERDICTS = {
    PATIENT: {
        "failed_adequate": _("Counted: taken at a usual dose for long enough, and it did not "
                             "help enough"),
        "possibly_failed_adequate": _("May count: the clinic will check some details"),
        "inadequate": _("Not counted: the dose or length was below the usual minimum, or it was "
                        "not taken on most days"),
        "responded": _("Not counted: it helped by half or more"),
        "intolerance": _("Not counted as a failure: stopped early because of side effects"),
        "other_episode": _("Not counted: taken during an earlier episode"),
        "augmentation": _("Recorded as an add-on medicine: it does not count towards the two"),
    },
    STAFF: {
        "failed_adequate": _("Adequate trial, failed"),
        "possibly_failed_adequate": _("Possibly adequate, failed"),
        "inadequate": _("Inadequate trial"),
        "responded": _("Responded"),
        "intolerance": _("Intolerance"),
        "other_episode": _("Earlier episode"),
        "augmentation": _("Augmentation"),
    },
}

# Reasons whose words mean "the patient did not know"; the others are about the catalog.
NOT_KNOWN_REASONS = frozenset({"dose_unknown", "duration_unknown", "adherence_unknown",
                               "improvement_unknown", "episode_unknown"})

PATIENT_OPTIONS = {
    "antidepressant_start": {
        "title": _("Starting an antidepressant medicine"),
        "facts": [_("An antidepressant medicine is a usual first step."),
                  _("Tablets taken each day; most take several weeks to show their effect.")],
    },
    "medication_optimization": {
        "title": _("Checking the dose and length of your medicine"),
        "facts": [_("Some medicines need a higher dose or more weeks before they can work."),
                  _("Your provider can check if a change of dose or more time makes sense.")],
    },
    "switch_or_combine": {
        "title": _("Switching to another antidepressant, or combining two"),
        "facts": [_("A different medicine or type of medicine can work when one did not."),
                  _("Tablets taken each day; most take several weeks to show their effect.")],
    },
    "augmentation": {
        "title": _("Adding a medicine to boost an antidepressant"),
        "facts": [_("A second medicine that is not an antidepressant is added."),
                  _("Often used when an antidepressant helped a little.")],
    },
    "psychotherapy": {
        "title": _("Talk therapy"),
        "facts": [_("Types include CBT, IPT, DBT, MBCT, CBASP, behavioural activation, ISTDP, "
                    "MBT, couples or family therapy and group therapy."),
                  _("It works best together with medicine; in studies of hard-to-treat "
                    "depression, CBT's benefit lasted longest."),
                  _("Usually weekly sessions for some months.")],
    },
    "tms": {
        "title": _("TMS (transcranial magnetic stimulation)"),
        "facts": [_("Magnetic pulses to the front of the brain, through a coil on the head. You "
                    "are awake and go home after."),
                  _("About 20 to 40 minutes, usually 5 days a week for 4 to 6 weeks; faster "
                    "schedules can fit the course into days."),
                  _("FDA-cleared since 2008; side effects are usually mild, such as headache.")],
    },
    "esketamine": {
        "title": _("Esketamine nasal spray (Spravato)"),
        "facts": [_("A nasal spray given in a certified clinic, often with a daily "
                    "antidepressant."),
                  _("You stay about two hours to be watched, and cannot drive that day. At the "
                    "start it is usually given twice a week."),
                  _("FDA-approved in 2019 for treatment-resistant depression in adults, and for "
                    "depression with suicidal thoughts.")],
    },
    "ketamine_infusion": {
        "title": _("Ketamine infusion"),
        "facts": [_("Ketamine given slowly into a vein in a clinic. It is off-label: not "
                    "FDA-approved for depression."),
                  _("It can act within hours, but the effect may fade without repeat "
                    "treatments.")],
    },
    "ect": {
        "title": _("ECT (electroconvulsive therapy)"),
        "facts": [_("Under general anaesthesia (asleep), a brief controlled seizure is caused."),
                  _("Usually 2 to 3 times a week for 2 to 4 weeks."),
                  _("One of the most effective treatments for severe depression, especially with "
                    "suicidal thoughts or psychotic symptoms. Short-term memory problems can "
                    "happen.")],
    },
    "vns": {
        "title": _("VNS (vagus nerve stimulation)"),
        "facts": [_("A small device is placed under the skin of the chest and stimulates a nerve "
                    "in the neck."),
                  _("FDA-approved for long-lasting depression after at least four treatments did "
                    "not work; benefits build over months.")],
    },
    "clinical_trials": {
        "title": _("Research studies of new treatments"),
        "facts": [_("Studies test treatments that are not approved yet, such as psilocybin or "
                    "deep brain stimulation."),
                  _("Each study has its own rules about who can take part.")],
    },
    "medical_evaluation": {
        "title": _("Checking for medical conditions"),
        "facts": [_("Some conditions, such as thyroid problems, and some medicines can cause or "
                    "worsen depression."),
                  _("Your provider may suggest tests.")],
    },
    "lifestyle": {
        "title": _("Exercise, sleep, light and daily routine"),
        "facts": [_("Regular moderate exercise, steady sleep, light therapy in dark months and "
                    "cutting down alcohol can add to other treatment."),
                  _("These are extras, not instead of treatment.")],
    },
}


PATIENT_OPTION_REASONS = {
    "no_antidepressant_this_episode": _("You did not tell us about an antidepressant taken "
                                        "during this episode."),
    "current_trial_below_minimum": _("A medicine you took in this episode was below the usual "
                                     "dose or length."),
    "still_taking_under_minimum_weeks": _("You are still taking a medicine that may need more "
                                          "time to work."),
    "failed_antidepressants": _("At least one antidepressant did not help enough."),
    "trd_may_apply": _("Treatment-resistant depression may apply."),
    "trd_unclear": _("Treatment-resistant depression may apply; a clinician will check the "
                     "details."),
    "none_tried": _("You have not had talk therapy yet."),
    "tried_others_exist": _("Other kinds exist besides the ones you have tried."),
    "safety_concern": _("You told us about thoughts of death or suicide."),
    "safety_concern_severe_symptoms": _("You told us about thoughts of death or suicide, and "
                                        "your answers show severe symptoms."),
    "psychotic_symptoms_now": _("You have psychotic symptoms now."),
    "four_or_more_failed": _("Four or more antidepressants did not help enough."),
    "thyroid_disease": _("You have thyroid disease."),
    "chronic_illness": _("You have another long-term illness."),
    "always": _("These can help everyone, alongside other treatment."),
}


PATIENT_CONSIDERATIONS = {
    "switch_or_combine:seizures": _("your seizures or epilepsy: some antidepressants make "
                                    "seizures more likely"),
    "tms:seizures": _("your seizures or epilepsy"),
    "tms:metal_in_head": _("metal in your head or neck"),
    "tms:implanted_device": _("your implanted device"),
    "esketamine:vascular": _("the aneurysm, blood vessel problem or bleeding in the brain"),
    "esketamine:blood_pressure": _("your blood pressure"),
    "esketamine:pregnancy": _("pregnancy, breastfeeding or plans for pregnancy"),
    "esketamine:substance_use": _("alcohol or drug use"),
    "esketamine:psychosis": _("psychotic symptoms"),
    "ketamine_infusion:psychosis": _("psychotic symptoms"),
    "ketamine_infusion:blood_pressure": _("your blood pressure"),
    "ketamine_infusion:substance_use": _("alcohol or drug use"),
    "ketamine_infusion:pregnancy": _("pregnancy, breastfeeding or plans for pregnancy"),
    "ect:heart_or_stroke": _("your heart or a recent stroke (anaesthesia is needed)"),
    "clinical_trials:bipolar_or_psychosis": _("bipolar disorder or psychotic symptoms (many "
                                              "studies do not include them)"),
    "general:bipolar_history": _("mania, hypomania or bipolar disorder: it matters for every "
                                 "option"),
    "general:supplement_interaction": _("St John's wort, 5-HTP or SAM-e: they can interact "
                                        "with antidepressants"),
}


PATIENT_REASONS = {
    "not_taken_as_prescribed": _("Doses were often missed."),
    "augmentation_role": _("It is an add-on medicine."),
    "other_episode": _("It was taken during an earlier episode."),
    "improvement_50_or_more": _("It helped by half or more."),
    "adequate_trial_without_response": _("The dose and length were enough, and it did not help "
                                         "enough."),
    "dose_unknown": _("The dose is not known."),
    "no_minimum_dose": _("The clinic will check the usual dose of this medicine."),
    "duration_unknown": _("How long it was taken is not known."),
    "adherence_unknown": _("It is not known if it was taken on most days."),
    "improvement_unknown": _("It is not known how much it helped."),
    "episode_unknown": _("It is not known if it was taken during this episode."),
}


STAFF_REASONS = {
    "not_taken_as_prescribed": _("often missed doses"),
    "augmentation_role": _("augmentation agent (catalog role)"),
    "other_episode": _("earlier episode"),
    "improvement_50_or_more": _("improved 50% or more"),
    "adequate_trial_without_response": _("adequate dose and duration, under 50% improvement"),
    "dose_unknown": _("dose not known"),
    "no_minimum_dose": _("no catalog minimum dose (not in the catalog, or none set): check "
                         "the usual dose"),
    "duration_unknown": _("duration not known"),
    "adherence_unknown": _("adherence not known"),
    "improvement_unknown": _("improvement not known"),
    "episode_unknown": _("episode not known"),
}
# Reasons with numbers: (patient template, staff template).
NUMBERED_REASONS = {
    "dose_below_minimum": (
        _("The dose, %(dose)s mg a day, was below the usual minimum of %(min)s mg."),
        _("dose %(dose)s mg/day below the minimum %(min)s mg/day"),
    ),
    "duration_below_minimum": (
        _("It was taken for %(weeks)s weeks; the usual minimum is %(min)s weeks."),
        _("%(weeks)s weeks, under the minimum %(min)s weeks"),
    ),
    "stopped_for_side_effects": (
        _("It was stopped because of side effects after %(weeks)s weeks."),
        _("stopped for side effects after %(weeks)s weeks (under %(min)s)"),
    ),
}

STAFF_OPTIONS = {
    "antidepressant_start": _("Start an antidepressant"),
    "medication_optimization": _("Optimise dose or duration"),
    "switch_or_combine": _("Switch or combine antidepressants"),
    "augmentation": _("Augmentation"),
    "psychotherapy": _("Psychotherapy"),
    "tms": _("TMS"),
    "esketamine": _("Esketamine nasal spray"),
    "ketamine_infusion": _("IV ketamine (off-label)"),
    "ect": _("ECT"),
    "vns": _("VNS"),
    "clinical_trials": _("Clinical trials"),
    "medical_evaluation": _("Medical evaluation"),
    "lifestyle": _("Lifestyle measures"),
}
STAFF_OPTION_REASONS = {
    "no_antidepressant_this_episode": _("no antidepressant reported in this episode"),
    "current_trial_below_minimum": _("a current-episode trial below minimum dose or duration"),
    "still_taking_under_minimum_weeks": _("still taking an antidepressant, under the minimum "
                                          "weeks"),
    "failed_antidepressants": _("at least one failed antidepressant"),
    "trd_may_apply": _("TRD may apply"),
    "trd_unclear": _("TRD unclear"),
    "none_tried": _("no psychotherapy reported"),
    "tried_others_exist": _("psychotherapy tried; other kinds exist"),
    "safety_concern": _("safety answers"),
    "safety_concern_severe_symptoms": _("safety answers with PHQ-9 20 or more"),
    "psychotic_symptoms_now": _("psychotic symptoms in this episode"),
    "four_or_more_failed": _("four or more failed antidepressants"),
    "thyroid_disease": _("thyroid disease"),
    "chronic_illness": _("another chronic illness"),
    "always": _("shown to everyone"),
}
STAFF_CONSIDERATIONS = {
    "switch_or_combine:seizures": _("seizures: bupropion and some TCAs lower the seizure "
                                    "threshold"),
    "tms:seizures": _("seizures or epilepsy"),
    "tms:metal_in_head": _("metal in the head or neck"),
    "tms:implanted_device": _("implanted electronic device"),
    "esketamine:vascular": _("aneurysm, AVM or intracerebral bleeding"),
    "esketamine:blood_pressure": _("uncontrolled blood pressure"),
    "esketamine:pregnancy": _("pregnant, breastfeeding or planning"),
    "esketamine:substance_use": _("alcohol or drug problems in the past year"),
    "esketamine:psychosis": _("psychotic symptoms ever (or not known)"),
    "ketamine_infusion:psychosis": _("psychotic symptoms ever (or not known)"),
    "ketamine_infusion:blood_pressure": _("uncontrolled blood pressure"),
    "ketamine_infusion:substance_use": _("alcohol or drug problems in the past year"),
    "ketamine_infusion:pregnancy": _("pregnant, breastfeeding or planning"),
    "ect:heart_or_stroke": _("recent heart attack or stroke, or heart condition (anaesthesia)"),
    "clinical_trials:bipolar_or_psychosis": _("bipolar history or psychosis (most trials "
                                              "exclude)"),
    "general:bipolar_history": _("mania, hypomania or bipolar disorder ever"),
    "general:supplement_interaction": _("St John's wort, 5-HTP or SAM-e (serotonin syndrome "
                                        "risk)"),
}

PHQ9_BAND_WORDS = {PATIENT: PHQ9_BANDS, STAFF: PHQ9_BANDS}
MSM_BANDS = {"mild": _("mild"), "moderate": _("moderate"), "severe": _("severe")}
SAFETY_LEVELS = dict(SafetyLevel.choices)

OPTIONS = {PATIENT: PATIENT_OPTIONS, STAFF: STAFF_OPTIONS}
OPTION_REASONS = {PATIENT: PATIENT_OPTION_REASONS, STAFF: STAFF_OPTION_REASONS}
CONSIDERATIONS = {PATIENT: PATIENT_CONSIDERATIONS, STAFF: STAFF_CONSIDERATIONS}
REASONS = {PATIENT: PATIENT_REASONS, STAFF: STAFF_REASONS}


def trd_status(code: str, audience: str = STAFF) -> str:
    """The status in a few words (for patients: the heading)."""
    text = TRD_STATUS[audience].get(code)
    if text is None:
        return unrecognised(code, audience)
    return str(text[0] if audience == PATIENT else text)


# Reasons that only repeat their verdict in other words: the results page leaves them out, so
# "Counted: taken at a usual dose for long enough..." is not followed by "The dose and length
# were enough...".
REPEATS_VERDICT = {
    "failed_adequate": {"adequate_trial_without_response"},
    "responded": {"improvement_50_or_more"},
    "augmentation": {"augmentation_role"},
    "other_episode": {"other_episode"},
}


def patient_reasons(verdict_code: str, stored_reasons: Iterable[Mapping]) -> list[str]:
    """A trial's reasons for the patient, without those that repeat its verdict."""
    repeated = REPEATS_VERDICT.get(verdict_code, set())
    return [reason(r, PATIENT) for r in stored_reasons if r.get("code") not in repeated]


def verdict(code: str, audience: str = PATIENT) -> str:
    return _lookup(VERDICTS[audience], code, audience)


def reason(stored: Mapping, audience: str = PATIENT) -> str:
    """One stored trial reason (a dict with a code and its numbers) in words."""
    code = stored.get("code")
    if code in NUMBERED_REASONS:
        template = NUMBERED_REASONS[code][0 if audience == PATIENT else 1]
        values = {
            "dose": number(stored.get("dose_mg_per_day")),
            "min": number(stored.get("minimum_mg_per_day", stored.get("minimum_weeks",
                                                                     stored.get(
                                                                         "intolerance_weeks")))),
            "weeks": number(stored.get("weeks")),
        }
        return str(template % values)
    return _lookup(REASONS[audience], code, audience)


def option_title(code: str, audience: str = PATIENT) -> str:
    if audience == PATIENT:
        text = PATIENT_OPTIONS.get(code)
        return str(text["title"]) if text else unrecognised(code, audience)
    return _lookup(STAFF_OPTIONS, code, audience)


def option_reason(code: str, audience: str = PATIENT) -> str:
    return _lookup(OPTION_REASONS[audience], code, audience)


def consideration(code: str, audience: str = PATIENT) -> str:
    return _lookup(CONSIDERATIONS[audience], code, audience)


def phq9_band(code: str, audience: str = PATIENT) -> str:
    return _lookup(PHQ9_BAND_WORDS[audience], code, audience)


def msm_band(code: str | None) -> str:
    return "" if code is None else _lookup(MSM_BANDS, code, STAFF)


def safety_level(code: str) -> str:
    return _lookup(SAFETY_LEVELS, code, STAFF)


# --- what the patient tried, in words --------------------------------------------------------

FAMILIES = {
    "ssri": _("SSRIs"), "snri": _("SNRIs"), "ndri": _("bupropion-type (NDRI)"),
    "nassa": _("mirtazapine-type"), "tca": _("tricyclics"), "maoi": _("MAOIs"),
    "other": _("other types"),
}


def _names(slugs: Iterable[str], names: Mapping[str, str]) -> list[str]:
    return [names.get(slug, slug) for slug in slugs]


def join_or(items: list[str]) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return str(_("%(list)s or %(last)s") % {"list": ", ".join(items[:-1]), "last": items[-1]})


def join_and(items: list[str]) -> str:
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return str(_("%(list)s and %(last)s") % {"list": ", ".join(items[:-1]), "last": items[-1]})


def tried_sentences(code: str, tried: screening.TriedSummary | None, names: Mapping[str, str],
                    audience: str = PATIENT) -> list[str]:
    """The sentences that make an option fit the person (docs/screening-rules.md, 7.3)."""
    if tried is None:
        return []
    you = audience == PATIENT
    out: list[str] = []
    if code == "antidepressant_start":
        out.append(_("You did not tell us about an antidepressant taken during this episode.")
                   if you else _("No antidepressant reported in this episode."))
        if tried.antidepressants_tried:
            listed = join_and(_names(tried.antidepressants_tried, names))
            out.append(_("Your provider will ask how %(names)s worked in earlier episodes.")
                       % {"names": listed} if you
                       else _("Earlier episodes: %(names)s.") % {"names": listed})
    elif code == "switch_or_combine":
        if tried.families_tried:
            families = join_and([FAMILIES[f] for f in tried.families_tried])
            out.append(_("You have tried: %(families)s.") % {"families": families} if you
                       else _("Classes tried: %(families)s.") % {"families": families})
        if tried.usual_families_not_tried:
            families = join_and([FAMILIES[f] for f in tried.usual_families_not_tried])
            out.append(_("Types you have not tried yet: %(families)s.") % {"families": families}
                       if you else _("Usual classes not tried: %(families)s.")
                       % {"families": families})
        if tried.switch_examples:
            examples = join_and(_names(tried.switch_examples, names))
            out.append(_("Examples you have not taken include %(names)s.") % {"names": examples}
                       if you else _("Examples not yet taken: %(names)s.")
                       % {"names": examples})
    elif code == "augmentation":
        if tried.addons_tried:
            addons = join_and(_names(tried.addons_tried, names))
            out.append(_("You have already tried: %(names)s.") % {"names": addons} if you
                       else _("Add-ons tried: %(names)s.") % {"names": addons})
        if tried.augmentation_examples:
            examples = join_or(_names(tried.augmentation_examples, names))
            out.append(_("Other add-on medicines include %(names)s.") % {"names": examples}
                       if tried.addons_tried else
                       _("Add-on medicines include %(names)s.") % {"names": examples})
    return [str(sentence) for sentence in out]


def option_words(option: Mapping, audience: str = PATIENT,
                 tried: screening.TriedSummary | None = None,
                 names: Mapping[str, str] | None = None) -> dict:
    """A stored option (code, reasons, considerations) as words for one audience."""
    code = option["code"]
    facts = [str(f) for f in PATIENT_OPTIONS.get(code, {}).get("facts", [])] \
        if audience == PATIENT else []
    return {
        "code": code,
        "title": option_title(code, audience),
        "tried": tried_sentences(code, tried, names or {}, audience),
        "facts": facts,
        "why": [option_reason(c, audience) for c in option.get("reasons", [])],
        "considerations": [consideration(c, audience) for c in option.get("considerations", [])],
    }


def trd_explanation(result: Mapping, names: list[str]) -> str:
    """The patient's explanation of the status; for `unclear`, what the clinic will check,
    never "not known" for an answer the patient gave."""
    status = result["trd"]["status"]
    entry = TRD_STATUS[PATIENT].get(status)
    if entry is None:
        return ""
    if status != "unclear":
        return str(entry[1])
    codes = {r.get("code") for t in result["trd"]["trials"]
             if t.get("verdict") == "possibly_failed_adequate" for r in t.get("reasons", [])}
    sentences = []
    if codes & NOT_KNOWN_REASONS:
        sentences.append(_("Some details were not known, such as a dose or how long you took "
                           "a medicine."))
    if "no_minimum_dose" in codes:
        unchecked = [name for name, t in zip(names, result["trd"]["trials"], strict=False)
                     if any(r.get("code") == "no_minimum_dose" for r in t.get("reasons", []))]
        sentences.append(ngettext(
            "We do not have the usual dose of %(names)s in our list, so the clinic will check "
            "it.",
            "We do not have the usual doses of %(names)s in our list, so the clinic will check "
            "them.", len(unchecked)) % {"names": join_and(unchecked)})
    sentences.append(entry[1])
    return " ".join(str(s) for s in sentences)


def csv_options(result: Mapping | None) -> str:
    """The options of a stored result in staff words, for the CSV export."""
    if not result:
        return ""
    return "; ".join(option_title(o["code"], STAFF) for o in result.get("options", []))


def tried_for(stored_answers: Mapping | None) -> tuple[screening.TriedSummary | None,
                                                        dict[str, str]]:
    """What the patient tried (from a stored assessment's answers) and the catalog's names.

    None when the stored answers no longer parse (e.g. a medicine removed from the catalog):
    the options are then shown without the sentences that name what was tried.
    """
    from .reference import engine_catalog  # the database catalog, read at call time

    catalog = engine_catalog()
    names = {slug: entry.generic_name for slug, entry in catalog.items()}
    if not stored_answers:
        return None, names
    try:
        parsed = screening.parse_answers(dict(stored_answers), catalog)
    except screening.AnswersError:
        return None, names
    return screening.tried_summary(parsed, catalog), names
