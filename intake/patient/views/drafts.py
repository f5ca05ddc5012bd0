"""The draft bound to this browser, and what every patient page shares.

A draft is found through the Django session (database-backed, so a server restart loses
nothing) and never through the URL: no page takes an id or an answer in its address, and a
request for anyone else's draft or results is a 404.

Every save happens in a transaction holding the draft's row lock (`locked_draft`), re-checks
that it is still a draft, and writes only the fields of its own page: two tabs, a double click
and a submit at the same moment queue behind each other and lose nothing.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ...models import Submission
from ..steps import SAFETY_STEPS, SECTIONS, first_unfinished, previous, step_url

SESSION_KEY = "submission_id"
BROWSER_KEY = "browser_key"
RENEWED_KEY = "renewed"
NEXT_KEY = "after_safety"   # what /intake/next/ shows after a page with safety questions
LATE_KEY = "late_form"      # what a form posted after its draft left this browser met


# A random value per browser, in a cookie of its own: the consent form's one-time token counts
# only with the value of the browser it was given to.
BROWSER_COOKIE = "intake_browser"


# Every question form of a draft carries a signed reference to it (never in the address), so
# answers posted after the draft left this browser still find where they belong.
DRAFT_FIELD, DRAFT_SALT = "draft", "intake.views.draft-form"
SAFETY_PAGES = ("phq9", *SAFETY_STEPS)  # the pages whose answers set the safety level
GONE = "gone"  # what a late form met besides LateAnswer.Event: its draft was deleted
NEW_DRAFTS_WINDOW = timedelta(hours=1)                       # NEW_DRAFTS_PER_HOUR new forms


def current_draft(request: HttpRequest) -> Submission | None:
    """The draft bound to this browser; None when there is none, or when it has been resumed in
    another browser since (the browser key moved with it: the session still names the draft, so
    its pages can say where it went)."""
    pk = request.session.get(SESSION_KEY)
    if pk is None:
        return None
    sub = draft_row(pk)
    if sub is not None and sub.browser_key != request.session.get(BROWSER_KEY, ""):
        return None
    renew_once_a_day(request)
    return sub


def renew_once_a_day(request: HttpRequest) -> None:
    """Keep the browser's link to its draft for RESUME_CODE_DAYS after the last visit, with one
    session write a day rather than one per request (the session is not saved on every
    request: only staff sessions are, for their idle timeout)."""
    today = timezone.localdate().isoformat()
    if request.session.get(RENEWED_KEY) != today:
        request.session[RENEWED_KEY] = today
        request.session.set_expiry(timedelta(days=settings.RESUME_CODE_DAYS))


def locked_draft(pk: int) -> Submission | None:
    """Inside a transaction: this draft, locked until the transaction ends, or None when it has
    been submitted (or removed) meanwhile.

    PostgreSQL locks the row (SELECT ... FOR UPDATE); SQLite takes its write lock when the
    transaction begins (settings: IMMEDIATE), which serializes writers the same way.
    """
    return Submission.objects.select_for_update().filter(
        pk=pk, status=Submission.Status.DRAFT).first()


def draft_row(pk) -> Submission | None:
    """The draft a session names (its id, an int), or None."""
    return Submission.objects.filter(pk=pk).first() if isinstance(pk, int) else None


def save_page(sub: Submission, fields: tuple[str, ...], slug: str) -> None:
    """Save one page's fields of a locked draft, and mark the page done."""
    mark_done(sub, slug)
    sub.save(update_fields=[*fields, "steps_done", "updated_at"])


def bind(request: HttpRequest, sub: Submission) -> None:
    """Give this browser the draft: a new session id every time (no fixation, even of a valid
    planted session), holding the draft's current browser key."""
    request.session.cycle_key()
    request.session[SESSION_KEY] = sub.pk
    request.session[BROWSER_KEY] = sub.browser_key
    request.session[RENEWED_KEY] = timezone.localdate().isoformat()
    request.session.set_expiry(timedelta(days=settings.RESUME_CODE_DAYS))
    request.session.pop(NEXT_KEY, None)  # what an earlier draft's forms met is over
    request.session.pop(LATE_KEY, None)


def browser_id(request) -> str:
    """This browser's random value (its own cookie, given with the consent form), or ""."""
    value = request.COOKIES.get(BROWSER_COOKIE, "")
    return value if re.fullmatch(r"[0-9a-f]{32}", value) else ""


def give_browser_id(response):
    """A new random value for this browser: HttpOnly, SameSite=Lax, Secure as the session."""
    response.set_cookie(BROWSER_COOKIE, uuid.uuid4().hex,
                        max_age=timedelta(days=settings.RESUME_CODE_DAYS),
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
    return response


def consent_keys(token: str, browser: str) -> tuple[str, str]:
    """For a consent form's one-time token posted by this browser: the token as the draft it
    makes stores it, and that draft's first browser key. Both are keyed hashes of the token with
    the browser's value, so the same form posted again by the same browser (a double click, the
    back button) finds its draft, and still holds it until it moves to another device; any other
    browser finds nothing."""
    keys = (salted_hmac(f"intake.views.consent-{use}", f"{token}:{browser}",
                        algorithm="sha256").hexdigest()[:32] for use in ("token", "key"))
    return tuple(keys)


def next_url(sub: Submission, returning: bool = False) -> str:
    step = first_unfinished(sub)
    if step is None:
        return reverse("intake:check")
    return step_url(step.slug, returning)


def returning_to_check(request) -> bool:
    """The page was opened from a Change link on Check your answers."""
    return request.GET.get("return") == "check"


def page(request, template, sub=None, step=None, status=200, **context):
    """Render a patient page; a form shown again with errors answers 400.

    The Back link goes to the page before, or to Check your answers for a page opened from
    one of its Change links."""
    form = context.get("form")
    if status == 200 and form is not None and form.errors:
        status = 400
    if step is not None and "back_url" not in context:
        if returning_to_check(request) and sub is not None and first_unfinished(sub) is None:
            context["back_url"] = reverse("intake:check")
        else:
            before = previous(step, sub) if sub is not None else None
            context["back_url"] = step_url(before.slug) if before else reverse("intake:start")
    if sub is not None and not sub.is_submitted:
        context.setdefault("draft_ref", signing.dumps(sub.pk, salt=DRAFT_SALT))
    context.update(
        submission=sub,
        step=step,
        section=step.section if step else None,
        sections_total=len(SECTIONS),
        has_errors=bool(form is not None and form.errors),
    )
    return render(request, template, context, status=status)


def posted(request):
    """The POST data to bind a form to (even when empty: an empty POST gets errors), or None."""
    return request.POST if request.method == "POST" else None


def client_token(request) -> str:
    """The form's one-time token (hidden field) if well formed, else "".

    Forms that create a row carry a random token; the row stores it, so the same form posted
    twice (double click, back button, replayed POST) finds that row instead of making another.
    """
    token = request.POST.get("client_token", "")
    return token if re.fullmatch(r"[0-9a-f]{32}", token) else ""


def mark_done(sub: Submission, slug: str) -> None:
    if slug not in sub.steps_done:
        sub.steps_done = [*sub.steps_done, slug]
