"""The resume form: the code from "save and come back later" and the date of birth."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..fields import MemorableDateField
from ..layout import GovukBoundField, helper


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
