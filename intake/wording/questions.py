"""Words of the patient's question pages: questions and answer choices, keyed by code.

Reading age is kept around 12: short sentences, everyday words, "may" for every result.
"""

from django.utils.translation import gettext_lazy as _

PRIVACY_NOTICE_VERSION = "2026-11-23"

YES_NO = [("yes", _("Yes")), ("no", _("No"))]

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

# The groups of the medicine menu, in their order (`medicine_choices.group_of`).
MEDICINE_GROUPS = {
    "ssri": _("Antidepressants: SSRIs and similar"),
    "snri": _("Antidepressants: SNRIs"),
    "tca": _("Antidepressants: tricyclics and tetracyclics"),
    "maoi": _("Antidepressants: MAOIs"),
    "other": _("Other antidepressants"),
    "addon": _("Add-on medicines"),
}

# The medicine menu's last group: a medicine not in the list, or one whose name is forgotten.
NOT_IN_THE_LIST = {
    "other": _("Another medicine (type its name below)"),
    "unknown": _("I don't remember the name"),
}

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
