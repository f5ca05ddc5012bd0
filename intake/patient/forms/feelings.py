"""How you have been feeling (the PHQ-9), the safety questions (the ASQ), and health."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ...wording import HEALTH_CHOICES, PHQ9_ANSWERS, PHQ9_QUESTIONS, YES_NO
from ..fields import NONE, checkboxes, exclusive_none, radios, yes_no
from ..layout import Question, helper
from .base import StepForm


def phq9_item(number: int):
    return radios(PHQ9_QUESTIONS[number - 1], PHQ9_ANSWERS, error_messages={
        "required": format_lazy(_("Select an answer for question {}"), number)})


class Phq9Form(StepForm):
    item1, item2, item3 = phq9_item(1), phq9_item(2), phq9_item(3)
    item4, item5, item6 = phq9_item(4), phq9_item(5), phq9_item(6)
    item7, item8, item9 = phq9_item(7), phq9_item(8), phq9_item(9)
    helper = helper(*(f"item{n}" for n in range(1, 10)))

    class Meta:
        fields = ("phq9",)

    @classmethod
    def initial_for(cls, sub):
        return {f"item{n}": str(v) for n, v in enumerate(sub.phq9, start=1)}

    def save(self):
        self.submission.phq9 = [int(self.cleaned_data[f"item{n}"]) for n in range(1, 10)]


ASQ_FIELDS = ("asq_wished_dead", "asq_better_off_dead", "asq_thoughts_past_week",
              "asq_ever_attempted")


class AsqForm(StepForm):
    asq_wished_dead = radios(_("In the past few weeks, have you wished you were dead?"), YES_NO)
    asq_better_off_dead = radios(
        _("In the past few weeks, have you felt that you or your family would be better off if "
          "you were dead?"), YES_NO)
    asq_thoughts_past_week = radios(
        _("In the past week, have you been having thoughts about killing yourself?"), YES_NO)
    asq_ever_attempted = radios(_("Have you ever tried to kill yourself?"), YES_NO)
    helper = helper(*(Question(name, inline=True) for name in ASQ_FIELDS))

    class Meta:
        fields = (*ASQ_FIELDS, "asq_thoughts_now")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("Select yes or no")

    @classmethod
    def initial_for(cls, sub):
        return {f: yes_no(getattr(sub, f)) for f in ASQ_FIELDS}

    def save(self):
        sub = self.submission
        for name in ASQ_FIELDS:
            setattr(sub, name, self.cleaned_data[name] == "yes")
        if not any(getattr(sub, name) for name in ASQ_FIELDS):
            sub.asq_thoughts_now = None  # the fifth question is only asked after a yes


class AsqNowForm(StepForm):
    asq_thoughts_now = radios(_("Are you having thoughts of killing yourself right now?"),
                              YES_NO, error_messages={"required": _("Select yes or no")})
    helper = helper(Question("asq_thoughts_now", inline=True))

    class Meta:
        fields = ("asq_thoughts_now",)

    @classmethod
    def initial_for(cls, sub):
        return {"asq_thoughts_now": yes_no(sub.asq_thoughts_now)}

    def save(self):
        self.submission.asq_thoughts_now = self.cleaned_data["asq_thoughts_now"] == "yes"


class HealthForm(StepForm):
    """Conditions that matter for some treatments. Each ticked one can be marked "not sure":
    it is stored as ticked (the rules raise the consideration, a clinician checks) and in
    `health_unsure`, so the patient and staff see "not sure"."""

    conditions = checkboxes(
        _("Do any of these apply to you?"), [*HEALTH_CHOICES, (NONE, _("None of these"))],
        required=True, help_text=_("Select all that apply. If you are not sure, select it, "
                                   "then select \u201cI am not sure\u201d under it: a "
                                   "clinician will check with you."))
    unsure = checkboxes(_("I am not sure"), HEALTH_CHOICES)
    anything_else = forms.CharField(
        label=_("Is there anything else the clinic should know? (optional)"), required=False,
        max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("You can enter up to 2,000 characters."),
        error_messages={"max_length": _("Enter 2,000 characters or fewer")})
    helper = helper(Question("conditions", template="govuk/health_conditions.html"),
                    "anything_else")

    class Meta:
        fields = ("health_conditions", "health_unsure", "anything_else")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conditions"].error_messages["required"] = _(
            "Select the ones that apply to you, or None of these")

    @classmethod
    def initial_for(cls, sub):
        if "health" not in sub.steps_done:
            return {}
        return {"conditions": sub.health_conditions or [NONE],
                "unsure": sub.health_unsure, "anything_else": sub.anything_else}

    def clean(self):
        data = super().clean()
        unsure = data.get("unsure") or []
        if "conditions" in data:  # "not sure" of one not ticked: ticked, and not sure
            data["conditions"] = [*data["conditions"],
                                  *(c for c in unsure if c not in data["conditions"])]
        chosen = exclusive_none(self, "conditions", _(
            "Select None of these on its own, or the ones that apply to you"))
        order = [code for code, _label in HEALTH_CHOICES]
        data["health_conditions"] = [c for c in order if c in chosen]
        data["health_unsure"] = [c for c in order if c in unsure]
        return data
