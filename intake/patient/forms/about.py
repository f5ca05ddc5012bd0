"""About you and your depression: consent, who you are, the depression and its history."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ...models import Submission, YesNoUnknown
from ...wording import OTHER_DIAGNOSIS_CHOICES, PRIVACY_NOTICE_VERSION, YES_NO
from ..fields import (
    DateError,
    MemorableDateField,
    age_at,
    checkboxes,
    radios,
    value_or_unknown,
    whole_number,
    yes_no,
)
from ..layout import Question, helper
from .base import StepForm, StepModelForm


class ConsentForm(StepForm):
    age_ok = radios(_("Are you 18 or older?"), YES_NO,
                    error_messages={"required": _("Select yes if you are 18 or older")})
    consent = forms.BooleanField(
        label=_("I agree that the clinic stores my answers to prepare my first appointment"),
        error_messages={"required": _("Select the box to agree, or leave the form")},
    )
    helper = helper(Question("age_ok", inline=True), "consent")

    class Meta:
        fields = ("age_confirmed", "consented_at", "privacy_notice_version")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        age = settings.MIN_PATIENT_AGE
        self.fields["age_ok"].label = _("Are you %(age)s or older?") % {"age": age}
        self.fields["age_ok"].error_messages["required"] = _(
            "Select yes if you are %(age)s or older") % {"age": age}

    @classmethod
    def initial_for(cls, sub):
        return {"age_ok": yes_no(sub.age_confirmed), "consent": sub.consented_at is not None}

    def save(self):
        sub = self.submission
        sub.age_confirmed = self.cleaned_data["age_ok"] == "yes"
        sub.consented_at = sub.consented_at or timezone.now()
        sub.privacy_notice_version = PRIVACY_NOTICE_VERSION


class AboutYouForm(StepModelForm):
    full_name = forms.CharField(
        label=_("Full name"), max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={"required": _("Enter your full name")})
    date_of_birth = MemorableDateField(
        label=_("Date of birth"), help_text=_("For example, 3 27 1985"),
        error_messages={"required": _("Enter your date of birth")},
    )
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254,
        help_text=_("We use it to contact you about your appointment."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={"required": _("Enter your e-mail address"),
                        "invalid": _("Enter an e-mail address like name@example.com")},
    )
    phone = forms.RegexField(
        label=_("Phone number (optional)"), required=False, max_length=40,
        regex=r"^\+?[0-9 ()\-.]{6,40}$",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel",
                                      "class": "input-width-20"}),
        error_messages={"invalid": _("Enter a phone number, like 555 010 0123")},
    )
    contact_preference = radios(_("How should we contact you?"),
                                Submission.ContactPreference.choices,
                                error_messages={"required": _("Select how we should contact you")})

    class Meta:
        model = Submission
        fields = ("full_name", "date_of_birth", "email", "phone", "contact_preference")

    helper = helper(*Meta.fields)

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError(_("Date of birth must be in the past"))
        age = age_at(born, today)
        if age > 120:
            raise DateError(_("Check the year of your date of birth"), ["year"])
        if age < settings.MIN_PATIENT_AGE:
            raise forms.ValidationError(
                _("You must be %(age)s or older to use this form") % {
                    "age": settings.MIN_PATIENT_AGE})
        return born

    def clean(self):
        data = super().clean()
        if data.get("contact_preference") in ("phone", "either") and not data.get("phone") \
                and "phone" not in self.errors:
            self.add_error("phone", _("Enter a phone number, or choose to be contacted by e-mail"))
        return data


class DepressionForm(StepModelForm):
    episode_months = whole_number(
        _("How many months has this episode of depression lasted?"),
        help_text=_("A rough number is fine. Enter 0 if it started less than a month ago."),
        min_value=0, max_value=1200,
        messages={"invalid": _("Enter the number of months as a whole number, like 8"),
                  "min_value": _("The number of months must be 0 or more"),
                  "max_value": _("The number of months must be 1200 or fewer")})
    episode_months_unknown = forms.BooleanField(label=_("I don't know"), required=False)
    episode_count = radios(_("How many times in your life have you had an episode of "
                             "depression, including this one?"),
                           Submission.EpisodeCount.choices,
                           error_messages={"required": _("Select how many episodes you have had")})
    first_episode_age = whole_number(
        _("How old were you the first time? (optional)"), min_value=1, max_value=120,
        messages={"invalid": _("Enter an age in years, like 19"),
                  "min_value": _("Enter an age of 1 or more"),
                  "max_value": _("Enter an age of 120 or less")})
    hospital_stays = radios(_("Have you ever stayed in hospital for your mental health?"),
                            YesNoUnknown.choices,
                            error_messages={"required": _("Select yes, no or I don't know")})

    unknown_boxes = {"episode_months": "episode_months_unknown"}
    number_words = {"episode_months": _("%(n)s months")}
    helper = helper(Question("episode_months"),
                    Question("episode_months_unknown", wrapper_class="form-group--tight"),
                    "episode_count", "first_episode_age", "hospital_stays")

    class Meta:
        model = Submission
        fields = ("episode_months", "episode_months_unknown", "episode_count",
                  "first_episode_age", "hospital_stays")

    def clean(self):
        data = super().clean()
        value_or_unknown(
            self, "episode_months", "episode_months_unknown",
            _("Enter how many months this episode has lasted, or select I don't know"),
            _("Enter a number of months or select I don't know, not both"))
        first = data.get("first_episode_age")
        age = age_at(self.submission.date_of_birth, timezone.localdate())
        if first is not None and age is not None and first > age:
            self.add_error("first_episode_age",
                           _("The age at your first episode cannot be more than your age now"))
        return data


class HistoryForm(StepModelForm):
    bipolar_history = radios(
        _("Have you ever had mania or hypomania, or been told you have bipolar disorder?"),
        YesNoUnknown.choices,
        help_text=_("Mania or hypomania means days of feeling unusually high, energetic or "
                    "irritable, needing much less sleep."),
        error_messages={"required": _("Select yes, no or I don't know")})
    psychotic_symptoms = radios(
        _("Have you ever seen or heard things others could not, or had strong beliefs others "
          "found strange?"),
        Submission.Psychosis.choices,
        help_text=_("Doctors call these psychotic symptoms."),
        error_messages={"required": _("Select one answer")})
    other_diagnoses = checkboxes(
        _("Have you been told you have any of these? (optional)"), OTHER_DIAGNOSIS_CHOICES,
        help_text=_("Select all that apply."))
    family_history = radios(
        _("Has a parent, brother, sister or child had depression or bipolar disorder?"),
        YesNoUnknown.choices, error_messages={"required": _("Select yes, no or I don't know")})
    trauma = radios(
        _("Have you lived through very difficult or traumatic experiences, as a child or "
          "later? (optional)"),
        Submission.Trauma.choices, required=False,
        help_text=_("You do not need to say what happened."))

    class Meta:
        model = Submission
        fields = ("bipolar_history", "psychotic_symptoms", "other_diagnoses", "family_history",
                  "trauma")

    helper = helper(*Meta.fields)
