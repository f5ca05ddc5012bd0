"""The medicine pages' forms: one medicine tried (a MedicationTrial), and "add another?".

Doses are asked in the catalog's unit of each medicine (mg for most, micrograms for thyroid
hormone): the patient picks the unit beside the number, a unit that does not match the chosen
medicine is an error naming the right one, and the dose is stored in mg (25 mcg is 0.025 mg)
with the unit given, so the rules and staff read mg and the patient sees what they typed.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import wording
from ..models import Medication, MedicationTrial, YesNoUnknown
from .fields import number_input, radios, value_or_unknown
from .layout import GovukBoundField, Group, Question, Revealed, helper
from .medicine_choices import OTHER, UNKNOWN, Menu
from .medicine_choices import label as medicine_label
from .medicine_names import best_match, normalise

MAX_DOSE = {"mg": Decimal(3000), "mcg": Decimal(5000)}
MAX_WEEKS = 2600   # 50 years
MAX_MONTHS = 600


def plain(value: Decimal | None) -> str | None:
    """A stored decimal as the patient typed it: 25, 37.5 (not 25.0000)."""
    return None if value is None else format(value.normalize(), "f")


class MedicineForm(forms.Form):
    """One medicine tried; not a step form, the list is its own step."""

    bound_field_class = GovukBoundField  # drawn by the govuk template pack

    medication = forms.ChoiceField(
        label=_("Which medicine was it?"),
        help_text=_("Listed by generic name, with brand names in brackets."),
        error_messages={"required": _("Select the medicine, or select that it is not in the "
                                      "list or that you don't remember"),
                        "invalid_choice": _("Select a medicine from the list")})
    other_name = forms.CharField(
        label=_("If it is not in the list, what is it called?"), required=False,
        max_length=200, widget=forms.TextInput(attrs={"spellcheck": "false"}))
    # Asked only when a typed name matches a catalog medicine: "Did you mean ...?"
    use_suggestion = radios(_("Did you mean this medicine?"), wording.YES_NO, required=False)
    suggested_for = forms.CharField(required=False, widget=forms.HiddenInput)
    dose = forms.DecimalField(
        label=_("Highest daily dose, as a number"), required=False,
        min_value=Decimal("0.01"), max_digits=8, decimal_places=2,
        widget=number_input(decimal=True, width=5),
        error_messages={"invalid": _("Enter the dose as a number, like 100"),
                        "min_value": _("The dose must be more than 0"),
                        "max_digits": _("Enter the dose as a number, like 100"),
                        "max_decimal_places": _("Enter the dose with at most 2 decimals")})
    dose_unit = radios(_("Unit"), wording.UNITS, required=False, initial="mg")
    dose_unknown = forms.BooleanField(label=_("I don't know the dose"), required=False)
    duration_amount = forms.DecimalField(
        label=_("How long, as a number"), required=False,
        min_value=0, max_value=MAX_WEEKS, max_digits=6, decimal_places=1,
        widget=number_input(decimal=True),
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
    stopped_because = radios(_("Why did you stop taking it?"),
                             MedicationTrial.StoppedBecause.choices,
                             error_messages={"required": _("Select why you stopped, or that "
                                                           "you are still taking it")})
    # Not asked for a medicine still being taken: that counts as this episode (rules v2).
    current_episode = radios(_("Did you take it during this episode of depression?"),
                             YesNoUnknown.choices, required=False,
                             help_text=_("Skip this if you are still taking it."))

    @property
    def helper(self):
        return WITH_SUGGESTION if self.suggestion is not None else WITHOUT_SUGGESTION

    def __init__(self, *args, menu: Menu, catalog=None, **kwargs):
        """`menu`: the medicines to offer (medicine_choices: `full_menu`, or a Menu of a
        search's results)."""
        super().__init__(*args, **kwargs)
        self.catalog = catalog or {}
        self.suggestion = None  # the catalog medicine a typed name seems to mean
        self.fields["medication"].choices = menu

    @staticmethod
    def initial_for(trial: MedicationTrial | None, medication: Medication | None = None) -> dict:
        if trial is None:
            return {"dose_unit": medication.dose_unit if medication else "mg"}
        medication = trial.medication.slug if trial.kind == "catalog" else trial.kind
        return {
            "medication": medication, "other_name": trial.other_name,
            "dose": plain(trial.dose_in_unit), "dose_unit": trial.dose_unit,
            "dose_unknown": trial.dose_mg_per_day is None,
            "duration_amount": trial.duration_amount, "duration_unit": trial.duration_unit,
            "duration_unknown": trial.duration_amount is None,
            "adherence": trial.adherence, "improvement": trial.improvement,
            "current_episode": trial.current_episode, "stopped_because": trial.stopped_because,
        }

    def clean(self):
        data = super().clean()
        choice = data.get("medication")
        if choice == OTHER and not (data.get("other_name") or "").strip() \
                and "other_name" not in self.errors:
            self.add_error("other_name", _("Enter the name of the medicine"))
        elif choice == OTHER and "other_name" not in self.errors:
            self._did_you_mean(data)
        value_or_unknown(
            self, "dose", "dose_unknown",
            _("Enter the highest daily dose, or select I don't know the dose"),
            _("Enter a dose or select I don't know the dose, not both"))
        self._check_unit(data)
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

    def _check_unit(self, data) -> None:
        """The dose in the unit of the chosen medicine, within a plausible maximum."""
        dose, unit = data.get("dose"), data.get("dose_unit")
        if dose is None or "dose" in self.errors:
            return
        if not unit:
            self.add_error("dose_unit", _("Select mg or micrograms (mcg)"))
            return
        med = self.catalog.get(data.get("medication"))
        if med is not None and med.dose_unit != unit:
            self.add_error("dose_unit", _(
                "%(name)s is measured in %(unit)s: select %(unit)s, and check the dose") % {
                "name": med.generic_name[:1].upper() + med.generic_name[1:],
                "unit": wording.unit(med.dose_unit)})
        elif dose > MAX_DOSE[unit]:
            self.add_error("dose", _("The dose must be %(max)s %(unit)s or less") % {
                "max": f"{MAX_DOSE[unit]:,}", "unit": unit})

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
        if choice in (OTHER, UNKNOWN):
            trial.kind, trial.medication = choice, None
        else:
            trial.kind, trial.medication = MedicationTrial.Kind.CATALOG, catalog_by_slug[choice]
        trial.other_name = data["other_name"].strip() if choice == OTHER else ""
        dose, unit = data["dose"], data.get("dose_unit") or "mg"
        trial.dose_unit = unit
        trial.dose_mg_per_day = None if dose is None else (dose / 1000 if unit == "mcg" else dose)
        trial.duration_amount = data["duration_amount"]
        trial.duration_unit = data["duration_unit"] if data["duration_amount"] is not None else ""
        for name in ("adherence", "improvement", "current_episode", "stopped_because"):
            setattr(trial, name, data[name])
        if trial.stopped_because == MedicationTrial.StoppedBecause.STILL_TAKING:
            trial.current_episode = YesNoUnknown.YES  # still taking: this episode
        return trial


def _layout(suggestion: bool):
    return helper(
        "medication", "other_name", *(["use_suggestion"] if suggestion else []),
        Group(_("What was the highest dose you took each day?"),
              Question("dose", hidden_label=True),
              Question("dose_unit", inline=True, small=True, hidden_label=True),
              "dose_unknown", css_id="dose",
              hint=_("Add up all doses in a day. Your pharmacy label or packet shows it. Most "
                     "medicines are in mg; thyroid hormone is in micrograms (mcg).")),
        Group(_("How long did you take it at that dose?"),
              Question("duration_amount", hidden_label=True),
              Question("duration_unit", inline=True, small=True, hidden_label=True),
              "duration_unknown", css_id="duration",
              hint=_("Enter a number, then choose weeks or months. A rough guess is fine.")),
        "adherence", "improvement", "stopped_because",
        Revealed("current_episode", css_class="episode-question"),
    )


WITH_SUGGESTION, WITHOUT_SUGGESTION = _layout(True), _layout(False)


class MoreMedicinesForm(forms.Form):
    bound_field_class = GovukBoundField
    add_another = radios(_("Do you want to add another medicine?"), wording.YES_NO,
                         error_messages={"required": _("Select yes or no")})
    helper = helper(Question("add_another", inline=True))

    def __init__(self, *args, first: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if first:
            self.fields["add_another"].label = _(
                "Have you taken any medicine for depression, including add-on medicines?")
            self.fields["add_another"].help_text = _(
                "Add-on medicines are taken with an antidepressant to boost it, such as "
                "aripiprazole, quetiapine, lithium or thyroid hormone.")
