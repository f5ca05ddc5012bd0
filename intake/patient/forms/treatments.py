"""Talk therapy and other treatments tried, and whether they helped."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ... import wording
from ...models import TherapyTried
from ...wording import OTHER_TREATMENT_CHOICES, THERAPY_CHOICES, TREATMENT_HELPED_CHOICES
from ..fields import NONE, checkboxes, exclusive_none, radios, whole_number
from ..layout import Question, helper
from .base import StepForm


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
