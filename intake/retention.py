"""What is kept, and for how long (README "Retention"; the privacy notice says the same).

- Drafts: deleted `DRAFT_RETENTION_DAYS` after their last save. A flagged draft (the patient
  gave an urgent or priority safety answer) is kept until staff have closed it.
- Submitted intakes are clinical records: never deleted here.
- Expired sessions, resume tries and rate-limit counters older than a day, and finished task
  rows older than a week (they may hold an e-mail address).

Each run writes one audit row with the counts it deleted (never what they held).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from . import audit, ratelimit
from .models import ResumeAttempt, ReviewStatus, SafetyLevel, Submission

PURGE_EVERY = timedelta(days=1)


def expired_drafts(now):
    cutoff = now - timedelta(days=settings.DRAFT_RETENTION_DAYS)
    return Submission.objects.filter(status=Submission.Status.DRAFT, updated_at__lt=cutoff).filter(
        Q(safety_level=SafetyLevel.NONE) | Q(review_status=ReviewStatus.CLOSED))


def purge(now=None) -> dict[str, int]:
    now = now or timezone.now()
    day_ago = now - timedelta(days=1)
    with transaction.atomic():
        counts = {
            "drafts": expired_drafts(now).delete()[1].get("intake.Submission", 0),
            "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
            "resume_attempts": ResumeAttempt.objects.filter(at__lt=day_ago).delete()[0],
            "rate_counters": ratelimit.purge_before(day_ago),
            "finished_tasks": DBTaskResult.objects.filter(
                status__in=("SUCCESSFUL", "FAILED"),
                finished_at__lt=now - timedelta(days=7)).delete()[0],
        }
        audit.record(None, audit.PURGED, **counts)
    return counts


def schedule_next(after=None) -> bool:
    """Queue the next daily purge unless one is waiting already; True if it queued one."""
    from .tasks import purge_expired, waiting

    if waiting(purge_expired).exists():
        return False
    purge_expired.using(run_after=(after or timezone.now()) + PURGE_EVERY).enqueue()
    return True
