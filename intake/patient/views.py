"""Patient pages: plain function views around the forms, the step order and the services.

A draft is found through the Django session (database-backed, so a server restart loses
nothing) and never through the URL: no page takes an id or an answer in its address, and a
request for anyone else's draft or results is a 404.

Every save happens in a transaction holding the draft's row lock (`locked_draft`), re-checks
that it is still a draft, and writes only the fields of its own page: two tabs, a double click
and a submit at the same moment queue behind each other and lose nothing.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from trdintake.client_ip import client_ip

from .. import audit, screening, services
from ..delivery import alerts, outbox
from ..models import LateAnswer, MedicationTrial, ResumeAttempt, SafetyLevel, Submission
from ..reference import page_catalog
from ..screening.parse import MAX_ITEMS as MAX_MEDICINES  # what the screening rules take
from ..wording import PRIVACY_NOTICE_VERSION
from . import ratelimit
from .check_answers import answer_rows, medicine_summary
from .forms import ASQ_FIELDS, ConsentForm, MedicineForm, MoreMedicinesForm, ResumeForm
from .medicine_choices import Menu, catalog_choices, full_menu, search_catalog
from .results import results_context
from .steps import (
    BY_SLUG,
    QUESTION,
    SAFETY_STEPS,
    SECTIONS,
    STEPS,
    first_unfinished,
    is_reachable,
    previous,
    step_at,
    step_url,
)

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
RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
# Limits (intake/patient/ratelimit.py), per client address (trdintake/client_ip.py); none is shared
# by all clients, which guessers could use up to shut every patient out.
RESUME_TRIES, RESUME_WINDOW = 5, timedelta(minutes=15)       # resume tries, right or wrong
NEW_DRAFTS_WINDOW = timedelta(hours=1)                       # NEW_DRAFTS_PER_HOUR new forms
SAVE_EMAILS, SAVE_EMAILS_WINDOW = 3, timedelta(days=1)       # "saved answers" e-mails, per
                                                             # draft and per address


# --- the draft bound to this browser --------------------------------------------------------

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
    _mark_done(sub, slug)
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


def _draft_or_start(request, slug: str | None = None):
    """(draft, None) for the open draft this browser holds; (None, response) otherwise.

    A POST from a form whose draft this browser no longer holds (its signed reference names
    another draft, or the session's draft was sent or continued on another device) goes to
    `_stale`, with `slug`, the question page, for its safety answers; "Send" pressed again shows
    the results. A GET of a draft continued on another device says so; one after sending shows
    the results; a browser that never had a draft (or whose draft was deleted) starts.
    """
    sub = current_draft(request)
    named = request.session.get(SESSION_KEY)
    if request.method == "POST":
        origin = _form_origin(request)
        if sub is not None and sub.is_submitted and origin in (None, sub.pk) and slug == "check":
            return None, redirect("intake:results", reference=sub.reference)
        if sub is None or sub.is_submitted or origin not in (None, sub.pk):
            pk = origin if origin is not None else named
            if pk is not None or slug in SAFETY_PAGES:
                return None, _stale(request, pk, slug)
    if sub is None:
        row = draft_row(named)
        if row is not None:  # the session names it, but the draft moved to another browser
            return None, _closed(request, _closed_context(_stale_event(request, row), row))
        return None, redirect("intake:start")
    if sub.is_submitted:
        return None, redirect("intake:results", reference=sub.reference)
    return sub, None


def _elsewhere(request):
    """The draft was sent (or deleted) in another tab while this page was open: say so."""
    return _stale(request, request.session.get(SESSION_KEY))


# --- forms posted after their draft left this browser -----------------------------------------

def _form_origin(request) -> int | None:
    """The draft a posted form was drawn for (its signed reference), or None."""
    try:
        pk = signing.loads(request.POST.get(DRAFT_FIELD, ""), salt=DRAFT_SALT)
    except signing.BadSignature:
        return None
    return pk if isinstance(pk, int) else None


def _stale_event(request, row: Submission | None) -> str:
    """What happened to a draft since this browser's form was drawn for it."""
    if row is None:
        return GONE
    if row.is_submitted:
        return LateAnswer.Event.SUBMITTED
    if request.session.get(SESSION_KEY) == row.pk:  # named here, held by another browser
        return LateAnswer.Event.MOVED
    return LateAnswer.Event.LEFT


def _stale(request, pk: int | None, slug: str | None = None):
    """A page posted from a form whose draft (`pk`, when known) this browser no longer holds.

    Nothing is saved into a draft this browser does not hold, but safety answers are acted on
    all the same (`_late_answer`). Every save of a page with safety questions goes on to the
    same address as ever (/intake/next/: the support page if the answers call for it, then the
    page saying what happened); any other page says at once what happened and what to do.
    """
    row = draft_row(pk)
    event = _stale_event(request, row)
    if slug not in SAFETY_PAGES:
        return _closed(request, _closed_context(event, row))
    answers, level = _posted_safety(request, slug, row)
    if level != SafetyLevel.NONE:
        _late_answer(request, pk, event, slug, answers, level)
    request.session[LATE_KEY] = _closed_context(event, row, acted=level != SafetyLevel.NONE)
    request.session[NEXT_KEY] = {"late": True, "level": level}
    return redirect("intake:next")


def _posted_safety(request, slug: str, row: Submission | None) -> tuple[dict, str]:
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


def _late_answer(request, pk: int | None, event: str, slug: str, answers: dict,
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


def _closed_context(event: str, row: Submission | None, acted: bool = False) -> dict:
    """What the page about a form no longer open here says (kept in the session between the
    support page and it, so plain values)."""
    when = row.submitted_at if row is not None and event == LateAnswer.Event.SUBMITTED \
        else None
    return {"event": event, "acted": acted,
            "when": date_format(timezone.localtime(when), "j F Y") if when else ""}


def _closed(request, context: dict):
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
    return _closed(request, late)


# --- start, consent, eligibility ------------------------------------------------------------

def new_draft_limit(request) -> tuple:
    """The limit on new forms (consent given) from this client address, for ratelimit."""
    return ("new-draft", client_ip(request) or "unknown", settings.NEW_DRAFTS_PER_HOUR,
            NEW_DRAFTS_WINDOW)


def new_forms_used_up(request, sub: Submission | None) -> bool:
    """No new form can be started from this client address for now, and this browser has none:
    said before consent, not after it (nothing is counted here)."""
    return sub is None and not ratelimit.allows(*new_draft_limit(request))


@require_safe
def start(request):
    sub = current_draft(request)
    continue_url = next_url(sub) if sub is not None and not sub.is_submitted else None
    return page(request, "intake/start.html", sub=sub, continue_url=continue_url,
                new_forms_used_up=new_forms_used_up(request, sub))


@require_safe
def privacy(request):
    return page(request, "intake/privacy.html", privacy_version=PRIVACY_NOTICE_VERSION,
                draft_days=settings.DRAFT_RETENTION_DAYS, code_days=settings.RESUME_CODE_DAYS)


@require_http_methods(["GET", "POST"])
def consent(request):
    sub = current_draft(request)
    if sub is not None and sub.is_submitted:  # a consent form posted again says it was sent
        if request.method == "POST":
            return _closed(request, _closed_context(LateAnswer.Event.SUBMITTED, sub))
        return redirect("intake:results", reference=sub.reference)
    holder = sub or Submission()
    form = ConsentForm(posted(request), submission=holder)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["age_ok"] != "yes":
            return redirect("intake:not_eligible")  # nothing is stored for those under age
        returning = request.GET.get("return") == "check"
        token = client_token(request)
        # the form's token counts with this browser's value only (none: a value of its own)
        stored, first_key = consent_keys(token, browser_id(request) or uuid.uuid4().hex)
        if sub is None and token:
            earlier = Submission.objects.filter(client_token=stored).first()
            if earlier is not None:  # this browser posted this very form before
                return _carry_on(request, earlier, returning, first_key)
            holder.client_token = stored
        if sub is None and not ratelimit.hit(*new_draft_limit(request)):
            return page(request, "intake/too_many.html", status=429)
        if sub is None:
            holder.browser_key = first_key
        if sub is not None:  # consent given again, from Check your answers
            with transaction.atomic():
                holder = locked_draft(sub.pk)
                if holder is not None:
                    form.submission = holder
                    form.save()
                    save_page(holder, form.saves, "consent")
            return _carry_on(request, holder, returning) if holder else _elsewhere(request)
        try:
            with transaction.atomic():
                form.save()
                _mark_done(holder, "consent")
                holder.save()
        except IntegrityError:  # the same form posted twice at once: use the first draft
            return _carry_on(request, get_object_or_404(Submission, client_token=stored),
                             returning, first_key)
        return _carry_on(request, holder, returning, first_key)
    response = page(request, "intake/question.html", sub=sub, step=BY_SLUG["consent"],
                    form=form, client_token=uuid.uuid4().hex,
                    new_forms_used_up=request.method == "GET" and new_forms_used_up(request, sub))
    return response if browser_id(request) else give_browser_id(response)


def _carry_on(request, sub: Submission, returning: bool, first_key: str | None = None):
    """Consent given: bind the draft to this browser (a new session id, even for the same
    draft) and go on; unless this browser no longer holds it, posting its consent form again:
    the draft was sent since, or moved to another device (its first key was replaced)."""
    if sub.is_submitted:
        return _closed(request, _closed_context(LateAnswer.Event.SUBMITTED, sub))
    if sub.browser_key not in (first_key, request.session.get(BROWSER_KEY)):
        return _closed(request, _closed_context(LateAnswer.Event.MOVED, sub))
    bind(request, sub)
    return redirect(next_url(sub, returning))


@require_safe
def not_eligible(request):
    return page(request, "intake/not_eligible.html", min_age=settings.MIN_PATIENT_AGE)


# --- question pages -------------------------------------------------------------------------

def _mark_done(sub: Submission, slug: str) -> None:
    if slug not in sub.steps_done:
        sub.steps_done = [*sub.steps_done, slug]


@require_http_methods(["GET", "POST"])
def step(request, slug):
    slug = step_at(slug, request.GET.get(QUESTION))
    step = BY_SLUG.get(slug)
    if step is None or step.form is None or step.url_name != "intake:step":
        raise Http404
    sub, elsewhere = _draft_or_start(request, slug)
    if elsewhere:
        return elsewhere
    returning = returning_to_check(request)
    if not step.applies(sub) or not is_reachable(step, sub):
        return redirect(next_url(sub, returning))
    form = step.form(posted(request), submission=sub)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = locked_draft(sub.pk)
            if locked is not None:
                form.submission = locked
                form.save()
                save_page(locked, form.saves, slug)
                raised = services.refresh_safety(locked, alerts.site_base(request))
        if locked is None:  # sent (or deleted) while this page was open
            return _stale(request, sub.pk, slug)
        if slug not in SAFETY_PAGES and not raised:
            return redirect(next_url(locked, returning))
        # Crisis contacts whenever a save raised the level (from any page, Check your answers
        # included), and after the safety questions for everyone with a level; shown at the
        # address every save of these pages goes to, so that the address tells nobody.
        support = (raised or (slug in SAFETY_STEPS and locked.safety_level != SafetyLevel.NONE)) \
            and first_unfinished(locked) is not BY_SLUG["safety-now"]
        if support:
            request.session[NEXT_KEY] = {"level": locked.safety_level}
        else:
            request.session.pop(NEXT_KEY, None)
        return redirect(reverse("intake:next") + ("?return=check" if returning else ""))
    asked_yes = slug in SAFETY_STEPS and "yes" in request.POST.values()
    templates = [f"intake/steps/{slug}.html", "intake/question.html"]
    return page(request, templates, sub=sub, step=step, form=form, asked_yes=asked_yes)


@require_safe
def support(request):
    """/intake/next/, where every save of a page with safety questions goes, flagged or not:
    the interruption page, crisis contacts first, when the save called for it (it said so in
    the session), else straight on to the next page. Answers posted after their draft left
    this browser come here too, then go on to the page that says what happened."""
    shown = request.session.get(NEXT_KEY) or {}
    level = shown.get("level") or SafetyLevel.NONE
    if shown.get("late"):
        if level == SafetyLevel.NONE:
            return redirect("intake:closed")
        return page(request, "intake/support.html", acute=level == SafetyLevel.ACUTE,
                    late=True, lost=request.session[LATE_KEY]["event"] == GONE,
                    continue_url=reverse("intake:closed"))
    sub, elsewhere = _draft_or_start(request)
    if elsewhere:
        return elsewhere
    returning = returning_to_check(request)
    if level == SafetyLevel.NONE or sub.safety_level == SafetyLevel.NONE:
        return redirect(next_url(sub, returning))
    return page(request, "intake/support.html", sub=sub, step=BY_SLUG["safety"],
                acute=sub.safety_level == SafetyLevel.ACUTE,
                continue_url=next_url(sub, returning))


# --- medicines: an "add another" list -------------------------------------------------------

def _medicine_step_guard(request):
    sub, elsewhere = _draft_or_start(request)
    if elsewhere:
        return None, elsewhere
    if not is_reachable(BY_SLUG["medicines"], sub):
        return None, redirect(next_url(sub))
    return sub, None


@require_http_methods(["GET", "POST"])
def medicines(request):
    sub, elsewhere = _medicine_step_guard(request)
    if elsewhere:
        return elsewhere
    trials = list(sub.trials.select_related("medication"))
    form = MoreMedicinesForm(posted(request), first=not trials)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["add_another"] == "yes":
            return redirect("intake:medicine_add")
        with transaction.atomic():
            locked = locked_draft(sub.pk)
            if locked is not None:
                save_page(locked, (), "medicines")
        if locked is None:
            return _elsewhere(request)
        return redirect(next_url(locked, returning_to_check(request)))
    return page(request, "intake/medicines.html", sub=sub, step=BY_SLUG["medicines"], form=form,
                trials=[(trial, medicine_summary(trial)) for trial in trials],
                returning=returning_to_check(request), limit=MAX_MEDICINES,
                over=max(len(trials) - MAX_MEDICINES, 0))


def _medicines_full(request, sub: Submission):
    """The add page of a list that holds MAX_MEDICINES already: a message, nothing saved."""
    return page(request, "intake/medicine_limit.html", sub=sub, step=BY_SLUG["medicines"],
                limit=MAX_MEDICINES, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def medicine_edit(request, position=None):
    sub, elsewhere = _medicine_step_guard(request)
    if elsewhere:
        return elsewhere
    if position is None and sub.trials.count() >= MAX_MEDICINES:
        return _medicines_full(request, sub)
    catalog = page_catalog()
    trial = None
    if position is not None:
        trial = sub.trials.filter(position=position).first()
        if trial is None:
            raise Http404
        if trial.medication_id is not None:  # its catalog row, from the catalog in hand
            row = next((m for m in catalog.values() if m.pk == trial.medication_id), None)
            if row is not None:
                trial.medication = row
    query = request.POST.get("search", "")[:100] if request.method == "POST" else ""
    searching = request.method == "POST" and request.POST.get("action") == "search"
    search = search_catalog(catalog.values(), query) if searching else None
    kept = trial.medication if trial else None  # offered even if staff made it inactive
    if search is None and (kept is None or kept.active):
        menu = full_menu(catalog)
    else:
        menu = Menu(catalog_choices(catalog.values(), search.slugs if search else None, keep=kept))
    data = request.POST if request.method == "POST" and not searching else None
    if searching:
        initial = request.POST.dict()
        if search is not None and len(search.slugs) == 1:  # one match: chosen, in its unit
            (slug,) = search.slugs
            initial.update(medication=slug, dose_unit=catalog[slug].dose_unit)
    else:
        initial = MedicineForm.initial_for(trial)
    form = MedicineForm(data, menu=menu, catalog=catalog, initial=initial)
    returning = returning_to_check(request)
    if data is not None and form.is_valid():
        token = client_token(request)
        with transaction.atomic():
            # Under the draft's lock: the next position, and whether this very form (same
            # one-time token) was saved already, cannot change until this one is stored.
            locked = locked_draft(sub.pk)
            if locked is None:
                return _elsewhere(request)
            if trial is not None:
                trial = locked.trials.filter(pk=trial.pk).first()  # removed in another tab?
            elif not (token and locked.trials.filter(client_token=token).exists()):
                if locked.trials.count() >= MAX_MEDICINES:  # filled in another tab meanwhile
                    return _medicines_full(request, locked)
                last = locked.trials.order_by("-position").first()
                trial = MedicationTrial(submission=locked, client_token=token,
                                        position=last.position + 1 if last else 1)
            if trial is not None:
                form.apply_to(trial, catalog).save()
                locked.save(update_fields=["updated_at"])
        if returning:  # changed from Check your answers: straight back there
            return redirect(next_url(sub, returning=True))
        return redirect("intake:medicines")
    back = reverse("intake:check") if returning else reverse("intake:medicines")
    return page(request, "intake/medicine.html", sub=sub, step=BY_SLUG["medicines"], form=form,
                trial=trial, query=query, searching=searching, search=search, back_url=back,
                client_token=client_token(request) or uuid.uuid4().hex)


@require_http_methods(["GET", "POST"])
def medicine_remove(request, position):
    sub, elsewhere = _medicine_step_guard(request)
    if elsewhere:
        return elsewhere
    trial = get_object_or_404(MedicationTrial.objects.select_related("medication"),
                              submission=sub, position=position)
    if request.method == "POST":
        with transaction.atomic():
            locked = locked_draft(sub.pk)
            if locked is None:
                return _elsewhere(request)
            locked.trials.filter(pk=trial.pk).delete()
            locked.save(update_fields=["updated_at"])
        return redirect("intake:medicines")
    return page(request, "intake/medicine_remove.html", sub=sub, step=BY_SLUG["medicines"],
                trial=trial)


# --- check, submit, results -----------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def check(request):
    sub, elsewhere = _draft_or_start(request, "check")
    if elsewhere:
        return elsewhere
    if first_unfinished(sub) is not None:
        return redirect(next_url(sub))
    if request.method == "POST":
        if sub.trials.count() > MAX_MEDICINES:  # listed before the cap: the rules take no more
            return redirect("intake:medicines")
        services.submit(sub.pk, alerts.site_base(request))  # a second POST changes nothing
        return redirect("intake:results", reference=sub.reference)
    last = next(step for step in reversed(STEPS) if step.applies(sub))
    return page(request, "intake/check.html", sub=sub, rows=answer_rows(sub),
                back_url=step_url(last.slug))


@require_safe
def results(request, reference):
    sub = current_draft(request)
    if sub is None or sub.reference != reference or not sub.is_submitted:
        raise Http404
    assessment = sub.assessments.filter(trigger="submitted").order_by("created_at").first()
    if assessment is None:
        raise Http404
    return page(request, "intake/results.html", sub=sub, **results_context(sub, assessment))


# --- save and resume ------------------------------------------------------------------------

def _hash_code(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def new_resume_code() -> str:
    raw = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(20))  # about 98 bits
    return "-".join(raw[i:i + 5] for i in range(0, 20, 5))


@require_http_methods(["GET", "POST"])
def save_for_later(request):
    sub, elsewhere = _draft_or_start(request)
    if elsewhere:
        return elsewhere
    code, emailed = None, False
    if request.method == "POST":
        code = new_resume_code()
        now = timezone.now()
        with transaction.atomic():
            saved = Submission.objects.filter(pk=sub.pk, status=Submission.Status.DRAFT).update(
                resume_code_hash=_hash_code(code), updated_at=now, resume_failures=0,
                resume_expires_at=now + timedelta(days=settings.RESUME_CODE_DAYS))
            # Sent by the task worker, never inside this request; a few a day per draft and
            # per address, so the form cannot be used to flood someone's inbox.
            emailed = bool(saved and sub.email) \
                and ratelimit.hit("save-email-draft", str(sub.pk), SAVE_EMAILS,
                                  SAVE_EMAILS_WINDOW) \
                and ratelimit.hit("save-email-address", sub.email.lower(), SAVE_EMAILS,
                                  SAVE_EMAILS_WINDOW)
            if emailed:
                outbox.queue_resume_email(
                    sub.email, alerts.site_base(request) + reverse("intake:resume"), code)
        if not saved:
            return _elsewhere(request)
    return page(request, "intake/save.html", sub=sub, code=code, emailed=emailed,
                continue_url=next_url(sub), days=settings.RESUME_CODE_DAYS)


@require_http_methods(["GET", "POST"])
def resume(request):
    """A saved draft, opened with its resume code and the patient's date of birth.

    Every try counts against the client's limit before it is evaluated (atomically, so
    parallel guesses cannot slip through). There is no cap for all clients together, which
    guessers could fill to lock every patient out: many failed tries alarm the staff instead.
    A code typed with a wrong date of birth RESUME_CODE_FAILURES times is voided. A code
    works once: the draft moves to this browser (any other loses it) and saving again issues
    a new code.
    """
    form = ResumeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        client = client_ip(request) or "unknown"
        if not ratelimit.hit("resume", client, RESUME_TRIES, RESUME_WINDOW):
            form.add_error(None, _("Too many tries. Wait 15 minutes and try again, or start a "
                                   "new form."))
            return page(request, "intake/resume.html", form=form, status=429)
        code_hash = _hash_code(form.cleaned_data["code"])
        sub = Submission.objects.filter(
            resume_code_hash=code_hash, resume_expires_at__gt=timezone.now(),
            status=Submission.Status.DRAFT).first()
        key = uuid.uuid4().hex
        birth_date_ok = sub is not None and sub.date_of_birth == form.cleaned_data["date_of_birth"]
        # Use the code up, unless a parallel request used it (or voided it) first.
        won = birth_date_ok and Submission.objects.filter(
            pk=sub.pk, resume_code_hash=code_hash, status=Submission.Status.DRAFT).update(
                resume_code_hash="", resume_expires_at=None, browser_key=key, resume_failures=0)
        voided = sub is not None and not birth_date_ok and wrong_birth_date(sub.pk, code_hash)
        ResumeAttempt.objects.create(client=ratelimit.client_key(client), succeeded=bool(won))
        if won:
            sub.browser_key = key
            bind(request, sub)
            return redirect(next_url(sub))
        ratelimit.alarm_if_guessing(RESUME_WINDOW)
        if voided:
            form.add_error("code", _(
                "This code no longer works: it was tried too many times with a date of birth "
                "that does not match. Call the clinic on %(phone)s (%(hours)s) or start a new "
                "form.") % {"phone": settings.CLINIC_PHONE, "hours": settings.CLINIC_HOURS})
        else:  # the same words whichever part was wrong
            form.add_error("code", _("That code and date of birth do not match a saved form, "
                                     "or the code has expired or been used. Check them and "
                                     "try again."))
    return page(request, "intake/resume.html", form=form)


def wrong_birth_date(pk: int, code_hash: str) -> bool:
    """Count a wrong date of birth typed with this draft's current code; at
    RESUME_CODE_FAILURES the code is voided. True if this try voided it (one try does, even
    among parallel ones: the row is locked, and a voided code no longer matches)."""
    current = Submission.objects.filter(pk=pk, resume_code_hash=code_hash)
    with transaction.atomic():
        current.update(resume_failures=F("resume_failures") + 1)
        return bool(current.filter(resume_failures__gte=settings.RESUME_CODE_FAILURES).update(
            resume_code_hash="", resume_expires_at=None, resume_failures=0))


@require_http_methods(["GET", "POST"])
def forget(request):
    """Leave on this device: unbind the draft from this browser (it stays resumable by code)."""
    if request.method == "POST":
        request.session.flush()
        # and a new browser value: a consent form given before no longer finds its draft
        return give_browser_id(redirect("intake:start"))
    return page(request, "intake/forget.html", sub=current_draft(request))
