"""How long a flagged case may go without recorded contact, by its safety level, and how many
escalations it gets at most (`escalation` queues them; alert e-mails number them "2 of 6")."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from ..models import SafetyLevel

# How many escalations a case gets at most, by its safety level.
LIMITS = {SafetyLevel.ACUTE: 6, SafetyLevel.NON_ACUTE: 1}


def contact_deadline(level: str) -> timedelta:
    """How long a flagged case of this level may go without recorded contact before it is
    escalated (and, for an urgent case, the time between escalations)."""
    if level == SafetyLevel.ACUTE:
        return timedelta(minutes=settings.URGENT_CONTACT_MINUTES)
    return timedelta(hours=settings.PRIORITY_CONTACT_HOURS)


def past_deadline(level: str, flagged_at: datetime | None, now: datetime) -> bool:
    return level in LIMITS and flagged_at is not None and now - flagged_at > \
        contact_deadline(level)
