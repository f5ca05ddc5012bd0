"""The clinical summary at the top of a submission's staff page (and its print view).

A plain function from a submission to a context of readable words: safety first, then the TRD
result with a table of every medicine, treatments, risk factors, considerations, options shown,
the approximate MSM, the patient's own words, contact details and the consent record, and the
history of every stored assessment. Every word for a code comes from `wording` (staff words).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from . import screening, wording
from .models import Assessment, MedicationTrial, SafetyLevel, Submission
from .services import SAFETY_RANK, asq_answers
from .wording import PATIENT, STAFF

NOT_ANSWERED = wording.MISSING[STAFF]
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
    return wording.yes_no(value, STAFF)


def _in_unit(mg, unit: str) -> str:
    """A catalog dose (kept in mg) in the medicine's own unit: liothyronine in mcg."""
    return wording.dose_a_day(mg * 1000 if unit == "mcg" else mg, unit, STAFF)


def _choice(kind: str, value) -> str:
    return wording.answer(kind, value, STAFF)


_num = wording.number


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
            dose=wording.dose_a_day(trial.dose_in_unit, trial.dose_unit, STAFF),
            minimum=_in_unit(minimum, med.dose_unit) if minimum is not None else str(_("none")),
            dose_ok=_part(stored.get("dose")) if stored else "",
            weeks=_num(trial.weeks) if trial.weeks is not None else str(_("unknown")),
            adherence=_choice("adherence", trial.adherence),
            improvement=_choice("improvement", trial.improvement),
            episode=str(_("Yes (still taking)"))
            if trial.stopped_because == MedicationTrial.StoppedBecause.STILL_TAKING
            else _choice("current_episode", trial.current_episode),
            stopped=_choice("stopped_because", trial.stopped_because),
        )
        if stored is not None:
            row.verdict = wording.verdict(stored["verdict"], STAFF)
            row.verdict_text = wording.verdict(stored["verdict"], PATIENT)
            row.reasons = [wording.reason(r, STAFF) for r in stored["reasons"]]
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
    health, unsure = set(sub.health_conditions), set(sub.health_unsure)

    def health_answer(code: str) -> str:
        """Yes, "Yes (not sure)" (ticked with "I am not sure": a clinician checks), or No."""
        value = _yes_no(code in health)
        return str(wording.NOT_SURE[STAFF] % {"answer": value}) if code in unsure else value

    return [
        onset,
        Fact(_("Episodes in their life"),
             _choice("episode_count", sub.episode_count),
             sub.episode_count in {"3_5", "6_plus"}),
        months,
        Fact(_("Hospital stays for mental health"),
             _choice("yes_no_unknown", sub.hospital_stays), sub.hospital_stays == "yes"),
        Fact(_("Mania, hypomania or bipolar disorder"),
             _choice("yes_no_unknown", sub.bipolar_history), sub.bipolar_history == "yes"),
        Fact(_("Psychotic symptoms"), _choice("psychotic_symptoms", sub.psychotic_symptoms),
             sub.psychotic_symptoms in {"past", "current", "unknown"}),
        Fact(_("Other diagnoses"), wording.answers("other_diagnosis", sub.other_diagnoses, STAFF),
             bool(sub.other_diagnoses)),
        Fact(_("Depression or bipolar disorder in close family"),
             _choice("yes_no_unknown", sub.family_history), sub.family_history == "yes"),
        Fact(_("Difficult or traumatic experiences"),
             _choice("trauma", sub.trauma), sub.trauma == "yes"),
        Fact(_("Problems with alcohol or drugs in the past year"),
             health_answer("substance_use"), "substance_use" in health),
        Fact(_("Another long-term illness"), health_answer("chronic_illness"),
             "chronic_illness" in health),
        Fact(_("Other health answers"),
             wording.health_answers([c for c in sub.health_conditions
                                     if c not in {"substance_use", "chronic_illness"}],
                                    unsure, STAFF)),
    ]


