"""Save and come back later: a resume code (and, if asked, an e-mail with the link), resuming
with the code and the date of birth, and forgetting the draft on this device."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from trdintake.client_ip import client_ip

from ...delivery import alerts, outbox
from ...models import ResumeAttempt, Submission
from .. import ratelimit
from ..forms import ResumeForm
from .drafts import bind, current_draft, give_browser_id, next_url, page, posted
from .stale import draft_or_start, sent_elsewhere

RESUME_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


# Limits (intake/patient/ratelimit.py), per client address (trdintake/client_ip.py); none is shared
# by all clients, which guessers could use up to shut every patient out.
RESUME_TRIES, RESUME_WINDOW = 5, timedelta(minutes=15)       # resume tries, right or wrong
SAVE_EMAILS, SAVE_EMAILS_WINDOW = 3, timedelta(days=1)       # "saved answers" e-mails, per
                                                             # draft and per address


def hash_code(code: str) -> str:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(normalised.encode()).hexdigest()


def new_resume_code() -> str:
    raw = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(20))  # about 98 bits
    return "-".join(raw[i:i + 5] for i in range(0, 20, 5))


@require_http_methods(["GET", "POST"])
def save_for_later(request):
    sub, elsewhere = draft_or_start(request)
    if elsewhere:
        return elsewhere
    code, emailed = None, False
    if request.method == "POST":
        code = new_resume_code()
        now = timezone.now()
        with transaction.atomic():
            saved = Submission.objects.filter(pk=sub.pk, status=Submission.Status.DRAFT).update(
                resume_code_hash=hash_code(code), updated_at=now, resume_failures=0,
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
            return sent_elsewhere(request)
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
        code_hash = hash_code(form.cleaned_data["code"])
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
