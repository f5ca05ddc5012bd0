"""The patient's question pages as forms: validation, and loading from / saving into a draft.

Every form validates on the server with messages in plain words. Each `StepForm` knows how to
fill itself from a `Submission` (`initial_for`) and how to save into it (`save`); the views do
nothing else with answers.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .medicine_choices import label as medicine_label
from .medicine_names import best_match, normalise
from .models import Medication, MedicationTrial, Submission, TherapyTried, YesNoUnknown
from .patient_text import (
    HEALTH_CHOICES,
    OTHER_DIAGNOSIS_CHOICES,
    OTHER_TREATMENT_CHOICES,
    PHQ9_ANSWERS,
    PHQ9_QUESTIONS,
    PRIVACY_NOTICE_VERSION,
    THERAPY_CHOICES,
    TREATMENT_HELPED_CHOICES,
)

NONE = "none"
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
MAX_DOSE = Decimal(3000)
MAX_WEEKS = 2600   # 50 years
MAX_MONTHS = 600


CHOICE_ATTRS = {"class": "form-check-input"}


def radios(label, choices, *, required=True, help_text="", **kwargs):
    """A radio group; templates render it as a fieldset whose legend is the label."""
    return forms.ChoiceField(label=label, choices=choices,
                             widget=forms.RadioSelect(attrs=CHOICE_ATTRS),
                             required=required, help_text=help_text, **kwargs)


def checkboxes(label, choices, *, required=False, help_text=""):
    return forms.MultipleChoiceField(label=label, choices=choices, required=required,
                                     widget=forms.CheckboxSelectMultiple(attrs=CHOICE_ATTRS),
                                     help_text=help_text)


def yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


class StepForm(forms.Form):
    """A question page bound to a draft submission.

    `save` writes the answers into `self.submission` (and its related rows); `saves` names the
    submission fields it writes, so the view saves those and nothing else: a page saved at the
    same time in another tab, or a safety flag raised meanwhile, is never overwritten.
    """

    saves: tuple[str, ...] = ()

    def __init__(self, *args, submission: Submission, **kwargs):
        self.submission = submission
        kwargs.setdefault("initial", self.initial_for(submission))
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, sub: Submission) -> dict:
        return {}

    def save(self) -> None:
        raise NotImplementedError


def value_or_unknown(form: forms.Form, value_field: str, unknown_field: str, missing,
                     both) -> None:
    """A number with an "I don't know" box: exactly one of the two must be given."""
    if value_field in form.errors:
        return
    value = form.cleaned_data.get(value_field)
    unknown = form.cleaned_data.get(unknown_field)
    if value is None and not unknown:
        form.add_error(value_field, missing)
    elif value is not None and unknown:
        form.add_error(value_field, both)


def exclusive_none(form: forms.Form, field: str, message) -> list[str]:
    """Checkbox lists with a 'None of these' choice: it cannot be combined with others."""
    chosen = form.cleaned_data.get(field) or []
    if NONE in chosen and len(chosen) > 1:
        form.add_error(field, message)
    return [c for c in chosen if c != NONE]


# --- section 1: about you ---------------------------------------------------------------------

class ConsentForm(StepForm):
    age_ok = radios(_("Are you 18 or older?"), YES_NO,
                    error_messages={"required": _("Select yes if you are 18 or older")})
    consent = forms.BooleanField(
        label=_("I agree that the clinic stores my answers to prepare my first appointment"),
        error_messages={"required": _("Select the box to agree, or leave the form")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        age = settings.MIN_PATIENT_AGE
        self.fields["age_ok"].label = _("Are you %(age)s or older?") % {"age": age}
        self.fields["age_ok"].error_messages["required"] = _(
            "Select yes if you are %(age)s or older") % {"age": age}

    saves = ("age_confirmed", "consented_at", "privacy_notice_version")

    @classmethod
    def initial_for(cls, sub):
        return {"age_ok": yes_no(sub.age_confirmed), "consent": sub.consented_at is not None}

    def save(self):
        sub = self.submission
        sub.age_confirmed = self.cleaned_data["age_ok"] == "yes"
        sub.consented_at = sub.consented_at or timezone.now()
        sub.privacy_notice_version = PRIVACY_NOTICE_VERSION


class MemorableDateWidget(forms.MultiWidget):
    """GOV.UK's "memorable date": three short boxes, month, day and year (US order), each with
    its own label, instead of a date picker that is slow for a birthday on a phone."""

    input_type = "memorable-date"  # templates render it as a fieldset
    template_name = "intake/widgets/memorable_date.html"
    PARTS = (("month", _("Month"), "bday-month", "2"), ("day", _("Day"), "bday-day", "2"),
             ("year", _("Year"), "bday-year", "4"))

    def __init__(self, attrs=None):
        widgets = {
            name: forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": autocomplete,
                                         "class": f"form-control date-part date-part-{size}",
                                         "maxlength": 4})
            for name, _label, autocomplete, size in self.PARTS
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        return [value.month, value.day, value.year] if value else [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, (_name, label, _ac, _size) in zip(context["widget"]["subwidgets"],
                                                         self.PARTS, strict=True):
            subwidget["label"] = label
        return context


class MemorableDateField(forms.MultiValueField):
    """Month, day and year boxes cleaned into a date, with a message naming what is wrong."""

    widget = MemorableDateWidget
    PART_NAMES = {"month": _("month"), "day": _("day"), "year": _("year")}

    def __init__(self, **kwargs):
        part = {"required": False, "error_messages": {"invalid": ""}}
        super().__init__(fields=(forms.CharField(**part), forms.CharField(**part),
                                 forms.CharField(**part)),
                         require_all_fields=False, **kwargs)

    def compress(self, data_list):
        label = self.label
        month, day, year = (data_list or ["", "", ""])
        missing = [name for name, value in (("month", month), ("day", day), ("year", year))
                   if not value]
        if len(missing) == 3:
            return None
        if missing:
            raise forms.ValidationError(_("%(label)s must include a %(part)s") % {
                "label": label, "part": self.PART_NAMES[missing[0]]})
        if not (month.isdigit() and day.isdigit() and year.isdigit()) or len(year) != 4:
            raise forms.ValidationError(_("%(label)s must be a real date, like 3 27 1985") % {
                "label": label})
        try:
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # a month of 99999999999999999999 overflows
            raise forms.ValidationError(_("%(label)s must be a real date, like 3 27 1985") % {
                "label": label}) from None


class AboutYouForm(StepForm):
    full_name = forms.CharField(label=_("Full name"), max_length=200,
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
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        error_messages={"invalid": _("Enter a phone number, like 555 010 0123")},
    )
    contact_preference = radios(_("How should we contact you?"),
                                Submission.ContactPreference.choices,
                                error_messages={"required": _("Select how we should contact you")})

    saves = ("full_name", "date_of_birth", "email", "phone", "contact_preference")

    @classmethod
    def initial_for(cls, sub):
        return {f: getattr(sub, f) for f in cls.saves}

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError(_("Date of birth must be in the past"))
        age = age_at(born, today)
        if age > 120:
            raise forms.ValidationError(_("Check the year of your date of birth"))
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

    def save(self):
        for name in self.saves:
            setattr(self.submission, name, self.cleaned_data[name])


def age_at(born: datetime.date | None, today: datetime.date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# --- section 2: your depression ---------------------------------------------------------------

class DepressionForm(StepForm):
    episode_months = forms.IntegerField(
        label=_("How many months has this episode of depression lasted?"), required=False,
        help_text=_("A rough number is fine. Enter 0 if it started less than a month ago."),
        min_value=0, max_value=1200,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-short"}),
        error_messages={"invalid": _("Enter the number of months as a whole number, like 8"),
                        "min_value": _("The number of months must be 0 or more"),
                        "max_value": _("The number of months must be 1200 or fewer")},
    )
    episode_months_unknown = forms.BooleanField(label=_("I don't know"), required=False)
    episode_count = radios(_("How many times in your life have you had an episode of "
                             "depression, including this one?"),
                           Submission.EpisodeCount.choices,
                           error_messages={"required": _("Select how many episodes you have had")})
    first_episode_age = forms.IntegerField(
        label=_("How old were you the first time? (optional)"), required=False,
        min_value=1, max_value=120,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-short"}),
        error_messages={"invalid": _("Enter an age in years, like 19"),
                        "min_value": _("Enter an age of 1 or more"),
                        "max_value": _("Enter an age of 120 or less")},
    )
    hospital_stays = radios(_("Have you ever stayed in hospital for your mental health?"),
                            YesNoUnknown.choices,
                            error_messages={"required": _("Select yes, no or I don't know")})

    saves = ("episode_months", "episode_months_unknown", "episode_count", "first_episode_age",
             "hospital_stays")

    @classmethod
    def initial_for(cls, sub):
        return {f: getattr(sub, f) for f in cls.saves}

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

    def save(self):
        for name in self.saves:
            setattr(self.submission, name, self.cleaned_data[name])


class HistoryForm(StepForm):
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

    saves = ("bipolar_history", "psychotic_symptoms", "other_diagnoses", "family_history",
             "trauma")

    @classmethod
    def initial_for(cls, sub):
        return {f: getattr(sub, f) for f in cls.saves}

    def save(self):
        for name in self.saves:
            setattr(self.submission, name, self.cleaned_data[name])


# --- section 3 and 4: how you have been feeling, safety ---------------------------------------

class Phq9Form(StepForm):
    saves = ("phq9",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number, question in enumerate(PHQ9_QUESTIONS, start=1):
            self.fields[f"item{number}"] = radios(
                question, PHQ9_ANSWERS,
                error_messages={"required": _("Select an answer for question %(n)s")
                                % {"n": number}})

    @classmethod
    def initial_for(cls, sub):
        return {f"item{n}": str(v) for n, v in enumerate(sub.phq9, start=1)}

    def save(self):
        self.submission.phq9 = [int(self.cleaned_data[f"item{n}"]) for n in range(1, 10)]


ASQ_FIELDS = ("asq_wished_dead", "asq_better_off_dead", "asq_thoughts_past_week",
              "asq_ever_attempted")


class AsqForm(StepForm):
    saves = (*ASQ_FIELDS, "asq_thoughts_now")

    asq_wished_dead = radios(_("In the past few weeks, have you wished you were dead?"), YES_NO)
    asq_better_off_dead = radios(
        _("In the past few weeks, have you felt that you or your family would be better off if "
          "you were dead?"), YES_NO)
    asq_thoughts_past_week = radios(
        _("In the past week, have you been having thoughts about killing yourself?"), YES_NO)
    asq_ever_attempted = radios(_("Have you ever tried to kill yourself?"), YES_NO)

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
    saves = ("asq_thoughts_now",)

    asq_thoughts_now = radios(_("Are you having thoughts of killing yourself right now?"),
                              YES_NO, error_messages={"required": _("Select yes or no")})

    @classmethod
    def initial_for(cls, sub):
        return {"asq_thoughts_now": yes_no(sub.asq_thoughts_now)}

    def save(self):
        self.submission.asq_thoughts_now = self.cleaned_data["asq_thoughts_now"] == "yes"


# --- section 5: medicines -------------------------------------------------------------------

class MedicineForm(forms.Form):
    """One medicine tried (a MedicationTrial); not a StepForm, the list is its own step."""

    OTHER, UNKNOWN = "other", "unknown"

    medication = forms.ChoiceField(
        label=_("Which medicine was it?"),
        help_text=_("Listed by generic name, with brand names in brackets."),
        error_messages={"required": _("Select the medicine, or select that it is not in the "
                                      "list or that you don't remember"),
                        "invalid_choice": _("Select a medicine from the list")})
    other_name = forms.CharField(
        label=_("If it is not in the list, what is it called?"), required=False,
        max_length=200)
    # Asked only when a typed name matches a catalog medicine: "Did you mean ...?"
    use_suggestion = radios(_("Did you mean this medicine?"), YES_NO, required=False)
    suggested_for = forms.CharField(required=False, widget=forms.HiddenInput)
    dose_mg_per_day = forms.DecimalField(
        label=_("What was the highest dose you took each day, in mg?"), required=False,
        help_text=_("Add up all doses in a day. Your pharmacy label or packet shows it."),
        min_value=Decimal("0.01"), max_value=MAX_DOSE, max_digits=8, decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any",
                                        "class": "input-short"}),
        error_messages={"invalid": _("Enter the dose as a number of mg, like 100"),
                        "min_value": _("The dose must be more than 0 mg"),
                        "max_value": _("The dose must be 3,000 mg or less"),
                        "max_digits": _("Enter the dose as a number of mg, like 100"),
                        "max_decimal_places": _("Enter the dose with at most 2 decimals")})
    dose_unknown = forms.BooleanField(label=_("I don't know the dose"), required=False)
    duration_amount = forms.DecimalField(
        label=_("How long did you take it at that dose?"), required=False,
        min_value=0, max_value=MAX_WEEKS, max_digits=6, decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any",
                                        "class": "input-short"}),
        error_messages={"invalid": _("Enter how long as a number, like 8"),
                        "min_value": _("How long must be 0 or more"),
                        "max_value": _("Check how long: that is more than 50 years"),
                        "max_digits": _("Check how long: that is more than 50 years"),
                        "max_decimal_places": _("Enter how long with at most 1 decimal")})
    duration_unit = radios(_("Weeks or months"), MedicationTrial.DurationUnit.choices,
                           required=False)
    duration_unknown = forms.BooleanField(label=_("I don't know how long"), required=False)
    adherence = radios(_("Did you take it as prescribed on most days?"),
                       MedicationTrial.Adherence.choices,
                       error_messages={"required": _("Select if you took it on most days")})
    improvement = radios(_("How much did it help?"), MedicationTrial.Improvement.choices,
                         error_messages={"required": _("Select how much it helped")})
    # Not asked for a medicine still being taken: that counts as this episode (rules v2).
    current_episode = radios(_("Did you take it during this episode of depression?"),
                             YesNoUnknown.choices, required=False,
                             help_text=_("Skip this if you are still taking it."))
    stopped_because = radios(_("Why did you stop taking it?"),
                             MedicationTrial.StoppedBecause.choices,
                             error_messages={"required": _("Select why you stopped, or that "
                                                           "you are still taking it")})

    def __init__(self, *args, catalog_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestion = None  # the catalog medicine a typed name seems to mean
        self.fields["medication"].choices = [
            ("", _("Choose a medicine")),
            *catalog_choices,
            (_("Not in the list"), [(self.OTHER, _("Another medicine (type its name below)")),
                                    (self.UNKNOWN, _("I don't remember the name"))]),
        ]

    @staticmethod
    def initial_for(trial: MedicationTrial | None) -> dict:
        if trial is None:
            return {}
        medication = trial.medication.slug if trial.kind == "catalog" else trial.kind
        return {
            "medication": medication, "other_name": trial.other_name,
            "dose_mg_per_day": trial.dose_mg_per_day,
            "dose_unknown": trial.dose_mg_per_day is None,
            "duration_amount": trial.duration_amount, "duration_unit": trial.duration_unit,
            "duration_unknown": trial.duration_amount is None,
            "adherence": trial.adherence, "improvement": trial.improvement,
            "current_episode": trial.current_episode, "stopped_because": trial.stopped_because,
        }

    def clean(self):
        data = super().clean()
        if data.get("medication") == self.OTHER and not (data.get("other_name") or "").strip() \
                and "other_name" not in self.errors:
            self.add_error("other_name", _("Enter the name of the medicine"))
        elif data.get("medication") == self.OTHER and "other_name" not in self.errors:
            self._did_you_mean(data)
        value_or_unknown(
            self, "dose_mg_per_day", "dose_unknown",
            _("Enter the highest daily dose in mg, or select I don't know the dose"),
            _("Enter a dose or select I don't know the dose, not both"))
        value_or_unknown(
            self, "duration_amount", "duration_unknown",
            _("Enter how long you took it, or select I don't know how long"),
            _("Enter how long or select I don't know how long, not both"))
        if data.get("duration_amount") is not None and not data.get("duration_unit") \
                and "duration_unit" not in self.errors:
            self.add_error("duration_unit", _("Select weeks or months"))
        still_taking = data.get("stopped_because") == MedicationTrial.StoppedBecause.STILL_TAKING
        if not still_taking and not data.get("current_episode") \
                and "current_episode" not in self.errors:
            self.add_error("current_episode", _("Select yes, no or I don't know"))
        if data.get("duration_unit") == "months" and data.get("duration_amount") is not None \
                and data["duration_amount"] > MAX_MONTHS:
            self.add_error("duration_amount", _("Check how long: that is more than 50 years"))
        return data

    @property
    def suggestion_key(self) -> str:
        """What the "Did you mean" answer refers to: the medicine and the name typed."""
        if self.suggestion is None:
            return ""
        typed = normalise(self.cleaned_data.get("other_name") or "")
        return f"{self.suggestion.slug}:{typed}"

    def _did_you_mean(self, data) -> None:
        """A typed name that matches a catalog medicine (exactly, by brand, or with a small
        typo) is confirmed with the patient: yes stores the catalog medicine, no keeps the
        name as typed. The question is asked again if the typed name changes."""
        match = best_match(Medication.objects.filter(active=True), data["other_name"])
        if match is None:
            return
        self.suggestion = match
        answered = data.get("suggested_for") == self.suggestion_key and \
            data.get("use_suggestion") in ("yes", "no")
        name = medicine_label(match)
        field = self.fields["use_suggestion"]
        field.label = _("Did you mean %(name)s?") % {"name": name}
        field.help_text = _("Select no to keep the name as you typed it.")
        self["use_suggestion"].label = field.label  # the bound field copied the label already
        if not answered:
            self.add_error("use_suggestion", _(
                "Select yes if you meant %(name)s, or no to keep the name you typed") % {
                "name": name})
        elif data["use_suggestion"] == "yes":
            data["medication"] = match.slug

    def apply_to(self, trial: MedicationTrial, catalog_by_slug: dict) -> MedicationTrial:
        data = self.cleaned_data
        choice = data["medication"]
        if choice in (self.OTHER, self.UNKNOWN):
            trial.kind, trial.medication = choice, None
        else:
            trial.kind, trial.medication = MedicationTrial.Kind.CATALOG, catalog_by_slug[choice]
        trial.other_name = data["other_name"].strip() if choice == self.OTHER else ""
        trial.dose_mg_per_day = data["dose_mg_per_day"]
        trial.duration_amount = data["duration_amount"]
        trial.duration_unit = data["duration_unit"] if data["duration_amount"] is not None else ""
        for name in ("adherence", "improvement", "current_episode", "stopped_because"):
            setattr(trial, name, data[name])
        if trial.stopped_because == MedicationTrial.StoppedBecause.STILL_TAKING:
            trial.current_episode = YesNoUnknown.YES  # still taking: this episode
        return trial


class MoreMedicinesForm(forms.Form):
    add_another = radios(_("Do you want to add another medicine?"), YES_NO,
                         error_messages={"required": _("Select yes or no")})

    def __init__(self, *args, first: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if first:
            self.fields["add_another"].label = _(
                "Have you taken any medicine for depression, including add-on medicines?")
            self.fields["add_another"].help_text = _(
                "Add-on medicines are taken with an antidepressant to boost it, such as "
                "aripiprazole, quetiapine, lithium or thyroid hormone.")


# --- sections 6 and 7: talk therapy, other treatments -----------------------------------------

class TherapyForm(StepForm):
    types = checkboxes(_("Which kinds of talk therapy have you had?"),
                       [*THERAPY_CHOICES, (NONE, _("None of these"))], required=True,
                       help_text=_("Select all that apply."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["types"].error_messages["required"] = _(
            "Select the kinds of therapy you have had, or None of these")

    @classmethod
    def initial_for(cls, sub):
        if "therapy" not in sub.steps_done:
            return {}
        return {"types": [t.type for t in sub.therapies.all()] or [NONE]}

    def clean(self):
        data = super().clean()
        data["types"] = exclusive_none(self, "types", _("Select None of these on its own, or "
                                                         "the kinds you have had"))
        return data

    def save(self):
        chosen = self.cleaned_data["types"]
        self.submission.therapies.exclude(type__in=chosen).delete()
        known = set(self.submission.therapies.values_list("type", flat=True))
        TherapyTried.objects.bulk_create(
            TherapyTried(submission=self.submission, type=t) for t in chosen if t not in known)


class TherapyDetailsForm(StepForm):
    """How many sessions and whether it helped, for each kind chosen on the page before."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(THERAPY_CHOICES)
        for therapy in self.submission.therapies.all():
            name = labels.get(therapy.type, therapy.type)
            self.fields[f"sessions_{therapy.type}"] = forms.IntegerField(
                label=_("%(name)s: about how many sessions? (optional)") % {"name": name},
                required=False, min_value=0, max_value=1000,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input-short"}),
                error_messages={"invalid": _("Enter a whole number of sessions, like 12"),
                                "min_value": _("Enter 0 or more sessions"),
                                "max_value": _("Enter 1,000 sessions or fewer")})
            self.fields[f"helped_{therapy.type}"] = radios(
                _("%(name)s: did it help?") % {"name": name}, TherapyTried.Helped.choices,
                error_messages={"required": _("Select if %(name)s helped") % {"name": name}})

    @classmethod
    def initial_for(cls, sub):
        initial = {}
        for t in sub.therapies.all():
            initial[f"sessions_{t.type}"] = t.sessions
            initial[f"helped_{t.type}"] = t.helped or None
        return initial

    def save(self):
        for therapy in self.submission.therapies.all():
            if f"helped_{therapy.type}" not in self.cleaned_data:
                continue  # chosen in another tab after this page was shown: asked next time
            therapy.sessions = self.cleaned_data[f"sessions_{therapy.type}"]
            therapy.helped = self.cleaned_data[f"helped_{therapy.type}"]
            therapy.save(update_fields=["sessions", "helped"])