def safety_facts(sub: Submission) -> list[Fact]:
    item9 = sub.phq9[8] if len(sub.phq9) == 9 else None
    facts = [Fact(_("PHQ-9 item 9 (thoughts of being better off dead or of self-harm)"),
                  _choice("phq9_answer", str(item9) if item9 is not None else None),
                  bool(item9))]
    for name, label in ASQ_LABELS:
        value = getattr(sub, name)
        if name == "asq_thoughts_now" and value is None:
            continue
        facts.append(Fact(label, _yes_no(value), bool(value)))
    return facts


def answers_level(sub: Submission) -> str:
    """The safety level the answers as stored call for (the flag itself only rises from them,
    and a clinician may have lowered it since)."""
    item9 = sub.phq9[8] if len(sub.phq9) == 9 else None
    return screening.safety_level(item9, asq_answers(sub))


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
        tried, names = wording.tried_for(current.answers)
        for option in result["options"]:
            words = wording.option_words(option, STAFF, tried, names)
            words["title"] = wording.option_title(option["code"], PATIENT)  # as they saw it
            options.append(words)
            considerations += [(c, wording.consideration(c, STAFF))
                               for c in option["considerations"]]
        considerations += [(c, wording.consideration(c, STAFF))
                           for c in result["considerations"]]

    msm = None
    if result:
        parts = result["msm"]["parts"]
        msm = {
            "total": result["msm"]["total"],
            "band": wording.msm_band(result["msm"]["band"]),
            "parts": [(label, parts.get(key)) for key, label in MSM_PARTS],
        }

    augmentation = [t.display_name for t in trials
                    if t.medication_id and t.medication.role == "augmentation"]
    from_answers = answers_level(sub)

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
            # the answers call for more than the level shows (lowered by a clinician)
            "answers_level": from_answers,
            "answers_label": wording.safety_level(from_answers),
            "below_answers": SAFETY_RANK[sub.safety_level] < SAFETY_RANK[from_answers],
        },
        "assessment": current,
        "trd": {
            "status": result["trd"]["status"],
            "label": wording.trd_status(result["trd"]["status"], STAFF),
            "confirmed": result["trd"]["confirmed"],
            "possible": result["trd"]["possible"],
            "strict_confirmed": result["trd"]["strict_confirmed"],
            "classes_confirmed": result["trd"]["classes_confirmed"],
        } if result else None,
        "thresholds": current.thresholds if current else None,
        "medicines": medicine_rows(sub, current, trials),
        "augmentation": augmentation,
        "therapies": [
            {"name": _choice("therapy", t.type),
             "sessions": t.sessions if t.sessions is not None else str(_("not given")),
             "helped": _choice("therapy_helped", t.helped)}
            for t in therapies
        ],
        "other_treatments": [
            (_choice("other_treatment", code), _choice("treatment_helped", helped))
            for code, helped in sub.other_treatments.items() if helped != "not_tried"
        ],
        "risk_factors": risk_factors(sub),
        "considerations": considerations,
        "options": options,
        "phq9": {"total": result["phq9"]["total"] if result else None,
                 "band": wording.phq9_band(result["phq9"]["band"], STAFF) if result else ""},
        "msm": msm,
        "anything_else": sub.anything_else,
        "contact": [
            Fact(_("Full name"), sub.full_name or str(NOT_ANSWERED)),
            Fact(_("Date of birth"), sub.date_of_birth.isoformat() if sub.date_of_birth
                 else str(NOT_ANSWERED)),
            Fact(_("E-mail address"), sub.email or str(NOT_ANSWERED)),
            Fact(_("Phone number"), sub.phone or str(NOT_ANSWERED)),
            Fact(_("Preferred contact"), _choice("contact_preference", sub.contact_preference)),
        ],
        "consent": {
            "consented_at": sub.consented_at,
            "privacy_notice_version": sub.privacy_notice_version or str(NOT_ANSWERED),
            "age_confirmed": _yes_no(sub.age_confirmed),
        },
        "history": assessments,
    }
