"""Field helpers of the patient's question pages: radios, checkboxes, numbers typed as text,
the memorable date, and the small validation rules several pages share.

Numbers are text inputs with `inputmode="numeric"` (or "decimal"), as GOV.UK advises: a
`type=number` box silently drops letters in Chromium, so the patient never sees why "8 weeks"
became nothing.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

NONE = "none"


def radios(label, choices, *, required=True, help_text="", **kwargs):
    """A radio group; the template pack renders it as a fieldset whose legend is the label."""
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect,
                       required=required, help_text=help_text, **kwargs)


def checkboxes(label, choices, *, required=False, help_text=""):
    return forms.MultipleChoiceField(label=label, choices=choices, required=required,
                               widget=forms.CheckboxSelectMultiple, help_text=help_text)


def number_input(*, decimal: bool = False, width: int = 4, **attrs) -> forms.TextInput:
    """A number typed as text: the phone shows digits, letters typed stay visible."""
    return forms.TextInput(attrs={"inputmode": "decimal" if decimal else "numeric",
                                  "spellcheck": "false", "class": f"input-width-{width}",
                                  **attrs})


def whole_number(label, *, min_value, max_value, messages, help_text="", required=False):
    return forms.IntegerField(label=label, required=required, help_text=help_text,
                              min_value=min_value, max_value=max_value, widget=number_input(),
                              error_messages=messages)


def yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


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


def age_at(born: datetime.date | None, today: datetime.date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


# --- the memorable date ------------------------------------------------------------------------

DATE_PARTS = ("month", "day", "year")


class MemorableDateWidget(forms.MultiWidget):
    """GOV.UK's "memorable date": three short boxes, month, day and year (US order), each with
    its own label, instead of a date picker that is slow for a birthday on a phone. The template
    pack draws it (`govuk/fields/date.html`); the boxes' ids are `id_<name>_month` and so on, the
    same as their names, so the error summary can link to the box that is wrong."""

    input_type = "memorable-date"
    PARTS = (("month", _("Month"), "bday-month", 2), ("day", _("Day"), "bday-day", 2),
             ("year", _("Year"), "bday-year", 4))

    def __init__(self, attrs=None):
        super().__init__({name: forms.TextInput for name, *_rest in self.PARTS}, attrs)

    def get_context(self, name, value, attrs):
        """Each box's context also names its part, label and width; its id is
        `<id>_<part>`, and it takes digits and the browser's birthday autofill."""
        context = super().get_context(name, value, attrs)
        for box, (part, label, autocomplete, width) in zip(
                context["widget"]["subwidgets"], self.PARTS, strict=True):
            box_attrs = box["attrs"]
            if "id" in box_attrs:
                box_attrs["id"] = f"{context['widget']['attrs']['id']}_{part}"
            box["class"] = box_attrs.pop("class", "")
            box_attrs.update({"inputmode": "numeric", "autocomplete": autocomplete,
                              "maxlength": "4"})
            box.update({"part": part, "label": label, "width": width})
        return context

    def decompress(self, value):
        return [value.month, value.day, value.year] if value else [None, None, None]

    def id_for_label(self, id_):
        return f"{id_}_month" if id_ else id_


class DateError(forms.ValidationError):
    """A date error that knows which boxes are wrong (all three when the date as a whole is)."""

    def __init__(self, message, parts=DATE_PARTS):
        super().__init__(message, params={"parts": tuple(parts)})


class MemorableDateField(forms.MultiValueField):
    """Month, day and year boxes cleaned into a date, with a message naming what is wrong and
    only the wrong boxes marked (GOV.UK's date input pattern)."""

    widget = MemorableDateWidget
    PART_NAMES = {"month": _("month"), "day": _("day"), "year": _("year")}

    def __init__(self, **kwargs):
        part = {"required": False, "error_messages": {"invalid": ""}}
        super().__init__(fields=(forms.CharField(**part), forms.CharField(**part),
                                 forms.CharField(**part)),
                         require_all_fields=False, **kwargs)

    def compress(self, data_list):
        label = self.label
        values = dict(zip(DATE_PARTS, data_list or ["", "", ""], strict=True))
        missing = [name for name in DATE_PARTS if not values[name]]
        if len(missing) == 3:
            return None
        if missing:
            raise DateError(_("%(label)s must include a %(part)s") % {
                "label": label, "part": self.PART_NAMES[missing[0]]}, missing)
        not_numbers = [name for name in DATE_PARTS if not values[name].isdigit()]
        if not_numbers:
            raise DateError(_("%(label)s must be a real date, like 3 27 1985") % {
                "label": label}, not_numbers)
        year = values["year"]
        if len(year) != 4:
            raise DateError(_("The year must have 4 numbers, like 1985"), ["year"])
        month, day = int(values["month"]), int(values["day"])
        if not 1 <= month <= 12:
            raise DateError(_("The month must be a number from 1 to 12"), ["month"])
        try:
            return datetime.date(int(year), month, int(day))
        except (ValueError, OverflowError):  # 31 in February; a 30-digit day overflows
            if not 1 <= int(day) <= 31:
                raise DateError(_("The day must be a number from 1 to 31"), ["day"]) from None
            raise DateError(_("%(label)s must be a real date, like 3 27 1985") % {
                "label": label}, ["day"]) from None


def date_error_parts(bound_field) -> tuple[str, ...]:
    """The boxes of a memorable date to mark as wrong: those its error names, else all."""
    for error in getattr(bound_field.errors, "data", []):
        parts = (getattr(error, "params", None) or {}).get("parts")
        if parts:
            return tuple(parts)
    return DATE_PARTS if bound_field.errors else ()
