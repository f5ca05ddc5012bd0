"""Staff alerts: queued in the transaction that calls for them, delivered by the task worker.

No e-mail is ever sent inside a patient's request. Raising a safety flag, submitting, or a
flagged case going without recorded contact (`escalation`) writes an `Alert` row and the task
that delivers it in one transaction; the worker (`manage.py worker`) sends it, and a failure
(refused, timed out) is recorded on the row and retried later with back-off. Staff see
undelivered alerts in the admin. Messages carry the reference, the kind and the staff link
only: never a health answer.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from ..models import Alert, OutgoingEmail, SafetyLevel, Submission
from .messages import title
from .outbox import queue_delivery, queue_email, unclaimed

KIND_FOR_LEVEL = {SafetyLevel.ACUTE: Alert.Kind.URGENT,
                  SafetyLevel.NON_ACUTE: Alert.Kind.PRIORITY}

# A burst (a flood of fake urgent forms, a backlog after an outage): alerts beyond the
# BURST_ALERTS-th queued within BURST_WINDOW are held and go out together in one digest e-mail.
BURST_ALERTS = 10
BURST_WINDOW = timedelta(minutes=10)


def site_base(request=None) -> str:
    """The address staff links start with: SITE_URL (required in production), or in development
    the scheme, host and port that served this request."""
    if settings.SITE_URL:
        return settings.SITE_URL
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return "http://127.0.0.1:8000"


def staff_link(base: str, submission_id: int) -> str:
    return base + reverse("admin:intake_submission_change", args=[submission_id])


def queue(sub: Submission, kind: str, base: str, sequence: int = 0) -> Alert | None:
    """Queue one alert of this kind (and, for an escalation, this number) for this submission,
    in the caller's transaction.

    Returns None when it was queued before: each goes out once per submission. An urgent alert
    replaces the case's priority alert not yet sent: one e-mail per case and level. In a burst
    the alert is held for the next digest (`queue_digest`) instead of sent on its own.
    """
    recipients = (settings.CLINIC_ESCALATION_EMAILS if kind == Alert.Kind.ESCALATION
                  else settings.CLINIC_ALERT_EMAILS)
    now = timezone.now()
    if kind == Alert.Kind.URGENT:
        sub.alerts.filter(unclaimed(now), kind=Alert.Kind.PRIORITY,  # no try under way
                          status__in=(Alert.Status.PENDING, Alert.Status.HELD),
                          ).update(status=Alert.Status.REPLACED, next_attempt_at=None)
    try:
        with transaction.atomic():
            status = Alert.Status.HELD if in_burst(now) else Alert.Status.PENDING
            alert = Alert.objects.create(submission=sub, kind=kind, sequence=sequence,
                                         status=status, recipients=list(recipients),
                                         link=staff_link(base, sub.pk))
    except IntegrityError:  # queued already, perhaps by a request running at the same time
        return None
    if status == Alert.Status.PENDING:
        queue_delivery(Alert, alert.pk)
    return alert


def in_burst(now: datetime) -> bool:
    """BURST_ALERTS alerts (replaced ones aside) were queued within BURST_WINDOW already.

    On PostgreSQL the count and the insert after it are serialized by a transaction-level
    advisory lock (SQLite transactions here take the write lock when they begin), so requests
    at the same moment cannot all count under the limit."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BURST_LOCK])
    return Alert.objects.filter(created_at__gt=now - BURST_WINDOW).exclude(
        status=Alert.Status.REPLACED).count() >= BURST_ALERTS


BURST_LOCK = 0x7472_6441  # any constant number, the same in every process


def queue_digest(now: datetime) -> int:
    """Send the held alerts together: one digest e-mail per list of recipients, listing each
    alert's kind, reference and link (never a health answer). The held alerts become sent, the
    digest (`OutgoingEmail`, kind digest) carrying their delivery from there. Returns how many
    digests were queued; safe from several processes (the held rows are locked, and re-read)."""
    with transaction.atomic():
        held = list(Alert.objects.select_for_update().filter(status=Alert.Status.HELD)
                    .select_related("submission").order_by("created_at", "pk"))
        groups: dict[tuple[str, ...], list[Alert]] = {}
        for alert in held:
            groups.setdefault(tuple(alert.recipients), []).append(alert)
        for recipients, group in groups.items():
            lines = "".join(f"- {title(a)}: {a.submission.reference}\n  {a.link}\n"
                            for a in group)
            body = (f"More than {BURST_ALERTS} staff alerts were raised within "
                    f"{int(BURST_WINDOW.total_seconds() // 60)} minutes; these {len(group)} come "
                    f"together in this one message.\n\n{lines}\n"
                    "Open each in the staff site (login required).\n"
                    "This message holds no health information by design.\n")
            subject = f"[{settings.CLINIC_NAME}] {len(group)} staff alerts in one message"
            queue_email(OutgoingEmail.Kind.DIGEST, list(recipients), subject, body)
            Alert.objects.filter(pk__in=[a.pk for a in group], status=Alert.Status.HELD).update(
                status=Alert.Status.SENT, sent_at=now, next_attempt_at=None)
    return len(groups)


