"""Atomic rate limits in the database: each hit increments a counter row for the current fixed
window with one UPDATE (which PostgreSQL row-locks and SQLite serializes), then reads it back in
the same transaction, so parallel requests can never all see "under the limit" at once.

Limits hold back one client; for guessing spread over many clients there is an alarm to staff
(`alarm_if_guessing`), never a lock-out that would shut every patient out with the guessers."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..delivery import outbox
from ..models import OutgoingEmail, RateCounter, ResumeAttempt


def client_key(who: str) -> str:
    """A keyed hash of a client address: what the limits and the resume log store."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{who}".encode()).hexdigest()


def _window_start(window: timedelta):
    now = timezone.now()
    seconds = int(window.total_seconds())
    return now - timedelta(seconds=int(now.timestamp()) % seconds,
                           microseconds=now.microsecond)


def _counter(scope: str, who: str, window: timedelta) -> dict:
    return {"scope": scope, "key": client_key(who), "window_start": _window_start(window)}


def hit(scope: str, who: str, limit: int, window: timedelta) -> bool:
    """Count one hit; True while the hits of this window (this one included) are within limit."""
    fields = _counter(scope, who, window)
    with transaction.atomic():
        RateCounter.objects.get_or_create(**fields)
        RateCounter.objects.filter(**fields).update(count=F("count") + 1)
        count = RateCounter.objects.filter(**fields).values_list("count", flat=True).get()
    return count <= limit


def allows(scope: str, who: str, limit: int, window: timedelta) -> bool:
    """Whether a hit now would be within limit, without counting one (for a page that only
    warns: the hit itself is counted by the action it limits)."""
    count = RateCounter.objects.filter(**_counter(scope, who, window)).values_list(
        "count", flat=True).first()
    return (count or 0) < limit


def purge_before(when) -> int:
    return RateCounter.objects.filter(window_start__lt=when).delete()[0]


ALARM_EVERY = timedelta(hours=1)


def alarm_if_guessing(window: timedelta) -> OutgoingEmail | None:
    """When the failed resume tries of all clients in the last `window` pass RESUME_GUESS_ALARM,
    queue one e-mail to staff, at most one an hour: how many tries failed, from how many
    addresses; no code, no health information. Returns the e-mail queued, if any."""
    now = timezone.now()
    failed = ResumeAttempt.objects.filter(succeeded=False, at__gt=now - window)
    tries = failed.count()
    if tries <= settings.RESUME_GUESS_ALARM or OutgoingEmail.objects.filter(
            kind=OutgoingEmail.Kind.GUESSING, created_at__gt=now - ALARM_EVERY).exists():
        return None
    if not hit("guess-alarm", "all", 1, ALARM_EVERY):  # another request is sending it
        return None
    addresses = failed.values("client").distinct().count()
    minutes = int(window.total_seconds() // 60)
    subject = f"[{settings.CLINIC_NAME}] Resume codes may be being guessed"
    body = (
        f"In the last {minutes} minutes, {tries} tries to open saved answers with a resume "
        f"code failed, from {addresses} different addresses. Someone may be guessing codes.\n\n"
        "Patients are not locked out: each address has its own limit, and a code typed with a "
        f"wrong date of birth {settings.RESUME_CODE_FAILURES} times stops working. If it goes "
        "on, ask whoever runs the site to block the addresses at the proxy or firewall.\n\n"
        "At most one such message is sent an hour. It holds no codes and no health "
        "information by design.\n"
    )
    return outbox.queue_email(OutgoingEmail.Kind.GUESSING, settings.CLINIC_ALERT_EMAILS,
                              subject, body)
