"""The first pages: start, the privacy notice, consent (which opens a draft), not eligible."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_safe

from trdintake.client_ip import client_ip

from ...models import LateAnswer, Submission
from ...wording import PRIVACY_NOTICE_VERSION
from .. import ratelimit
from ..forms import ConsentForm
from ..steps import BY_SLUG
from .drafts import (
    BROWSER_KEY,
    NEW_DRAFTS_WINDOW,
    bind,
    browser_id,
    client_token,
    consent_keys,
    current_draft,
    give_browser_id,
    locked_draft,
    mark_done,
    next_url,
    page,
    posted,
    save_page,
)
from .stale import closed_context, closed_page, sent_elsewhere


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
            return closed_page(request, closed_context(LateAnswer.Event.SUBMITTED, sub))
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
                return carry_on(request, earlier, returning, first_key)
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
            return carry_on(request, holder, returning) if holder else sent_elsewhere(request)
        try:
            with transaction.atomic():
                form.save()
                mark_done(holder, "consent")
                holder.save()
        except IntegrityError:  # the same form posted twice at once: use the first draft
            return carry_on(request, get_object_or_404(Submission, client_token=stored),
                             returning, first_key)
        return carry_on(request, holder, returning, first_key)
    response = page(request, "intake/question.html", sub=sub, step=BY_SLUG["consent"],
                    form=form, client_token=uuid.uuid4().hex,
                    new_forms_used_up=request.method == "GET" and new_forms_used_up(request, sub))
    return response if browser_id(request) else give_browser_id(response)


def carry_on(request, sub: Submission, returning: bool, first_key: str | None = None):
    """Consent given: bind the draft to this browser (a new session id, even for the same
    draft) and go on; unless this browser no longer holds it, posting its consent form again:
    the draft was sent since, or moved to another device (its first key was replaced)."""
    if sub.is_submitted:
        return closed_page(request, closed_context(LateAnswer.Event.SUBMITTED, sub))
    if sub.browser_key not in (first_key, request.session.get(BROWSER_KEY)):
        return closed_page(request, closed_context(LateAnswer.Event.MOVED, sub))
    bind(request, sub)
    return redirect(next_url(sub, returning))


@require_safe
def not_eligible(request):
    return page(request, "intake/not_eligible.html", min_age=settings.MIN_PATIENT_AGE)
