"""Staff alerts: queued in the transaction that calls for them, delivered by the task worker.

No e-mail is ever sent inside a patient's request. Raising a safety flag, submitting, or an
urgent case going unopened writes an `Alert` row and the task that delivers it in one
transaction; the worker (`manage.py worker`) sends it, and a failure (refused, timed out)
is recorded on the row and retried later with back-off. Staff see undelivered alerts in the
admin. Messages carry the reference, the kind and the staff link only: never a health answer.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from .models import Alert, SafetyLevel, Submission

log = logging.getLogger(__name__)

# Seconds to wait before each retry (the last one repeats), and when to give up: about a day.
BACKOFF_SECONDS = (30, 60, 120, 300, 600, 900, 1800, 3600)
MAX_ATTEMPTS = 30

SUBJECTS = {
    Alert.Kind.URGENT: "Urgent intake to review now",
    Alert.Kind.PRIORITY: "Priority intake to review",
    Alert.Kind.SUBMITTED: "New intake submitted",
    Alert.Kind.ESCALATION: "ESCALATION: urgent intake not yet opened",
}
KIND_FOR_LEVEL = {SafetyLevel.ACUTE: Alert.Kind.URGENT,
                  SafetyLevel.NON_ACUTE: Alert.Kind.PRIORITY}


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


def queue(sub: Submission, kind: str, base: str) -> Alert | None:
    """Queue one alert of this kind for this submission, in the caller's transaction.

    Returns None when it was queued before: each kind goes out once per submission.
    """
    from .tasks import deliver_alert  # tasks import this module

    recipients = (settings.CLINIC_ESCALATION_EMAILS if kind == Alert.Kind.ESCALATION
                  else settings.CLINIC_ALERT_EMAILS)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(submission=sub, kind=kind, recipients=list(recipients),
                                         link=staff_link(base, sub.pk))
    except IntegrityError:  # queued already, perhaps by a request running at the same time
        return None
    deliver_alert.enqueue(alert.pk)
    return alert


def schedule_escalation(sub: Submission, base: str) -> None:
    """Check again after URGENT_REVIEW_MINUTES whether staff have opened this urgent case."""
    from .tasks import escalate_if_unopened

    due = sub.flagged_at + timedelta(minutes=settings.URGENT_REVIEW_MINUTES)
    escalate_if_unopened.using(run_after=due).enqueue(sub.pk, base)


def escalate(submission_id: int, base: str) -> bool:
    """Escalate an urgent case still unopened after URGENT_REVIEW_MINUTES, once. True if it did.

    Run by the worker at the due time; a case opened by staff in the meantime, or already
    escalated, is left alone.
    """
    now = timezone.now()
    due_flag = now - timedelta(minutes=settings.URGENT_REVIEW_MINUTES)
    with transaction.atomic():
        won = Submission.objects.filter(
            pk=submission_id, safety_level=SafetyLevel.ACUTE, first_viewed_at__isnull=True,
            escalated_at__isnull=True, flagged_at__lte=due_flag,
        ).update(escalated_at=now)
        if not won:
            return False
        queue(Submission.objects.get(pk=submission_id), Alert.Kind.ESCALATION, base)
    return True


def message(alert: Alert) -> tuple[str, str]:
    reference = alert.submission.reference
    title = SUBJECTS[alert.kind]
    subject = f"[{settings.CLINIC_NAME}] {title}: {reference}"
    extra = ""
    if alert.kind == Alert.Kind.ESCALATION:
        extra = (f"Nobody on the staff site has opened this urgent intake in "
                 f"{settings.URGENT_REVIEW_MINUTES} minutes.\n\n")
    body = (
        f"{title}.\n\n{extra}Reference: {reference}\n"
        f"Open it in the staff site (login required): {alert.link}\n\n"
        "This message holds no health information by design.\n"
    )
    return subject, body


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


def deliver(alert_id: int) -> str:
    """Send one queued alert; on failure record why and queue the next try. Returns what
    happened ("sent", "retry", "failed", or "skipped" when there was nothing to do).

    No transaction is held while the mail server is talked to: a slow server must not keep the
    database locked for the patients.
    """
    from .tasks import deliver_alert

    alert = Alert.objects.select_related("submission").filter(pk=alert_id).first()
    if alert is None or alert.status != Alert.Status.PENDING:
        return "skipped"
    now = timezone.now()
    try:
        if not alert.recipients:
            raise RuntimeError("no addresses configured (CLINIC_ALERT_EMAILS)")
        subject, body = message(alert)
        send_mail(subject, body, None, alert.recipients)
    except Exception as exc:  # refused, timed out, misconfigured: all recorded and retried
        attempts = alert.attempts + 1
        error = f"{type(exc).__name__}: {exc}"[:300]
        gave_up = attempts >= MAX_ATTEMPTS
        retry_at: datetime | None = None if gave_up else now + backoff(attempts)
        with transaction.atomic():
            Alert.objects.filter(pk=alert.pk, status=Alert.Status.PENDING).update(
                attempts=attempts, last_attempt_at=now, last_error=error,
                next_attempt_at=retry_at,
                status=Alert.Status.FAILED if gave_up else Alert.Status.PENDING)
            if retry_at is not None and not waiting_deliveries(alert.pk):
                deliver_alert.using(run_after=retry_at).enqueue(alert.pk)
        log.warning("alert %s for %s not delivered (attempt %d): %s", alert.kind,
                    alert.submission.reference, attempts, error)
        return "failed" if gave_up else "retry"
    Alert.objects.filter(pk=alert.pk, status=Alert.Status.PENDING).update(
        status=Alert.Status.SENT, sent_at=now, attempts=F("attempts") + 1, last_attempt_at=now,
        next_attempt_at=None, last_error="")
    log.info("alert %s for %s sent", alert.kind, alert.submission.reference)
    return "sent"


def retry_now(alert: Alert) -> bool:
    """Staff asked to try an undelivered alert again now (also after the retries gave up):
    its waiting retry, if any, is brought forward to now, else one is queued."""
    from .tasks import deliver_alert

    now = timezone.now()
    with transaction.atomic():
        reopened = Alert.objects.filter(pk=alert.pk).exclude(status=Alert.Status.SENT).update(
            status=Alert.Status.PENDING, next_attempt_at=now)
        if reopened and not waiting_deliveries(alert.pk).update(run_after=now):
            deliver_alert.enqueue(alert.pk)
    return bool(reopened)


def waiting_deliveries(alert_id: int):
    """The queued, not yet started, deliveries of this alert (at most one: "Try again now"
    brings a waiting retry forward, and a failed try queues the next only if none waits, so
    an alert has one chain of retries and its back-off and give-up keep their pace)."""
    from django_tasks_db.models import DBTaskResult

    from .tasks import deliver_alert, waiting

    ids = [pk for pk, call in waiting(deliver_alert).values_list("id", "args_kwargs")
           if call["args"][:1] == [alert_id]]
    return DBTaskResult.objects.filter(id__in=ids)


RESUME_EMAIL_ATTEMPTS = 6


def send_resume_email(address: str, link: str, code: str, attempt: int) -> str:
    """The e-mail holds the resume page's link and the code, and nothing about health."""
    from django.utils.translation import gettext as _

    from .tasks import send_resume_email as task

    body = _(
        "You saved your answers to the %(clinic)s intake form.\n\n"
        "To carry on, open %(link)s and enter this resume code: %(code)s\n"
        "The code works for %(days)s days.\n\n"
        "If you did not do this, you can ignore this message.\n"
    ) % {"clinic": settings.CLINIC_NAME, "link": link, "code": code,
         "days": settings.RESUME_CODE_DAYS}
    try:
        send_mail(_("Your saved answers"), body, None, [address])
    except Exception as exc:
        log.warning("resume e-mail not delivered (attempt %d): %s", attempt, type(exc).__name__)
        if attempt >= RESUME_EMAIL_ATTEMPTS:
            return "failed"
        task.using(run_after=timezone.now() + backoff(attempt)).enqueue(
            address, link, code, attempt + 1)
        return "retry"
    return "sent"


