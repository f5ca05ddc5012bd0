"""The order of the patient's question pages, and which of them a draft still needs.

A page is reachable only when every page before it that applies is complete, so skipping ahead
by editing the URL, going back, or changing an earlier answer can never leave a draft in a
state the next pages do not expect.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..models import Submission
from . import forms

SECTIONS = (
    _("About you"),
    _("Your depression"),
    _("How you have been feeling"),
    _("Safety questions"),
    _("Medicines you have tried"),
    _("Talk therapy"),
    _("Other treatments"),
    _("Health questions"),
)


@dataclass(frozen=True)
class Step:
    slug: str
    section: int                      # 1-based, into SECTIONS
    title: str                        # the page heading: the question, or the topic
    form: type | None = None          # a forms.StepForm; None for pages with their own view
    url_name: str = "intake:step"
    applies: Callable[[Submission], bool] = lambda sub: True
    done: Callable[[Submission], bool] | None = None

    def is_done(self, sub: Submission) -> bool:
        return self.done(sub) if self.done else self.slug in sub.steps_done

    @property
    def section_title(self):
        return SECTIONS[self.section - 1]


def _asq_any_yes(sub: Submission) -> bool:
    return any(getattr(sub, name) for name in forms.ASQ_FIELDS)


def _therapies(sub: Submission):
    """The draft's talk therapies, read once per loaded draft (prefetched): whether the details
    page applies and whether it is done are asked together, on most pages and after most
    saves; `sub.therapies.all()` gives them after this too."""
    prefetch_related_objects([sub], "therapies")
    return sub.therapies.all()


def _therapy_details_done(sub: Submission) -> bool:
    return all(t.helped for t in _therapies(sub))


STEPS: tuple[Step, ...] = (
    Step("consent", 1, _("Before you start"), forms.ConsentForm, url_name="intake:consent"),
    Step("about-you", 1, _("About you"), forms.AboutYouForm),
    Step("depression", 2, _("Your depression"), forms.DepressionForm),
    Step("history", 2, _("Your health history"), forms.HistoryForm),
    Step("phq9", 3, _("Over the last 2 weeks, how often have you been bothered by any of the "
                      "following problems?"), forms.Phq9Form),
    Step("safety", 4, _("Safety questions"), forms.AsqForm),
    Step("safety-now", 4, _("One more safety question"), forms.AsqNowForm,
         applies=_asq_any_yes, done=lambda sub: sub.asq_thoughts_now is not None),
    Step("medicines", 5, _("Medicines you have tried"), url_name="intake:medicines"),
    Step("therapy", 6, _("Talk therapy"), forms.TherapyForm),
    Step("therapy-details", 6, _("About your talk therapy"), forms.TherapyDetailsForm,
         applies=lambda sub: bool(_therapies(sub)), done=_therapy_details_done),
    Step("other-treatments", 7, _("Which of these treatments have you tried?"),
         forms.OtherTreatmentsForm),
    Step("other-treatments-helped", 7, _("How much did these treatments help?"),
         forms.OtherTreatmentsHelpedForm, applies=lambda sub: bool(sub.other_treatments),
         done=lambda sub: all(sub.other_treatments.values())),
    Step("health", 8, _("Health questions"), forms.HealthForm),
)
BY_SLUG = {step.slug: step for step in STEPS}
SAFETY_STEPS = ("safety", "safety-now")
# Pages shown at another page's address, told apart by the query string (which the access log
# leaves out): the question only patients who answered yes are asked has no address of its own.
SHARED_ADDRESS = {"safety-now": "safety"}
QUESTION = "question"  # the query parameter that names the page shown at a shared address


def step_url(slug: str, returning: bool = False) -> str:
    """The address of a question page; `returning`: opened from Check your answers."""
    step = BY_SLUG[slug]
    query = {}
    if slug in SHARED_ADDRESS:
        path = reverse("intake:step", args=[SHARED_ADDRESS[slug]])
        query[QUESTION] = slug
    elif step.url_name == "intake:step":
        path = reverse("intake:step", args=[slug])
    else:
        path = reverse(step.url_name)
    if returning:
        query["return"] = "check"
    return path + (f"?{urlencode(query)}" if query else "")


def step_at(slug: str, asked: str | None) -> str | None:
    """The page a request for the address of `slug` shows (with ?question=`asked`), or None
    when no page is shown there (a shared page's own slug is no address)."""
    if asked is not None and SHARED_ADDRESS.get(asked) == slug:
        return asked
    return None if slug in SHARED_ADDRESS else slug


def first_unfinished(sub: Submission) -> Step | None:
    """The first page that applies and is not complete; None when all are."""
    return next((s for s in STEPS if s.applies(sub) and not s.is_done(sub)), None)


def is_reachable(step: Step, sub: Submission) -> bool:
    for earlier in STEPS:
        if earlier is step:
            return True
        if earlier.applies(sub) and not earlier.is_done(sub):
            return False
    return True


def previous(step: Step, sub: Submission) -> Step | None:
    """The page before this one that applies to this draft (for the Back link)."""
    before = None
    for candidate in STEPS:
        if candidate is step:
            return before
        if candidate.applies(sub):
            before = candidate
    return None
