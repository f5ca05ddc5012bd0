"""Words shown to patients (and reused on the staff summary), keyed by the rules' codes.

The rules speak in stable codes (`screening`); this module is where they become plain words.
Reading age is kept around 12: short sentences, everyday words, "may" for every result.
"""

from django.utils.translation import gettext_lazy as _

PRIVACY_NOTICE_VERSION = "2026-11-23"

PHQ9_QUESTIONS = (
    _("Little interest or pleasure in doing things"),
    _("Feeling down, depressed, or hopeless"),
    _("Trouble falling or staying asleep, or sleeping too much"),
    _("Feeling tired or having little energy"),
    _("Poor appetite or overeating"),
    _("Feeling bad about yourself, or that you are a failure or have let yourself or your "
      "family down"),
    _("Trouble concentrating on things, such as reading or watching television"),
    _("Moving or speaking so slowly that other people could have noticed, or the opposite: "
      "being so fidgety or restless that you have been moving around a lot more than usual"),
    _("Thoughts that you would be better off dead, or of hurting yourself in some way"),
)
PHQ9_ANSWERS = (
    ("0", _("Not at all")),
    ("1", _("Several days")),
    ("2", _("More than half the days")),
    ("3", _("Nearly every day")),
)
PHQ9_BANDS = {
    "minimal": _("minimal"), "mild": _("mild"), "moderate": _("moderate"),
    "moderately_severe": _("moderately severe"), "severe": _("severe"),
}

OTHER_DIAGNOSIS_CHOICES = (
    ("anxiety", _("An anxiety disorder")),
    ("panic", _("Panic disorder")),
    ("ptsd", _("Post-traumatic stress disorder (PTSD)")),
    ("personality", _("A personality disorder")),
    ("eating", _("An eating disorder")),
    ("adhd", _("ADHD")),
)

THERAPY_CHOICES = (
    ("cbt", _("CBT (cognitive behavioural therapy): changing unhelpful thoughts and habits")),
    ("ipt", _("IPT (interpersonal therapy): working on relationships and life changes")),
    ("dbt", _("DBT (dialectical behaviour therapy): skills for strong emotions")),
    ("mbct", _("MBCT (mindfulness-based cognitive therapy): mindfulness to prevent relapse")),
    ("cbasp", _("CBASP: a therapy made for long-lasting depression")),
    ("behavioural_activation", _("Behavioural activation: planning activities that lift mood")),
    ("istdp", _("ISTDP (intensive short-term dynamic psychotherapy): exploring hidden "
                "feelings")),
    ("mbt", _("MBT (mentalization-based treatment): understanding your own and others' minds")),
    ("psychodynamic", _("Psychodynamic therapy: how the past shapes feelings now")),
    ("couples_family", _("Couples or family therapy")),
    ("group", _("Group therapy")),
    ("other", _("Another kind of talk therapy")),
)

OTHER_TREATMENT_CHOICES = (
    ("tms", _("TMS (transcranial magnetic stimulation)")),
    ("ect", _("ECT (electroconvulsive therapy)")),
    ("esketamine", _("Esketamine nasal spray (Spravato)")),
    ("ketamine_infusion", _("Ketamine infusion into a vein")),
    ("vns", _("VNS (vagus nerve stimulation)")),
    ("psilocybin", _("Psilocybin in a research study")),
    ("light_therapy", _("Light therapy")),
    ("other", _("Another treatment")),
)
TREATMENT_HELPED_CHOICES = (
    ("not_tried", _("I have not tried it")),
    ("helped", _("Tried it: it helped")),
    ("partly", _("Tried it: it helped a little")),
    ("no", _("Tried it: it did not help")),
    ("unknown", _("Tried it: I don't know if it helped")),
)

HEALTH_CHOICES = (
    ("seizures", _("Seizures or epilepsy")),
    ("metal_in_head", _("Metal in your head or neck (not dental fillings), such as clips, "
                        "fragments or a cochlear implant")),
    ("implanted_device", _("An implanted electronic device, such as a pacemaker, defibrillator, "
                           "stimulator or medicine pump")),
    ("vascular_brain", _("An aneurysm, a malformed blood vessel or bleeding in the brain")),
    ("uncontrolled_blood_pressure", _("High blood pressure that is not under control")),
    ("heart_or_stroke", _("A heart attack or stroke in the last 6 months, or a heart "
                          "condition")),
    ("pregnancy", _("Pregnant, breastfeeding, or planning a pregnancy")),
    ("substance_use", _("Problems with alcohol or drugs in the past year")),
    ("thyroid_disease", _("Thyroid disease")),
    ("chronic_illness", _("Another long-term illness")),
    ("supplements", _("Taking St John's wort, 5-HTP or SAM-e")),
)

# --- results --------------------------------------------------------------------------------

