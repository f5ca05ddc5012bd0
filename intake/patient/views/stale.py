"""Forms posted after their draft left this browser (submitted, deleted, or another draft
bound here meanwhile): safety answers are never dropped, and the page says where the draft went."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_safe

from ... import audit, screening, services
from ...delivery import alerts
from ...models import LateAnswer, SafetyLevel, Submission
from ..forms import ASQ_FIELDS
from ..steps import BY_SLUG
from .drafts import (
    DRAFT_FIELD,
    DRAFT_SALT,
    GONE,
    LATE_KEY,
    NEXT_KEY,
    SAFETY_PAGES,
    SESSION_KEY,
    current_draft,
    draft_row,
    page,
)


def draft_or_start(request, slug: str | None = None):
    """(draft, None) for the open draft this browser holds; (None, response) otherwise.

    A POST from a form whose draft this browser no longer holds (its signed reference names
    another draft, or the session's draft was sent or continued on another device) goes to
    `stale_form`, with `slug`, the question page, for its safety answers; "Send" pressed again shows
    the results. A GET of a draft continued on another device says so; one after sending shows
    the results; a browser that never had a draft (or whose draft was deleted) starts.
    """
    sub = current_draft(request)
    named = request.session.get(SESSION_KEY)
    if request.method == "POST":
        origin = form_origin(request)
        if sub is not None and sub.is_submitted and origin in (None, sub.pk) and slug == "check":
            return None, redirect("intake:results", reference=sub.reference)
        if sub is None or sub.is_submitted or origin not in (None, sub.pk):
            pk = origin if origin is not None else named
            if pk is not None or slug in SAFETY_PAGES:
                return None, stale_form(request, pk, slug)
    if sub is None:
        row = draft_row(named)
        if row is not None:  # the session names it, but the draft moved to another browser
            return None, closed_page(request, closed_context(stale_event(request, row), row))
        return None, redirect("intake:start")
    if sub.is_submitted:
        return None, redirect("intake:results", reference=sub.reference)
    return sub, None


def sent_elsewhere(request):
    """The draft was sent (or deleted) in another tab while this page was open: say so."""
    return stale_form(request, request.session.get(SESSION_KEY))


def form_origin(request) -> int | None:
    """The draft a posted form was drawn for (its signed reference), or None."""
    try:
        pk = signing.loads(request.POST.get(DRAFT_FIELD, ""), salt=DRAFT_SALT)
    except signing.BadSignature:
        return None
    return pk if isinstance(pk, int) else None


def stale_event(request, row: Submission | None) -> str:
    """What happened to a draft since this browser's form was drawn for it."""
    if row is None:
        return GONE
    if row.is_submitted:
        return LateAnswer.Event.SUBMITTED
    if request.session.get(SESSION_KEY) == row.pk:  # named here, held by another browser
        return LateAnswer.Event.MOVED
    return LateAnswer.Event.LEFT


def stale_form(request, pk: int | None, slug: str | None = None):
    """A page posted from a form whose draft (`pk`, when known) this browser no longer holds.

    Nothing is saved into a draft this browser does not hold, but safety answers are acted on
    all the same (`late_answer`). Every save of a page with safety questions goes on to the
    same address as ever (/intake/next/: the support page if the answers call for it, then the
    page saying what happened); any other page says at once what happened and what to do.
    """
    row = draft_row(pk)
    event = stale_event(request, row)
    if slug not in SAFETY_PAGES:
        return closed_page(request, closed_context(event, row))
    answers, level = posted_safety(request, slug, row)
    if level != SafetyLevel.NONE:
        late_answer(request, pk, event, slug, answers, level)
    request.session[LATE_KEY] = closed_context(event, row, acted=level != SafetyLevel.NONE)
    request.session[NEXT_KEY] = {"late": True, "level": level}
    return redirect("intake:next")


def posted_safety(request, slug: str, row: Submission | None) -> tuple[dict, str]:
    """The safety answers a page with safety questions posted, and the level they give on their
    own: PHQ-9 item 9 above 0, any ASQ yes (the question about now is only asked after a yes to
    one of the four). Each answer counts on its own: one left blank hides no other."""
    form = BY_SLUG[slug].form(request.POST, submission=row or Submission())
    form.is_valid()  # the valid answers are in cleaned_data even if another is missing
    cleaned = form.cleaned_data
    if slug == "phq9":
        item9 = int(cleaned["item9"]) if "item9" in cleaned else None
        level = screening.safety_level(item9, None)
        return ({"phq9_item9": item9} if level != SafetyLevel.NONE else {}), level
    asked = {name: cleaned[name] == "yes" for name in (*ASQ_FIELDS, "asq_thoughts_now")
             if name in cleaned}
    if not any(asked.values()):
        return {}, SafetyLevel.NONE
    four = [asked.get(name, slug == "safety-now") for name in ASQ_FIELDS]
    asq = screening.Asq(*four, thoughts_now=asked.get("asq_thoughts_now"))
    return asked, screening.safety_level(None, asq)


def late_answer(request, pk: int | None, event: str, slug: str, answers: dict,
                 level: str) -> None:
    """Act on safety answers posted after their draft left this browser: the draft or
    submission is flagged (the level only rises, and the staff alert is queued, as for any
    flag) and a LateAnswer row tells staff when, and after what, they came. For a draft
    already deleted, an audit row says one came (the page and the level, no answers)."""
    with transaction.atomic():
        row = Submission.objects.select_for_update().filter(pk=pk).first() \
            if isinstance(pk, int) else None
        if row is None:
            audit.record(None, audit.LATE_ANSWER_LOST, draft=pk, step=slug, level=level)
            return
        LateAnswer.objects.create(submission=row, event=event, step=slug, answers=answers,
                                  level=level)
        services.refresh_safety(row, alerts.site_base(request), level=level)


def closed_context(event: str, row: Submission | None, acted: bool = False) -> dict:
    """What the page about a form no longer open here says (kept in the session between the
    support page and it, so plain values)."""
    when = row.submitted_at if row is not None and event == LateAnswer.Event.SUBMITTED \
        else None
    return {"event": event, "acted": acted,
            "when": date_format(timezone.localtime(when), "j F Y") if when else ""}


def closed_page(request, context: dict):
    """The page saying this browser's form is no longer open here, why, and what to do (with
    a link to the summary, for the browser that sent it)."""
    sent = current_draft(request) if context["event"] == LateAnswer.Event.SUBMITTED else None
    return page(request, "intake/closed.html", status=409 if request.method == "POST" else 200,
                draft_days=settings.DRAFT_RETENTION_DAYS, **context,
                results_url=reverse("intake:results", args=[sent.reference])
                if sent is not None and sent.is_submitted else "")


@require_safe
def closed(request):
    """After answers posted too late (and the support page, for safety answers): what happened
    to the form. A browser with nothing to be told starts."""
    late = request.session.get(LATE_KEY)
    if not late:
        return redirect("intake:start")
    return closed_page(request, late)
