"""The patient's answers as readable rows: for "Check your answers" (with Change links) and for
the staff summary (without)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .forms import ASQ_FIELDS, AsqForm
from .models import MedicationTrial, Submission, TherapyTried, YesNoUnknown
from .patient_text import (
    HEALTH_CHOICES,
    OTHER_DIAGNOSIS_CHOICES,
    OTHER_TREATMENT_CHOICES,
    PHQ9_ANSWERS,
    PHQ9_QUESTIONS,
    THERAPY_CHOICES,
    TREATMENT_HELPED_CHOICES,
)

NOT_PROVIDED = _("Not provided")


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


def _choice(choices, value) -> str:
    return str(dict(choices).get(value, NOT_PROVIDED)) if value not in ("", None) else \
        str(NOT_PROVIDED)


def _yes_no(value: bool | None) -> str:
    return str(NOT_PROVIDED) if value is None else str(_("Yes") if value else _("No"))


def _list(choices, values) -> str:
    labels = dict(choices)
    return ", ".join(str(labels.get(v, v)) for v in values) or str(_("None"))


def trial_rows(trial: MedicationTrial) -> list[Row]:
    if trial.dose_mg_per_day is None:
        dose = _("I don't know")
    else:
        dose = _("%(dose)s mg a day") % {"dose": f"{trial.dose_mg_per_day.normalize():f}"}
    if trial.duration_amount is None:
        duration = _("I don't know")
    else:
        duration = f"{trial.duration_amount.normalize():f} {trial.get_duration_unit_display()}"
    return [
        Row(_("Highest daily dose"), str(dose)),
        Row(_("How long at that dose"), str(duration)),
        Row(_("Taken as prescribed on most days"), trial.get_adherence_display()),
        Row(_("How much it helped"), trial.get_improvement_display()),
        Row(_("During this episode"), _choice(YesNoUnknown.choices, trial.current_episode)),
        Row(_("Why it was stopped"), trial.get_stopped_because_display()),
    ]


def answer_rows(sub: Submission, *, links: bool = True) -> list[Section]:
    def change(slug):
        return _url(slug) if links else None

    months = _("I don't know") if sub.episode_months_unknown else (
        _("%(n)s months") % {"n": sub.episode_months} if sub.episode_months is not None
        else NOT_PROVIDED)
    phq9 = dict(PHQ9_ANSWERS)
    asq_form = AsqForm.base_fields
    therapies = list(sub.therapies.all())
    therapy_labels = dict(THERAPY_CHOICES)
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
            Row(_("How to contact you"), _choice(Submission.ContactPreference.choices,
                                                 sub.contact_preference), change("about-you")),
        ]),
        Section(_("Your depression"), [
            Row(_("Length of this episode"), str(months), change("depression")),
            Row(_("Episodes in your life"), _choice(Submission.EpisodeCount.choices,
                                                    sub.episode_count), change("depression")),
            Row(_("Age at the first episode"), str(sub.first_episode_age)
                if sub.first_episode_age is not None else str(NOT_PROVIDED),
                change("depression")),
            Row(_("Hospital stays for mental health"),
                _choice(YesNoUnknown.choices, sub.hospital_stays), change("depression")),
            Row(_("Mania, hypomania or bipolar disorder"),
                _choice(YesNoUnknown.choices, sub.bipolar_history), change("history")),
            Row(_("Psychotic symptoms"), _choice(Submission.Psychosis.choices,
                                                 sub.psychotic_symptoms), change("history")),
            Row(_("Other diagnoses"), _list(OTHER_DIAGNOSIS_CHOICES, sub.other_diagnoses)
                if sub.other_diagnoses else str(NOT_PROVIDED), change("history")),
            Row(_("Depression or bipolar disorder in close family"),
                _choice(YesNoUnknown.choices, sub.family_history), change("history")),
            Row(_("Difficult or traumatic experiences"),
                _choice(Submission.Trauma.choices, sub.trauma), change("history")),
        ]),
        Section(_("How you have been feeling"), [
            Row(str(question), str(phq9.get(str(answer), NOT_PROVIDED)), change("phq9"))
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
            Row(str(therapy_labels.get(t.type, t.type)).split(":")[0],
                _("%(sessions)s sessions; helped: %(helped)s") % {
                    "sessions": t.sessions if t.sessions is not None else _("not given"),
                    "helped": _choice(TherapyTried.Helped.choices, t.helped)},
                change("therapy-details"))
            for t in therapies
        ] or [Row(_("Talk therapy"), str(_("None")), change("therapy"))]),
        Section(_("Other treatments"), [
            Row(str(label), _choice(TREATMENT_HELPED_CHOICES,
                                    sub.other_treatments.get(code, "not_tried")),
                change("other-treatments"))
            for code, label in OTHER_TREATMENT_CHOICES
        ]),
        Section(_("Health questions"), [
            Row(_("These apply to you"), _list(HEALTH_CHOICES, sub.health_conditions),
                change("health")),
            Row(_("Anything else"), sub.anything_else or str(NOT_PROVIDED), change("health")),
        ]),
    ]
    return sections
