"""The patient's answers as readable rows: for "Check your answers" (with Change links) and for
the staff summary (without)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import wording
from .forms import ASQ_FIELDS, AsqForm
from .models import MedicationTrial, Submission
from .patient_text import OTHER_TREATMENT_CHOICES, PHQ9_QUESTIONS
from .wording import PATIENT

NOT_PROVIDED = wording.MISSING[PATIENT]


@dataclass
class Row:
    label: str
    value: str
    change: str | None = None   # URL of the page to change it


@dataclass
class Section:
    title: str
    rows: list[Row]


def _url(slug: str) -> str:
    if slug == "consent":
        return reverse("intake:consent") + "?return=check"
    if slug == "medicines":
        return reverse("intake:medicines") + "?return=check"
    return reverse("intake:step", args=[slug]) + "?return=check"


def _choice(kind: str, value) -> str:
    return wording.answer(kind, value, PATIENT)


def _yes_no(value: bool | None) -> str:
    return wording.yes_no(value, PATIENT)


def trial_rows(trial: MedicationTrial) -> list[Row]:
    if trial.duration_amount is None:
        duration = _("I don't know")
    else:
        duration = (f"{wording.number(trial.duration_amount)} "
                    f"{_choice('duration_unit', trial.duration_unit)}")
    rows = [
        Row(_("Highest daily dose"), wording.mg_a_day(trial.dose_mg_per_day, PATIENT)),
        Row(_("How long at that dose"), str(duration)),
        Row(_("Taken as prescribed on most days"), _choice("adherence", trial.adherence)),
        Row(_("How much it helped"), _choice("improvement", trial.improvement)),
        Row(_("Why it was stopped"), _choice("stopped_because", trial.stopped_because)),
    ]
    if trial.stopped_because != MedicationTrial.StoppedBecause.STILL_TAKING:
        # not asked for a medicine still being taken (rules version 2)
        rows.append(Row(_("During this episode"),
                        _choice("current_episode", trial.current_episode)))
    return rows


def answer_rows(sub: Submission, *, links: bool = True) -> list[Section]:
    def change(slug):
        return _url(slug) if links else None

    months = _("I don't know") if sub.episode_months_unknown else (
        _("%(n)s months") % {"n": sub.episode_months} if sub.episode_months is not None
        else NOT_PROVIDED)
    asq_form = AsqForm.base_fields
    therapies = list(sub.therapies.all())
    trials = list(sub.trials.select_related("medication"))

    sections = [
        Section(_("About you"), [
            Row(_("Agreed to store answers"), _yes_no(sub.consented_at is not None),
                change("consent")),
            Row(_("Full name"), sub.full_name or str(NOT_PROVIDED), change("about-you")),
            Row(_("Date of birth"), sub.date_of_birth.strftime("%d %B %Y")
                if sub.date_of_birth else str(NOT_PROVIDED), change("about-you")),
            Row(_("E-mail address"), sub.email or str(NOT_PROVIDED), change("about-you")),
            Row(_("Phone number"), sub.phone or str(NOT_PROVIDED), change("about-you")),
            Row(_("How to contact you"), _choice("contact_preference", sub.contact_preference),
                change("about-you")),
        ]),
        Section(_("Your depression"), [
            Row(_("Length of this episode"), str(months), change("depression")),
            Row(_("Episodes in your life"), _choice("episode_count", sub.episode_count),
                change("depression")),
            Row(_("Age at the first episode"), str(sub.first_episode_age)
                if sub.first_episode_age is not None else str(NOT_PROVIDED),
                change("depression")),
            Row(_("Hospital stays for mental health"),
                _choice("yes_no_unknown", sub.hospital_stays), change("depression")),
            Row(_("Mania, hypomania or bipolar disorder"),
                _choice("yes_no_unknown", sub.bipolar_history), change("history")),
            Row(_("Psychotic symptoms"), _choice("psychotic_symptoms", sub.psychotic_symptoms),
                change("history")),
            Row(_("Other diagnoses"), wording.answers("other_diagnosis", sub.other_diagnoses,
                                                      PATIENT, empty=NOT_PROVIDED),
                change("history")),
            Row(_("Depression or bipolar disorder in close family"),
                _choice("yes_no_unknown", sub.family_history), change("history")),
            Row(_("Difficult or traumatic experiences"),
                _choice("trauma", sub.trauma), change("history")),
        ]),
        Section(_("How you have been feeling"), [
            Row(str(question), _choice("phq9_answer", None if answer is None else str(answer)),
                change("phq9"))
            for question, answer in zip(PHQ9_QUESTIONS, sub.phq9 or [None] * 9, strict=True)
        ]),
        Section(_("Safety questions"), [
            *(Row(str(asq_form[name].label), _yes_no(getattr(sub, name)), change("safety"))
              for name in ASQ_FIELDS),
            *([Row(str(_("Are you having thoughts of killing yourself right now?")),
                   _yes_no(sub.asq_thoughts_now), change("safety-now"))]
              if sub.asq_thoughts_now is not None else []),
        ]),
        Section(_("Medicines you have tried"), [
            Row(trial.display_name, "; ".join(f"{r.label}: {r.value}" for r in trial_rows(trial)),
                reverse("intake:medicine_edit", args=[trial.position]) if links else None)
            for trial in trials
        ] or [Row(_("Medicines"), str(_("None")), change("medicines"))]),
        Section(_("Talk therapy"), [
            Row(_choice("therapy", t.type),
                _("%(sessions)s sessions; helped: %(helped)s") % {
                    "sessions": t.sessions if t.sessions is not None else _("not given"),
                    "helped": _choice("therapy_helped", t.helped)},
                change("therapy-details"))
            for t in therapies
        ] or [Row(_("Talk therapy"), str(_("None")), change("therapy"))]),
        Section(_("Other treatments"), [
            Row(str(label), _choice("treatment_helped", sub.other_treatments.get(code,
                                                                                 "not_tried")),
                change("other-treatments"))
            for code, label in OTHER_TREATMENT_CHOICES
        ]),
        Section(_("Health questions"), [
            Row(_("These apply to you"), wording.answers("health", sub.health_conditions, PATIENT),
                change("health")),
            Row(_("Anything else"), sub.anything_else or str(NOT_PROVIDED), change("health")),
        ]),
    ]
    return sections
