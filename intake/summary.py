"""The patient's answers as readable rows for "Check your answers": one card per question page
with one Change link (to that page, which then leads back here), and one compact row per
medicine with its own Change link."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import wording
from .forms import ASQ_FIELDS, AsqForm
from .models import MedicationTrial, Submission
from .patient_text import PHQ9_QUESTIONS
from .steps import step_url
from .wording import PATIENT

NOT_PROVIDED = wording.MISSING[PATIENT]


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


def answer_rows(sub: Submission) -> list[Section]:
    months = _("I don't know") if sub.episode_months_unknown else (
        _("%(n)s months") % {"n": sub.episode_months} if sub.episode_months is not None
        else NOT_PROVIDED)
    asq_form = AsqForm.base_fields
    therapies = list(sub.therapies.all())
    trials = list(sub.trials.select_related("medication"))
    tried = {code: helped for code, helped in sub.other_treatments.items()
             if helped != "not_tried"}

    return [
        Section(_("Before you start"), [
            Row(_("Agreed to store answers"), _yes_no(sub.consented_at is not None)),
        ], _url("consent")),
        Section(_("About you"), [
            Row(_("Full name"), sub.full_name or str(NOT_PROVIDED)),
            Row(_("Date of birth"), sub.date_of_birth.strftime("%B %-d, %Y")
                if sub.date_of_birth else str(NOT_PROVIDED)),
            Row(_("E-mail address"), sub.email or str(NOT_PROVIDED)),
            Row(_("Phone number"), sub.phone or str(NOT_PROVIDED)),
            Row(_("How to contact you"), _choice("contact_preference", sub.contact_preference)),
        ], _url("about-you")),
        Section(_("Your depression"), [
            Row(_("Length of this episode"), str(months)),
            Row(_("Episodes in your life"), _choice("episode_count", sub.episode_count)),
            Row(_("Age at the first episode"), str(sub.first_episode_age)
                if sub.first_episode_age is not None else str(NOT_PROVIDED)),
            Row(_("Hospital stays for mental health"),
                _choice("yes_no_unknown", sub.hospital_stays)),
        ], _url("depression")),
        Section(_("Your health history"), [
            Row(_("Mania, hypomania or bipolar disorder"),
                _choice("yes_no_unknown", sub.bipolar_history)),
            Row(_("Psychotic symptoms"), _choice("psychotic_symptoms", sub.psychotic_symptoms)),
            Row(_("Other diagnoses"), wording.answers("other_diagnosis", sub.other_diagnoses,
                                                      PATIENT, empty=NOT_PROVIDED)),
            Row(_("Depression or bipolar disorder in close family"),
                _choice("yes_no_unknown", sub.family_history)),
            Row(_("Difficult or traumatic experiences"), _choice("trauma", sub.trauma)),
        ], _url("history")),
        Section(_("How you have been feeling"), [
            Row(str(question), _choice("phq9_answer", None if answer is None else str(answer)))
            for question, answer in zip(PHQ9_QUESTIONS, sub.phq9 or [None] * 9, strict=True)
        ], _url("phq9")),
        Section(_("Safety questions"), [
            *(Row(str(asq_form[name].label), _yes_no(getattr(sub, name))) for name in ASQ_FIELDS),
            *([Row(str(_("Are you having thoughts of killing yourself right now?")),
                   _yes_no(sub.asq_thoughts_now), _url("safety-now"))]
              if sub.asq_thoughts_now is not None else []),
        ], _url("safety")),
        Section(_("Medicines you have tried"), [
            Row(trial.display_name, trial_value(trial),
                reverse("intake:medicine_edit", args=[trial.position]) + "?return=check")
            for trial in trials
        ] or [Row(_("Medicines"), str(_("None")))], _url("medicines")),
        Section(_("Talk therapy"), [
            Row(_choice("therapy", t.type),
                _("%(sessions)s sessions; helped: %(helped)s") % {
                    "sessions": t.sessions if t.sessions is not None else _("not given"),
                    "helped": _choice("therapy_helped", t.helped)}, _url("therapy-details"))
            for t in therapies
        ] or [Row(_("Talk therapy"), str(_("None")))], _url("therapy")),
        Section(_("Other treatments"), [
            Row(_choice("other_treatment", code), _choice("other_treatment_helped", helped),
                _url("other-treatments-helped"))
            for code, helped in tried.items()
        ] or [Row(_("Other treatments"), str(_("None of these")))], _url("other-treatments")),
        Section(_("Health questions"), [
            Row(_("These apply to you"), wording.health_answers(
                sub.health_conditions, sub.health_unsure, PATIENT)),
            Row(_("Anything else"), sub.anything_else or str(NOT_PROVIDED)),
        ], _url("health")),
    ]
