"""The patient's question pages as forms: validation, layout, and loading from / saving into a
draft.

Every form validates on the server with messages in plain words and declares its layout for
django-crispy-forms (`helper`, rendered by the project's `govuk` template pack). Each step form
knows how to fill itself from a `Submission` and how to save into it (`save`); its `Meta.fields`
names the submission fields it writes, so the view saves those and nothing else. A question is
declared once, as a model field and a form field: its label, the fields a page saves and its
rows in Check your answers, the staff summary and the CSV export follow (`answers.py`). Field
helpers are in `fields.py`, the medicine form in `medicine_form.py` (all in `intake/patient/`).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .. import wording
from ..models import Submission, TherapyTried, YesNoUnknown
from ..wording import (
    HEALTH_CHOICES,
    OTHER_DIAGNOSIS_CHOICES,
    OTHER_TREATMENT_CHOICES,
    PHQ9_ANSWERS,
    PHQ9_QUESTIONS,
    PRIVACY_NOTICE_VERSION,
    THERAPY_CHOICES,
    TREATMENT_HELPED_CHOICES,
    YES_NO,
)
from .answers import saved_fields
from .fields import (
    NONE,
    DateError,
    MemorableDateField,
    age_at,
    checkboxes,
    exclusive_none,
    radios,
    value_or_unknown,
    whole_number,
    yes_no,
)
from .layout import GovukBoundField, Question, helper
from .medicine_form import MedicineForm, MoreMedicinesForm

__all__ = ["ASQ_FIELDS", "AboutYouForm", "AsqForm", "AsqNowForm", "ConsentForm",
           "DepressionForm", "HealthForm", "HistoryForm", "MedicineForm", "MoreMedicinesForm",
           "OtherTreatmentsForm", "OtherTreatmentsHelpedForm", "Phq9Form", "ResumeForm",
           "TherapyDetailsForm", "TherapyForm", "age_at"]


class StepMixin:
    """A question page bound to a draft submission.

    `save` writes the answers into `self.submission` (and its related rows); `Meta.fields` names
    the submission fields it writes (`saves`), so the view saves those and nothing else: a page
    saved at the same time in another tab, or a safety flag raised meanwhile, is never
    overwritten. The view binds the form to the draft it read, then points `submission` at the
    locked row before `save`.
    """

    bound_field_class = GovukBoundField  # drawn by the govuk template pack

    @property
    def saves(self) -> tuple[str, ...]:
        return saved_fields(type(self))

    def save(self) -> None:
        for name in self.saves:
            setattr(self.submission, name, self.cleaned_data[name])


class StepForm(StepMixin, forms.Form):
    def __init__(self, *args, submission: Submission, **kwargs):
        self.submission = submission
        kwargs.setdefault("initial", self.initial_for(submission))
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, sub: Submission) -> dict:
        return {}


class StepModelForm(StepForm):
    """A page whose fields are the submission's own, one to one: each is declared on the form
    (its label, widget and messages), and its initial value is the draft's. `save` writes only
    `saves` into the locked row and never saves it; no model validation runs on the copy read
    before the lock."""

    @classmethod
    def initial_for(cls, sub: Submission) -> dict:
        return {name: getattr(sub, name) for name in saved_fields(cls)}


# --- section 1: about you ---------------------------------------------------------------------

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


# --- section 2: your depression ---------------------------------------------------------------

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


# --- section 3 and 4: how you have been feeling, safety ---------------------------------------

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


# --- sections 6 and 7: talk therapy, other treatments -----------------------------------------

class TherapyForm(StepForm):
    types = checkboxes(_("Which kinds of talk therapy have you had?"),
                       [*THERAPY_CHOICES, (NONE, _("None of these"))], required=True,
                       help_text=_("Select all that apply."))
    helper = helper("types")

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
        layout = []
        for therapy in self.submission.therapies.all():
            name = labels.get(therapy.type, therapy.type)
            self.fields[f"sessions_{therapy.type}"] = whole_number(
                _("%(name)s: about how many sessions? (optional)") % {"name": name},
                min_value=0, max_value=1000,
                messages={"invalid": _("Enter a whole number of sessions, like 12"),
                          "min_value": _("Enter 0 or more sessions"),
                          "max_value": _("Enter 1,000 sessions or fewer")})
            self.fields[f"helped_{therapy.type}"] = radios(
                _("%(name)s: did it help?") % {"name": name}, TherapyTried.Helped.choices,
                error_messages={"required": _("Select if %(name)s helped") % {"name": name}})
            layout += [f"sessions_{therapy.type}", f"helped_{therapy.type}"]
        self.helper = helper(*layout)

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


TREATMENT_NAMES = dict(OTHER_TREATMENT_CHOICES)
# The codes of TREATMENT_HELPED_CHOICES but "not_tried", in the words of this page's question.
HELPED_CHOICES = [(code, wording.ANSWERS["other_treatment_helped"][code])
                  for code, _label in TREATMENT_HELPED_CHOICES if code != "not_tried"]


class OtherTreatmentsForm(StepForm):
    """Which of these treatments the patient has tried (one question; how much each helped is
    the next page, asked only for those tried). Stored as {code: how much it helped}, with ""
    until the next page is answered."""

    tried = checkboxes(_("Which of these treatments have you tried?"),
                       [*OTHER_TREATMENT_CHOICES, (NONE, _("None of these"))], required=True,
                       help_text=_("Select all that apply. Most people have not tried these."))
    helper = helper(Question("tried", page_heading=True))

    class Meta:
        fields = ("other_treatments",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tried"].error_messages["required"] = _(
            "Select the treatments you have tried, or None of these")

    @classmethod
    def initial_for(cls, sub):
        if "other-treatments" not in sub.steps_done:
            return {}
        return {"tried": [code for code, helped in sub.other_treatments.items()
                          if helped != "not_tried"] or [NONE]}

    def clean(self):
        data = super().clean()
        data["tried"] = exclusive_none(self, "tried", _(
            "Select None of these on its own, or the treatments you have tried"))
        return data

    def save(self):
        # merged into the locked row: an answer already given for a treatment still chosen
        # (from the next page, maybe in another tab) is kept
        known = self.submission.other_treatments or {}
        self.submission.other_treatments = {
            code: known.get(code, "") if known.get(code) != "not_tried" else ""
            for code, _label in OTHER_TREATMENT_CHOICES if code in self.cleaned_data["tried"]}


class OtherTreatmentsHelpedForm(StepForm):
    """How much each treatment chosen on the page before helped."""

    class Meta:
        fields = ("other_treatments",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = []
        for code in self.submission.other_treatments:
            name = TREATMENT_NAMES.get(code, code)
            self.fields[code] = radios(
                _("How much did %(name)s help?") % {"name": name}, HELPED_CHOICES,
                error_messages={"required": _("Select how much %(name)s helped")
                                % {"name": name}})
            names.append(code)
        self.helper = helper(*names)

    @classmethod
    def initial_for(cls, sub):
        return {code: helped for code, helped in sub.other_treatments.items() if helped}

    def save(self):
        current = dict(self.submission.other_treatments or {})
        for code in current:
            if code in self.cleaned_data:  # one chosen in another tab meanwhile: asked next
                current[code] = self.cleaned_data[code]
        self.submission.other_treatments = current


# --- section 8: health ----------------------------------------------------------------------

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


class ResumeForm(forms.Form):
    """A resume code alone opens nothing: the date of birth given on "About you" must match."""

    bound_field_class = GovukBoundField

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
    helper = helper("code", "date_of_birth")
