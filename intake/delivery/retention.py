"""What is kept, and for how long (README "Retention"; the privacy notice says the same).

- Drafts: deleted `DRAFT_RETENTION_DAYS` after their last save. A flagged draft (the patient
  gave an urgent or priority safety answer) is kept until staff have closed it.
- Submitted intakes are clinical records: never deleted here.
- Expired sessions, resume tries and rate-limit counters older than a day.
- Outgoing e-mails (`OutgoingEmail`: a patient's resume e-mail holds their address and code
  until it is sent) once sent or given up, and any older than `RESUME_CODE_DAYS`; finished task
  rows (a task holds a row's id only).

Each run writes one audit row with the counts it deleted (never what they held).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .. import audit
from ..models import (
    AuditEvent,
    OutgoingEmail,
    ResumeAttempt,
    ReviewStatus,
    SafetyLevel,
    Submission,
)
from ..patient import ratelimit

PURGE_EVERY = timedelta(days=1)
FINISHED = (OutgoingEmail.Status.SENT, OutgoingEmail.Status.FAILED, OutgoingEmail.Status.REPLACED)
# Tasks no longer defined whose rows may hold a patient's address and resume code in their
# arguments (the resume e-mail before the outbox): deleted whatever their state, even "running"
# for good after a killed worker.
RETIRED_TASKS = ("intake.tasks.send_resume_email",)


def expired_drafts(now):
    cutoff = now - timedelta(days=settings.DRAFT_RETENTION_DAYS)
    return Submission.objects.filter(status=Submission.Status.DRAFT, updated_at__lt=cutoff).filter(
        Q(safety_level=SafetyLevel.NONE) | Q(review_status=ReviewStatus.CLOSED))


def purge(now=None) -> dict[str, int]:
    now = now or timezone.now()
    day_ago = now - timedelta(days=1)
    with transaction.atomic():
        counts = {
            "drafts": _delete_expired_drafts(now),
            "sessions": Session.objects.filter(expire_date__lt=now).delete()[0],
            "resume_attempts": ResumeAttempt.objects.filter(at__lt=day_ago).delete()[0],
            "rate_counters": ratelimit.purge_before(day_ago),
            "outgoing_emails": OutgoingEmail.objects.filter(
                Q(status__in=FINISHED)
                | Q(created_at__lt=now - timedelta(days=settings.RESUME_CODE_DAYS))).delete()[0],
            "finished_tasks": DBTaskResult.objects.filter(
                Q(status__in=(TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED))
                | Q(task_path__in=RETIRED_TASKS)).delete()[0],
        }
        audit.record(None, audit.PURGED, **counts)
    return counts


def _delete_expired_drafts(now) -> int:
    """Inside the purge's transaction: delete the drafts past retention, none that a patient
    is saving meanwhile.

    The drafts are locked as they are chosen (PostgreSQL: SELECT ... FOR UPDATE, skipping any
    a save holds at that moment: that save makes it recent). A patient who comes back to a
    chosen draft waits until the purge ends and then finds it gone, so the purge never deletes
    an answer, or a safety flag, that a patient was just told was saved. On SQLite the purge's
    transaction holds the write lock from its start, so saves wait for it the same way.
    """
    chosen = list(expired_drafts(now).select_for_update(skip_locked=True)
                  .values_list("pk", flat=True))
    deleted = 0
    for start in range(0, len(chosen), 500):
        deleted += Submission.objects.filter(pk__in=chosen[start:start + 500]).delete()[1].get(
            "intake.Submission", 0)
    return deleted


def purge_if_due(now=None) -> dict[str, int] | None:
    """Purge unless a purge ran within the last day (its audit row says when); the task
    worker's sweep calls this. Returns the counts, or None when it was not due."""
    now = now or timezone.now()
    if AuditEvent.objects.filter(action=audit.PURGED, at__gt=now - PURGE_EVERY).exists():
        return None
    return purge(now)