def requeue_stranded() -> int:
    """Queue again what a dead worker left behind: pending alerts with no delivery waiting, and
    unescalated urgent cases with no check waiting. The worker calls it when it starts (a
    worker killed mid-task leaves that task "running" for good). Returns how many it queued."""
    from .tasks import deliver_alert, escalate_if_unopened, waiting

    def waiting_for(task) -> set[int]:  # the submission or alert each waiting run is for
        return {row["args"][0] for row in waiting(task).values_list("args_kwargs", flat=True)}

    queued = 0
    for pk in Alert.objects.filter(status=Alert.Status.PENDING).exclude(
            pk__in=waiting_for(deliver_alert)).values_list("pk", flat=True):
        deliver_alert.enqueue(pk)
        queued += 1
    unescalated = Submission.objects.filter(
        safety_level=SafetyLevel.ACUTE, first_viewed_at__isnull=True, escalated_at__isnull=True,
    ).exclude(pk__in=waiting_for(escalate_if_unopened))
    for sub in unescalated:
        urgent = sub.alerts.filter(kind=Alert.Kind.URGENT).first()
        base = urgent.link.split("/admin/", 1)[0] if urgent else site_base()
        schedule_escalation(sub, base)
        queued += 1
    return queued


def undelivered():
    """Alerts staff should know about: not sent, and either given up or already tried."""
    return Alert.objects.exclude(status=Alert.Status.SENT).filter(attempts__gt=0)
