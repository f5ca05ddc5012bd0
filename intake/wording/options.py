"""The treatment options in words: titles, facts for patients, why each was shown, what to
consider, and sentences about what the patient already tried."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _

from .. import screening
from .base import PATIENT, STAFF, join_and, join_or, lookup, unrecognised

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

OPTIONS = {PATIENT: PATIENT_OPTIONS, STAFF: STAFF_OPTIONS}
OPTION_REASONS = {PATIENT: PATIENT_OPTION_REASONS, STAFF: STAFF_OPTION_REASONS}
CONSIDERATIONS = {PATIENT: PATIENT_CONSIDERATIONS, STAFF: STAFF_CONSIDERATIONS}


def option_title(code: str, audience: str = PATIENT) -> str:
    if audience == PATIENT:
        text = PATIENT_OPTIONS.get(code)
        return str(text["title"]) if text else unrecognised(code, audience)
    return lookup(STAFF_OPTIONS, code, audience)


def option_reason(code: str, audience: str = PATIENT) -> str:
    return lookup(OPTION_REASONS[audience], code, audience)


def consideration(code: str, audience: str = PATIENT) -> str:
    return lookup(CONSIDERATIONS[audience], code, audience)


FAMILIES = {
    "ssri": _("SSRIs"), "snri": _("SNRIs"), "ndri": _("bupropion-type (NDRI)"),
    "nassa": _("mirtazapine-type"), "tca": _("tricyclics"), "maoi": _("MAOIs"),
    "other": _("other types"),
}


def _names(slugs: Iterable[str], names: Mapping[str, str]) -> list[str]:
    return [names.get(slug, slug) for slug in slugs]


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


def csv_options(result: Mapping | None) -> str:
    """The options of a stored result in staff words, for the CSV export."""
    if not result:
        return ""
    return "; ".join(option_title(o["code"], STAFF) for o in result.get("options", []))


def tried_for(stored_answers: Mapping | None,
              catalog: Mapping[str, screening.CatalogEntry]
              ) -> tuple[screening.TriedSummary | None, dict[str, str]]:
    """What the patient tried (from a stored assessment's answers and the engine catalog the
    caller read) and the catalog's names.

    None when the stored answers no longer parse (e.g. a medicine removed from the catalog):
    the options are then shown without the sentences that name what was tried.
    """
    names = {slug: entry.generic_name for slug, entry in catalog.items()}
    if not stored_answers:
        return None, names
    try:
        parsed = screening.parse_answers(dict(stored_answers), catalog)
    except screening.AnswersError:
        return None, names
    return screening.tried_summary(parsed, catalog), names
