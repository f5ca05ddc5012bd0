"""Atomic rate limits in the database: each hit increments a counter row for the current fixed
window with one UPDATE (which PostgreSQL row-locks and SQLite serializes), then reads it back in
the same transaction, so parallel requests can never all see "under the limit" at once."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import RateCounter


def client_key(who: str) -> str:
    """A keyed hash of a client address: what the limits and the resume log store."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{who}".encode()).hexdigest()


def _window_start(window: timedelta):
    now = timezone.now()
    seconds = int(window.total_seconds())
    return now - timedelta(seconds=int(now.timestamp()) % seconds,
                           microseconds=now.microsecond)


def hit(scope: str, who: str, limit: int, window: timedelta) -> bool:
    """Count one hit; True while the hits of this window (this one included) are within limit."""
    fields = {"scope": scope, "key": client_key(who), "window_start": _window_start(window)}
    with transaction.atomic():
        RateCounter.objects.get_or_create(**fields)
        RateCounter.objects.filter(**fields).update(count=F("count") + 1)
        count = RateCounter.objects.filter(**fields).values_list("count", flat=True).get()
    return count <= limit


def purge_before(when) -> int:
    return RateCounter.objects.filter(window_start__lt=when).delete()[0]
