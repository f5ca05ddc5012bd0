"""The clinical summary at the top of a submission's staff page (and its print view).

A plain function from a submission to a context of readable words: safety first, then the TRD
result with a table of every medicine, treatments, risk factors, considerations, options shown,
the approximate MSM, the patient's own words, contact details and the consent record, and the
history of every stored assessment. Words come from `patient_text` wherever they exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import (
    Assessment,
    MedicationTrial,
    SafetyLevel,
    Submission,
    TherapyTried,
    TrdStatus,
    YesNoUnknown,
)
from .patient_text import (
    CONSIDERATION_TEXT,
    HEALTH_CHOICES,
    OPTION_REASON_TEXT,
    OPTION_TEXT,
    OTHER_DIAGNOSIS_CHOICES,
    OTHER_TREATMENT_CHOICES,
    PHQ9_ANSWERS,
    PHQ9_BANDS,
    THERAPY_CHOICES,
    TREATMENT_HELPED_CHOICES,
    VERDICT_TEXT,
    reason_text,
)

NOT_ANSWERED = _("Not answered")

VERDICT_SHORT = {
    "failed_adequate": _("Adequate trial, failed"),
    "possibly_failed_adequate": _("Possibly adequate, failed"),
    "inadequate": _("Inadequate trial"),
    "responded": _("Responded"),
    "intolerance": _("Intolerance"),
    "other_episode": _("Earlier episode"),
    "augmentation": _("Augmentation"),
}
MSM_PARTS = (
    ("duration", _("Duration of this episode")),
    ("severity", _("Severity (PHQ-9, psychosis)")),
    ("failed", _("Failed antidepressants")),
    ("augmentation", _("Augmentation tried")),
    ("ect", _("ECT tried")),
)
ASQ_LABELS = (
    ("asq_wished_dead", _("In the past few weeks, wished they were dead")),
    ("asq_better_off_dead", _("In the past few weeks, felt they or their family would be better "
                              "off if they were dead")),
    ("asq_thoughts_past_week", _("In the past week, had thoughts about killing themselves")),
    ("asq_ever_attempted", _("Ever tried to kill themselves")),
    ("asq_thoughts_now", _("Thoughts of killing themselves right now (asked only after a yes)")),
)


@dataclass
class Fact:
    label: str
    value: str
    flag: bool = False  # worth a clinician's attention (shown with a marker and words)


@dataclass
class MedicineRow:
    position: int
    name: str
    drug_class: str
    role: str
    dose: str
    minimum: str
    dose_ok: str
    weeks: str
    adherence: str
    improvement: str
    episode: str
    stopped: str
    verdict: str = ""
    verdict_text: str = ""
    reasons: list[str] = field(default_factory=list)


def _yes_no(value) -> str:
    if value is None:
        return str(NOT_ANSWERED)
    return str(_("Yes") if value else _("No"))


def _choice(choices, value) -> str:
    if value in ("", None):
        return str(NOT_ANSWERED)
    return str(dict(choices).get(value, value))


def _num(value) -> str:
    if value is None:
        return ""
    number = float(value)
    return f"{number:g}" if number != int(number) else str(int(number))


def _part(value) -> str:
    return {"yes": str(_("meets minimum")), "no": str(_("below minimum")),
            "unknown": str(_("unknown"))}.get(value or "", "")


def medicine_rows(sub: Submission, assessment: Assessment | None,
                  trials: list[MedicationTrial]) -> list[MedicineRow]:
    stored_trials = assessment.result["trd"]["trials"] if assessment else []
    min_doses = assessment.thresholds.get("min_doses", {}) if assessment else {}
    rows = []
    for index, trial in enumerate(trials):
        stored = stored_trials[index] if index < len(stored_trials) else None
        med = trial.medication if trial.kind == MedicationTrial.Kind.CATALOG else None
        if assessment is not None:
            minimum = min_doses.get(med.slug) if med is not None else None
        else:
            minimum = med.min_adequate_mg_per_day if med is not None else None
        row = MedicineRow(
            position=trial.position,
            name=trial.display_name,
            drug_class=med.drug_class if med else str(_("not in the catalog")),
            role=med.get_role_display() if med else "",
            dose=f"{_num(trial.dose_mg_per_day)} mg/day" if trial.dose_mg_per_day is not None
            else str(_("unknown")),
            minimum=f"{_num(minimum)} mg/day" if minimum is not None else str(_("none")),
            dose_ok=_part(stored.get("dose")) if stored else "",
            weeks=_num(round(trial.weeks, 1)) if trial.weeks is not None else str(_("unknown")),
            adherence=trial.get_adherence_display(),
            improvement=trial.get_improvement_display(),
            episode=_choice(YesNoUnknown.choices, trial.current_episode),
            stopped=trial.get_stopped_because_display(),
        )
        if stored is not None:
            row.verdict = str(VERDICT_SHORT.get(stored["verdict"], stored["verdict"]))
            row.verdict_text = str(VERDICT_TEXT.get(stored["verdict"], stored["verdict"]))
            row.reasons = [str(reason_text(r)) for r in stored["reasons"]]
        rows.append(row)
    return rows


def risk_factors(sub: Submission) -> list[Fact]:
    if sub.first_episode_age is None:
        onset = Fact(_("Age at the first episode"), str(NOT_ANSWERED))
    elif sub.first_episode_age < 18:
        onset = Fact(_("Age at the first episode"),
                     _("%(age)s: early onset (before 18)") % {"age": sub.first_episode_age}, True)
    else:
        onset = Fact(_("Age at the first episode"), str(sub.first_episode_age))
    if sub.episode_months_unknown:
        months = Fact(_("Length of this episode"), str(_("Not known")))
    elif sub.episode_months is None:
        months = Fact(_("Length of this episode"), str(NOT_ANSWERED))
    else:
        months = Fact(_("Length of this episode"),
                      _("%(n)s months") % {"n": sub.episode_months}, sub.episode_months > 24)
    health = set(sub.health_conditions)
    health_labels = dict(HEALTH_CHOICES)
    return [
        onset,
        Fact(_("Episodes in their life"),
             _choice(Submission.EpisodeCount.choices, sub.episode_count),
             sub.episode_count in {"3_5", "6_plus"}),
        months,
        Fact(_("Hospital stays for mental health"),
             _choice(YesNoUnknown.choices, sub.hospital_stays), sub.hospital_stays == "yes"),
        Fact(_("Mania, hypomania or bipolar disorder"),
             _choice(YesNoUnknown.choices, sub.bipolar_history), sub.bipolar_history == "yes"),
        Fact(_("Psychotic symptoms"), _choice(Submission.Psychosis.choices,
                                              sub.psychotic_symptoms),
             sub.psychotic_symptoms in {"past", "current"}),
        Fact(_("Other diagnoses"), ", ".join(str(dict(OTHER_DIAGNOSIS_CHOICES).get(c, c))
                                             for c in sub.other_diagnoses) or str(_("None")),
             bool(sub.other_diagnoses)),
        Fact(_("Depression or bipolar disorder in close family"),
             _choice(YesNoUnknown.choices, sub.family_history), sub.family_history == "yes"),
        Fact(_("Difficult or traumatic experiences"),
             _choice(Submission.Trauma.choices, sub.trauma), sub.trauma == "yes"),
        Fact(_("Problems with alcohol or drugs in the past year"),
             _yes_no("substance_use" in health), "substance_use" in health),
        Fact(_("Another long-term illness"), _yes_no("chronic_illness" in health),
             "chronic_illness" in health),
        Fact(_("Other health answers"),
             ", ".join(str(health_labels.get(c, c)) for c in sub.health_conditions
                       if c not in {"substance_use", "chronic_illness"}) or str(_("None"))),
    ]


def safety_facts(sub: Submission) -> list[Fact]:
    item9 = sub.phq9[8] if len(sub.phq9) == 9 else None
    facts = [Fact(_("PHQ-9 item 9 (thoughts of being better off dead or of self-harm)"),
                  _choice(PHQ9_ANSWERS, str(item9) if item9 is not None else None),
                  bool(item9))]
    for name, label in ASQ_LABELS:
        value = getattr(sub, name)
        if name == "asq_thoughts_now" and value is None:
            continue
        facts.append(Fact(label, _yes_no(value), bool(value)))
    return facts


def staff_summary(sub: Submission) -> dict:
    assessments = list(sub.assessments.select_related("created_by").order_by("-created_at",
                                                                               "-id"))
    current = next((a for a in assessments if a.is_current), None)
    trials = list(sub.trials.select_related("medication"))
    therapies = list(sub.therapies.all())
    result = current.result if current else None

    options = []
    considerations = []
    if result:
        for option in result["options"]:
            text = OPTION_TEXT.get(option["code"], {})
            options.append({
                "code": option["code"],
                "title": str(text.get("title", option["code"])),
                "why": [str(OPTION_REASON_TEXT.get(c, c)) for c in option["reasons"]],
                "considerations": [str(CONSIDERATION_TEXT.get(c, c))
                                   for c in option["considerations"]],
            })
            considerations += [(c, str(CONSIDERATION_TEXT.get(c, c)))
                               for c in option["considerations"]]
        considerations += [(c, str(CONSIDERATION_TEXT.get(c, c)))
                           for c in result["considerations"]]

    msm = None
    if result:
        parts = result["msm"]["parts"]
        msm = {
            "total": result["msm"]["total"],
            "band": result["msm"]["band"],
            "parts": [(label, parts.get(key)) for key, label in MSM_PARTS],
        }

    therapy_labels = dict(THERAPY_CHOICES)
    treatment_labels = dict(OTHER_TREATMENT_CHOICES)
    helped_labels = dict(TREATMENT_HELPED_CHOICES)
    augmentation = [t.display_name for t in trials
                    if t.medication_id and t.medication.role == "augmentation"]

    return {
        "sub": sub,
        "is_submitted": sub.is_submitted,
        "safety": {
            "level": sub.safety_level,
            "label": sub.get_safety_level_display(),
            "flagged": sub.safety_level != SafetyLevel.NONE,
            "flagged_at": sub.flagged_at,
            "first_viewed_at": sub.first_viewed_at,
            "first_viewed_by": sub.first_viewed_by,
            "facts": safety_facts(sub),
        },
        "assessment": current,
        "trd": {
            "status": result["trd"]["status"],
            "label": dict(TrdStatus.choices).get(result["trd"]["status"]),
            "confirmed": result["trd"]["confirmed"],
            "possible": result["trd"]["possible"],
            "strict_confirmed": result["trd"]["strict_confirmed"],
            "classes_confirmed": result["trd"]["classes_confirmed"],
        } if result else None,
        "thresholds": current.thresholds if current else None,
        "medicines": medicine_rows(sub, current, trials),
        "augmentation": augmentation,
        "therapies": [
            {"name": str(therapy_labels.get(t.type, t.type)).split(":")[0],
             "sessions": t.sessions if t.sessions is not None else str(_("not given")),
             "helped": _choice(TherapyTried.Helped.choices, t.helped)}
            for t in therapies
        ],
        "other_treatments": [
            (str(treatment_labels.get(code, code)), str(helped_labels.get(helped, helped)))
            for code, helped in sub.other_treatments.items() if helped != "not_tried"
        ],
        "risk_factors": risk_factors(sub),
        "considerations": considerations,
        "options": options,
        "phq9": {"total": result["phq9"]["total"] if result else None,
                 "band": str(PHQ9_BANDS.get(result["phq9"]["band"], "")) if result else ""},
        "msm": msm,
        "anything_else": sub.anything_else,
        "contact": [
            Fact(_("Full name"), sub.full_name or str(NOT_ANSWERED)),
            Fact(_("Date of birth"), sub.date_of_birth.isoformat() if sub.date_of_birth
                 else str(NOT_ANSWERED)),
            Fact(_("E-mail address"), sub.email or str(NOT_ANSWERED)),
            Fact(_("Phone number"), sub.phone or str(NOT_ANSWERED)),
            Fact(_("Preferred contact"), _choice(Submission.ContactPreference.choices,
                                                 sub.contact_preference)),
        ],
        "consent": {
            "consented_at": sub.consented_at,
            "privacy_notice_version": sub.privacy_notice_version or str(NOT_ANSWERED),
            "age_confirmed": _yes_no(sub.age_confirmed),
        },
        "history": assessments,
    }