class OtherTreatmentsForm(StepForm):
    """Each treatment: not tried, or tried and how much it helped."""

    saves = ("other_treatments",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in OTHER_TREATMENT_CHOICES:
            self.fields[code] = radios(
                label, TREATMENT_HELPED_CHOICES,
                error_messages={"required": _("Select if you have tried %(name)s")
                                % {"name": label}})

    @classmethod
    def initial_for(cls, sub):
        if "other-treatments" not in sub.steps_done:
            return {}
        return {code: sub.other_treatments.get(code, "not_tried")
                for code, _label in OTHER_TREATMENT_CHOICES}

    def save(self):
        self.submission.other_treatments = {
            code: self.cleaned_data[code] for code, _label in OTHER_TREATMENT_CHOICES
            if self.cleaned_data[code] != "not_tried"}


# --- section 8: health ----------------------------------------------------------------------

class HealthForm(StepForm):
    saves = ("health_conditions", "anything_else")

    conditions = checkboxes(
        _("Do any of these apply to you?"), [*HEALTH_CHOICES, (NONE, _("None of these"))],
        required=True, help_text=_("Select all that apply. If you are not sure, select it: a "
                                   "clinician will check with you."))
    anything_else = forms.CharField(
        label=_("Is there anything else the clinic should know? (optional)"), required=False,
        max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("You can enter up to 2,000 characters."),
        error_messages={"max_length": _("Enter 2,000 characters or fewer")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conditions"].error_messages["required"] = _(
            "Select the ones that apply to you, or None of these")

    @classmethod
    def initial_for(cls, sub):
        if "health" not in sub.steps_done:
            return {}
        return {"conditions": sub.health_conditions or [NONE],
                "anything_else": sub.anything_else}

    def clean(self):
        data = super().clean()
        data["conditions"] = exclusive_none(self, "conditions", _(
            "Select None of these on its own, or the ones that apply to you"))
        return data

    def save(self):
        self.submission.health_conditions = self.cleaned_data["conditions"]
        self.submission.anything_else = self.cleaned_data["anything_else"]


class ResumeForm(forms.Form):
    """A resume code alone opens nothing: the date of birth given on "About you" must match."""

    code = forms.CharField(
        label=_("Your resume code"), max_length=64,
        help_text=_("It looks like ABCDE-FGHIJ-KLMNO-PQRST. It was shown when you saved your "
                    "answers."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                      "autocapitalize": "characters"}),
        error_messages={"required": _("Enter your resume code")})
    date_of_birth = MemorableDateField(
        label=_("Your date of birth"), help_text=_("For example, 3 27 1985"),
        error_messages={"required": _("Enter your date of birth")})
