"""The patient's answers as readable rows for "Check your answers": one card per question page
with one Change link (to that page, which then leads back here), and one compact row per
medicine with its own Change link."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import wording
from ..models import MedicationTrial, Submission
from ..wording import PATIENT, PHQ9_QUESTIONS
from .answers import answered
from .steps import BY_SLUG, STEPS, step_url


@dataclass
class Row:
    label: str
    value: str
    change: str | None = None   # URL of the page to change this row alone


@dataclass
class Section:
    title: str
    rows: list[Row]
    change: str | None = None   # URL of the page to change the whole card
    extra: list = field(default_factory=list)


def _url(slug: str) -> str:
    return step_url(slug, returning=True)


def _choice(kind: str, value) -> str:
    return wording.answer(kind, value, PATIENT)


def _yes_no(value: bool | None) -> str:
    return wording.yes_no(value, PATIENT)


def dose_words(trial: MedicationTrial) -> str:
    return wording.dose_a_day(trial.dose_in_unit, trial.dose_unit, PATIENT)


def duration_words(trial: MedicationTrial) -> str:
    if trial.duration_amount is None:
        return str(_("I don't know how long"))
    unit = _choice("duration_unit", trial.duration_unit)
    return f"{wording.number(trial.duration_amount)} {unit}"


def medicine_summary(trial: MedicationTrial) -> str:
    """One line telling two entries of the same medicine apart: dose and how long."""
    return str(_("%(dose)s, for %(duration)s") % {"dose": dose_words(trial),
                                                   "duration": duration_words(trial)}) \
        if trial.duration_amount is not None else \
        str(_("%(dose)s; %(duration)s") % {"dose": dose_words(trial),
                                            "duration": duration_words(trial)})


def trial_value(trial: MedicationTrial) -> str:
    """A medicine in one compact row: dose and length, then how it went, one per line."""
    lines = [
        medicine_summary(trial),
        _("Taken on most days: %(answer)s") % {"answer": _choice("adherence", trial.adherence)},
        _("Helped: %(answer)s") % {"answer": _choice("improvement", trial.improvement)},
        _("Stopped: %(answer)s") % {"answer": _choice("stopped_because", trial.stopped_because)},
    ]
    if trial.stopped_because != MedicationTrial.StoppedBecause.STILL_TAKING:
        # not asked for a medicine still being taken (rules version 2)
        lines.append(_("During this episode: %(answer)s") % {
            "answer": _choice("current_episode", trial.current_episode)})
    return "\n".join(str(line) for line in lines)


def _page_rows(step, sub: Submission) -> list[Row]:
    """The page's questions, each labelled as asked and answered in words."""
    return [Row(label, value) for _name, label, value in answered(step.form, sub, PATIENT)]


def _consent_rows(step, sub):
    return [Row(_("Agreed to store answers"), _yes_no(sub.consented_at is not None))]


def _phq9_rows(step, sub):
    return [Row(str(question), _choice("phq9_answer", None if answer is None else str(answer)))
            for question, answer in zip(PHQ9_QUESTIONS, sub.phq9 or [None] * 9, strict=True)]


def _safety_rows(step, sub):
    now = BY_SLUG["safety-now"]
    return [*_page_rows(step, sub),
            *(Row(row.label, row.value, _url(now.slug)) for row in _page_rows(now, sub)
              if sub.asq_thoughts_now is not None)]


def _medicine_rows(step, sub):
    return [Row(trial.display_name, trial_value(trial),
                reverse("intake:medicine_edit", args=[trial.position]) + "?return=check")
            for trial in sub.trials.select_related("medication")] \
        or [Row(_("Medicines"), str(_("None")))]


def _therapy_rows(step, sub):
    return [Row(_choice("therapy", t.type),
                _("%(sessions)s sessions; helped: %(helped)s") % {
                    "sessions": t.sessions if t.sessions is not None else _("not given"),
                    "helped": _choice("therapy_helped", t.helped)}, _url("therapy-details"))
            for t in sub.therapies.all()] or [Row(_("Talk therapy"), str(_("None")))]


def _other_treatment_rows(step, sub):
    return [Row(_choice("other_treatment", code), _choice("other_treatment_helped", helped),
                _url("other-treatments-helped"))
            for code, helped in sub.other_treatments.items() if helped != "not_tried"] \
        or [Row(_("Other treatments"), str(_("None of these")))]


def _health_rows(step, sub):
    return [Row(_("These apply to you"), wording.health_answers(
        sub.health_conditions, sub.health_unsure, PATIENT)), *_page_rows(step, sub)]


# Pages whose answers are not one field per question draw their own rows; a page that asks
# more about the one before it is shown in that page's card (its rows change on it).
OWN_ROWS = {"consent": _consent_rows, "phq9": _phq9_rows, "safety": _safety_rows,
            "medicines": _medicine_rows, "therapy": _therapy_rows,
            "other-treatments": _other_treatment_rows, "health": _health_rows}
IN_CARD_OF = {"safety-now": "safety", "therapy-details": "therapy",
              "other-treatments-helped": "other-treatments"}
# Cards titled by their section where the page's heading is its question.
CARD_TITLES = {"phq9": _("How you have been feeling"), "other-treatments": _("Other treatments")}


def answer_rows(sub: Submission) -> list[Section]:
    """One card per question page, in the order of the pages: the page's questions as it
    declares them (`intake/patient/answers.py`), or its own rows."""
    return [Section(CARD_TITLES.get(step.slug, step.title),
                    OWN_ROWS.get(step.slug, _page_rows)(step, sub), _url(step.slug))
            for step in STEPS if step.slug not in IN_CARD_OF]
