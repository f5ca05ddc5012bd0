"""What every step form shares: filled from its draft, saved into it, drawn by the govuk pack."""

from __future__ import annotations

from django import forms

from ...models import Submission
from ..answers import saved_fields
from ..layout import GovukBoundField


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