TRD_RESULT = {
    "may_apply": (
        _("The common definition of treatment-resistant depression may apply to you"),
        _("From your answers, at least two different antidepressants, each taken at a usual "
          "dose for long enough during this episode, did not help enough. A clinician will "
          "confirm this with you."),
    ),
    "unclear": (
        _("We need more detail to know if treatment-resistant depression may apply"),
        _("Some answers were not known, such as a dose or how long you took a medicine. A "
          "clinician will go through them with you and confirm."),
    ),
    "not_met": (
        _("From your answers, the common definition of treatment-resistant depression does not "
          "appear to apply"),
        _("This is not a judgement of how hard things have been. A clinician will confirm, and "
          "there are still options to discuss."),
    ),
}

VERDICT_TEXT = {
    "failed_adequate": _("Counted: taken at a usual dose for long enough, and it did not help "
                         "enough"),
    "possibly_failed_adequate": _("May count: some details are not known yet"),
    "inadequate": _("Not counted: the dose or length was below the usual minimum, or it was "
                    "not taken on most days"),
    "responded": _("Not counted: it helped by half or more"),
    "intolerance": _("Not counted as a failure: stopped early because of side effects"),
    "other_episode": _("Not counted: taken during an earlier episode"),
    "augmentation": _("Recorded as an add-on medicine: it does not count towards the two"),
}


def _num(value) -> str:
    """A number as people write it: 150, not 150.0; 37.5 stays 37.5."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def reason_text(reason: dict) -> str:
    """One stored reason (a dict with a code and numbers) in plain words."""
    code = reason["code"]
    if code == "dose_below_minimum":
        return _("The dose, %(dose)s mg a day, was below the usual minimum of %(min)s mg.") % {
            "dose": _num(reason["dose_mg_per_day"]), "min": _num(reason["minimum_mg_per_day"])}
    if code == "duration_below_minimum":
        return _("It was taken for %(weeks)s weeks; the usual minimum is %(min)s weeks.") % {
            "weeks": _num(round(reason["weeks"], 1)), "min": _num(reason["minimum_weeks"])}
    if code == "stopped_for_side_effects":
        return _("It was stopped because of side effects after %(weeks)s weeks.") % {
            "weeks": _num(round(reason["weeks"], 1))}
    return REASON_TEXT.get(code, code)


REASON_TEXT = {
    "not_taken_as_prescribed": _("Doses were often missed."),
    "augmentation_role": _("It is an add-on medicine."),
    "other_episode": _("It was taken during an earlier episode."),
    "improvement_50_or_more": _("It helped by half or more."),
    "adequate_trial_without_response": _("The dose and length were enough, and it did not help "
                                         "enough."),
    "dose_unknown": _("The dose is not known."),
    "no_minimum_dose": _("We have no usual minimum dose for this medicine to compare with."),
    "duration_unknown": _("How long it was taken is not known."),
    "adherence_unknown": _("It is not known if it was taken on most days."),
    "improvement_unknown": _("It is not known how much it helped."),
    "episode_unknown": _("It is not known if it was taken during this episode."),
}

OPTION_TEXT = {
    "medication_optimization": {
        "title": _("Checking the dose and length of your medicine"),
        "facts": [_("Some medicines need a higher dose or more weeks before they can work."),
                  _("Your provider can check if a change of dose or more time makes sense.")],
    },
    "switch_or_combine": {
        "title": _("Switching to another antidepressant, or combining two"),
        "facts": [_("A different medicine or type of medicine can work when one did not."),
                  _("Examples include bupropion, mirtazapine and newer medicines such as "
                    "dextromethorphan-bupropion; older types such as TCAs and MAOIs come "
                    "later."),
                  _("Tablets taken each day; most take several weeks to show their effect.")],
    },
    "augmentation": {
        "title": _("Adding a medicine to boost an antidepressant"),
        "facts": [_("A second medicine that is not an antidepressant is added, such as "
                    "aripiprazole, brexpiprazole, quetiapine, lithium or thyroid hormone."),
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

OPTION_REASON_TEXT = {
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
    "safety_concern": _("Your answers about suicidal thoughts."),
    "safety_concern_severe_symptoms": _("Your answers about suicidal thoughts and severe "
                                        "symptoms."),
    "psychotic_symptoms_now": _("You have psychotic symptoms now."),
    "four_or_more_failed": _("Four or more antidepressants did not help enough."),
    "thyroid_disease": _("You have thyroid disease."),
    "chronic_illness": _("You have another long-term illness."),
    "always": _("Helpful for everyone, alongside other treatment."),
}

CONSIDERATION_TEXT = {
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

QUESTIONS_TO_ASK = (
    _("What are the risks and side effects?"),
    _("When might I notice a change?"),
    _("How long does the effect last?"),
    _("Does my insurance cover it, and what would I pay?"),
    _("Who is a good candidate, and who is not?"),
    _("What did studies find?"),
    _("What should I think about in the long term?"),
    _("Is it done at home or in the clinic?"),
)
