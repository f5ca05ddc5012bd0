"""The clinical summary at the top of a submission's staff page (and its print view).

A plain function from a submission to a context of readable words: safety first, then the TRD
result with a table of every medicine, treatments, risk factors, considerations, the
approximate MSM, the patient's own words, contact details and the consent record, and the
history of every stored assessment. Every word for a code comes from `wording` (staff words);
the questions of a page are walked as the page declares them (`intake/patient/answers.py`),
labelled as the patient was asked them, with staff-only markers (`FLAGS`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import screening, wording
from ..models import Assessment, MedicationTrial, SafetyLevel, Submission
from ..patient.answers import answered, words
from ..patient.fields import age_at
from ..patient.forms import ASQ_FIELDS
from ..patient.steps import BY_SLUG, STEPS
from ..services import SAFETY_RANK, asq_answers
from ..wording import PATIENT, STAFF

NOT_ANSWERED = wording.MISSING[STAFF]
# Staff-only: the answers worth a clinician's attention, by question (shown with a marker),
# and what a flagged answer adds in words.
YES = "yes"
FLAGS = {
    "episode_months": lambda v: v is not None and v > 24,
    "episode_count": lambda v: v in {"3_5", "6_plus"},
    "first_episode_age": lambda v: v is not None and v < 18,
    "hospital_stays": lambda v: v == YES,
    "bipolar_history": lambda v: v == YES,
    "psychotic_symptoms": lambda v: v in {"past", "current", "unknown"},
    "other_diagnoses": bool,
    "family_history": lambda v: v == YES,
    "trauma": lambda v: v == YES,
}
# The contact details and the safety questions have their own tables; every other page's
# questions are in the table of risk factors, but free text: the patient's own words are shown
# apart, at the top of the page.
CONTACT_PAGE = "about-you"
SAFETY_PAGES = ("safety", "safety-now")
RISK_PAGES = tuple(step.slug for step in STEPS
                   if step.form is not None and step.slug not in {CONTACT_PAGE, *SAFETY_PAGES})
SHOWN_APART = frozenset({"anything_else"})
ASQ_FLAGS = dict.fromkeys(ASQ_FIELDS + ("asq_thoughts_now",), bool)


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
            role=wording.choice("role", med.role) if med else "",
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


def page_facts(slug: str, sub: Submission, flags=FLAGS) -> list[Fact]:
    """A page's questions as the patient was asked them, answered in staff words, with the
    staff-only markers."""
    facts = []
    for name, label, value in answered(BY_SLUG[slug].form, sub, STAFF):
        if name in SHOWN_APART:
            continue
        flag = bool(flags[name](getattr(sub, name))) if name in flags else False
        if flag and name in wording.FLAG_WORDS:
            value = str(wording.FLAG_WORDS[name] % {"answer": value})
        facts.append(Fact(label, value, flag))
    return facts


def born_words(sub: Submission) -> tuple[str, str]:
    """The date of birth and the age today, in words ("" each when not given)."""
    if sub.date_of_birth is None:
        return "", ""
    age = age_at(sub.date_of_birth, timezone.localdate())
    return (words(BY_SLUG[CONTACT_PAGE].form, "date_of_birth", sub, STAFF),
            ngettext("%(n)s year", "%(n)s years", age) % {"n": age})


def contact_facts(sub: Submission) -> list[Fact]:
    """The contact details as the patient gave them; the date of birth with the age."""
    _born, age = born_words(sub)
    return [Fact(label, f"{value} ({age})" if name == "date_of_birth" and age else value)
            for name, label, value in answered(BY_SLUG[CONTACT_PAGE].form, sub, STAFF)]


def risk_factors(sub: Submission) -> list[Fact]:
    health, unsure = set(sub.health_conditions), set(sub.health_unsure)

    def health_answer(code: str) -> str:
        """Yes, "Yes (not sure)" (ticked with "I am not sure": a clinician checks), or No."""
        value = _yes_no(code in health)
        return str(wording.NOT_SURE[STAFF] % {"answer": value}) if code in unsure else value

    return [
        *(fact for slug in RISK_PAGES for fact in page_facts(slug, sub)),
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
    if sub.asq_thoughts_now is None:  # asked only after a yes
        return facts + page_facts(SAFETY_PAGES[0], sub, ASQ_FLAGS)
    return facts + [fact for slug in SAFETY_PAGES for fact in page_facts(slug, sub, ASQ_FLAGS)]


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

    considerations = []
    if result:
        for option in result["options"]:
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
            "parts": [(label, parts.get(key)) for key, label in wording.MSM_PARTS.items()],
        }

    augmentation = [t.display_name for t in trials
                    if t.medication_id and t.medication.role == "augmentation"]
    from_answers = answers_level(sub)

    return {
        "sub": sub,
        "is_submitted": sub.is_submitted,
        "safety": {
            "level": sub.safety_level,
            "label": wording.safety_level(sub.safety_level),
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
        "phq9": {"total": result["phq9"]["total"] if result else None,
                 "band": wording.phq9_band(result["phq9"]["band"], STAFF) if result else ""},
        "msm": msm,
        "anything_else": sub.anything_else,
        "contact": contact_facts(sub),
        "consent": {
            "consented_at": sub.consented_at,
            "privacy_notice_version": sub.privacy_notice_version or str(NOT_ANSWERED),
            "age_confirmed": _yes_no(sub.age_confirmed),
        },
        "history": assessments,
    }
