"""Staff alerts: queued in the transaction that calls for them, delivered by the task worker.

No e-mail is ever sent inside a patient's request. Raising a safety flag, submitting, or a
flagged case going without recorded contact (`escalation`) writes an `Alert` row and the task
that delivers it in one transaction; the worker (`manage.py worker`) sends it, and a failure
(refused, timed out) is recorded on the row and retried later with back-off. Staff see
undelivered alerts in the admin. Messages carry the reference, the kind and the staff link
only: never a health answer.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, make_msgid
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    close_old_connections,
    connection,
    transaction,
)
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from . import wording
from .models import Alert, Delivery, OutgoingEmail, SafetyLevel, Submission

log = logging.getLogger(__name__)

# Seconds to wait before each retry (the last one repeats), and when to give up: about a day.
BACKOFF_SECONDS = (30, 60, 120, 300, 600, 900, 1800, 3600)
MAX_ATTEMPTS = 30

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


def waits_for_earlier(alert: Alert) -> bool:
    """An escalation is not sent while an alert of its case queued before it is pending or
    held: after an outage staff get the alert first, then its escalations, in order. A waiting
    escalation counts no try; `deliver` looks at it again after the first back-off step."""
    return alert.kind == Alert.Kind.ESCALATION and Alert.objects.filter(
        submission_id=alert.submission_id, pk__lt=alert.pk,
        status__in=(Alert.Status.PENDING, Alert.Status.HELD)).exists()


def numbered(alert: Alert, text: str) -> str:
    """The text, with an escalation's number: "... (2 of 6)"."""
    if alert.kind != Alert.Kind.ESCALATION:
        return str(text)
    from .escalation import LIMITS

    limit = max(LIMITS.get(alert.submission.safety_level, 0), alert.sequence)
    return f"{text} ({alert.sequence} of {limit})"


def title(alert: Alert) -> str:
    """What the alert is about, in words: its subject line without the reference."""
    return numbered(alert, wording.alert_subject(alert.kind))


def message(alert: Alert) -> tuple[str, str]:
    from .admin.common import duration_words

    sub = alert.submission
    subject = f"[{settings.CLINIC_NAME}] {title(alert)}: {sub.reference}"
    extra = ""
    if alert.kind == Alert.Kind.ESCALATION:
        waited = duration_words(alert.created_at - sub.flagged_at) if sub.flagged_at else ""
        extra = (f"Escalation {alert.sequence}: no contact with the patient has been recorded "
                 f"{waited} after the {wording.safety_level(sub.safety_level).lower()} flag. "
                 "Opening the case does not stop these e-mails; recording a contact attempt "
                 "that reached the patient does.\n\n")
    body = (
        f"{title(alert)}.\n\n{extra}Reference: {sub.reference}\n"
        f"Open it in the staff site (login required): {alert.link}\n\n"
        "This message holds no health information by design.\n"
    )
    return subject, body


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


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])


# --- delivery: alerts and outgoing e-mails alike ---------------------------------------------

DELIVERED = (Delivery.Status.SENT, Delivery.Status.REPLACED)
# An alert not delivered this long after it was raised is shown to staff as undelivered, tried
# or not (a stopped worker tries nothing).
UNDELIVERED_AFTER = timedelta(minutes=2)
# What a dropped database connection raises (a restarted or failed-over server, a connection
# cut by the network or by the server's administrator).
DB_ERRORS = (DatabaseError, InterfaceError)


def delivery_task(model):
    """The task that delivers rows of this model (`Alert` or `OutgoingEmail`)."""
    from .tasks import deliver_alert, send_email  # tasks import this module

    return deliver_alert if model is Alert else send_email


def claim_lease() -> timedelta:
    """How long a try holds its row: longer than its SMTP conversation may take (each step of it
    waits at most EMAIL_TIMEOUT), so no second try starts while one is still under way; short
    enough that a try whose worker was killed is taken up again soon after."""
    return timedelta(seconds=2 * settings.EMAIL_TIMEOUT + 15)


def unclaimed(now: datetime) -> Q:
    """No try holds the row at `now` (never claimed, or its claim ran out)."""
    return Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)


def queue_delivery(model, pk: int, *, run_after: datetime | None = None,
                   replacing: str | None = None) -> str | None:
    """Queue a task that delivers this pending row and store the task's id on the row, in the
    caller's transaction. From then on only that task delivers it (the row's earlier tasks do
    nothing when they run): one chain of tries per row. With `replacing`, only if the row's task
    is still that one. Returns the new task's id; None if the row is no longer pending (or its
    task changed meanwhile), and then nothing is queued."""
    with transaction.atomic():
        result = delivery_task(model).using(run_after=run_after).enqueue(pk)
        rows = model.objects.filter(pk=pk, status=Delivery.Status.PENDING)
        if replacing is not None:
            rows = rows.filter(task_id=replacing)
        if not rows.update(task_id=result.id):
            transaction.set_rollback(True)
            return None
    return result.id


def task_waiting(model, task_id: str) -> bool:
    """Whether the row's task is queued and not started yet (a retry waiting for its time)."""
    if not task_id:
        return False
    try:
        return delivery_task(model).get_result(task_id).status == TaskResultStatus.READY
    except (TaskResultDoesNotExist, TaskResultMismatch):  # deleted by the purge
        return False


def queue_email(kind: str, recipients, subject: str, body: str) -> OutgoingEmail:
    """Put an e-mail that is not about one case in the outbox, in the caller's transaction: the
    worker sends it like an alert (retries, back-off, give-up) and wipes its body and recipients
    once it is sent or given up; the task holds the row's id only."""
    with transaction.atomic():
        email = OutgoingEmail.objects.create(kind=kind, recipients=list(recipients),
                                             subject=subject, body=body)
        email.task_id = queue_delivery(OutgoingEmail, email.pk)
    return email


def queue_resume_email(address: str, link: str, code: str) -> OutgoingEmail:
    """The patient's "your saved answers" e-mail: the resume page's link and the code, and
    nothing about health."""
    from django.utils.translation import gettext as _

    body = _(
        "You saved your answers to the %(clinic)s intake form.\n\n"
        "To carry on, open %(link)s and enter this resume code: %(code)s\n"
        "The code works for %(days)s days.\n\n"
        "If you did not do this, you can ignore this message.\n"
    ) % {"clinic": settings.CLINIC_NAME, "link": link, "code": code,
         "days": settings.RESUME_CODE_DAYS}
    return queue_email(OutgoingEmail.Kind.RESUME, [address], _("Your saved answers"), body)


def deliver(model, pk: int, task_id: str | None = None) -> str:
    """Try once to send a pending `Alert` or `OutgoingEmail`, as its task `task_id` (None: by
    hand). Returns what happened: "sent"; "retry" (failed, the next try queued with back-off);
    "failed" (gave up); "waiting" (an escalation waits for its case's earlier alert); "skipped"
    (nothing to do: sent already, another try holds it, or `task_id` is not the row's task);
    "interrupted" (the database connection dropped and came back too late: the worker's sweep
    queues it again once its claim runs out).

    The try first claims the row (a conditional UPDATE) until `claim_lease()` from now, so two
    tries never overlap, and fixes the row's Message-ID: every try sends that same message, so a
    retry after a crash between the send and its record shows once in the mail program. No
    transaction is held while the mail server is talked to (a slow server must not keep the
    database locked for the patients), and a dropped database connection is closed and the step
    run again on a new one.
    """
    try:
        return _try(model, pk, task_id)
    except DB_ERRORS as exc:
        close_old_connections()
        log.warning("%s %s not delivered: database unavailable (%s); the sweep queues it again",
                    model.__name__, pk, type(exc).__name__)
        return "interrupted"


def reconnecting(step, *args):
    """Run one database step of a delivery; if the connection dropped, close it and run the step
    once more on a new connection."""
    try:
        return step(*args)
    except DB_ERRORS as exc:
        log.warning("database connection lost (%s); trying again on a new one",
                    type(exc).__name__)
        close_old_connections()
        return step(*args)


def _try(model, pk: int, task_id: str | None) -> str:
    if not reconnecting(_claim, model, pk, task_id):
        return "skipped"
    row = reconnecting(_claimed_row, model, pk)
    if model is Alert and reconnecting(waits_for_earlier, row):
        reconnecting(_release, row, timezone.now() + backoff(1), {})
        return "waiting"
    subject, body = reconnecting(_content, row)
    try:
        if not row.recipients:
            raise RuntimeError("no addresses configured (CLINIC_ALERT_EMAILS)")
        EmailMessage(subject, body, None, row.recipients,
                     headers={"Message-ID": row.message_id}).send()
    except Exception as exc:  # refused, timed out, misconfigured: all recorded and retried
        return reconnecting(_record_failure, row, _error(row, exc))
    reconnecting(_record_sent, row)
    return "sent"


def _claim(model, pk: int, task_id: str | None) -> bool:
    now = timezone.now()
    rows = model.objects.filter(unclaimed(now), pk=pk, status=Delivery.Status.PENDING)
    if task_id is not None:
        rows = rows.filter(task_id=task_id)
    return bool(rows.update(claimed_until=now + claim_lease(), message_id=Case(
        When(message_id="", then=Value(make_msgid())), default=F("message_id"))))


def _claimed_row(model, pk: int):
    rows = model.objects.select_related("submission") if model is Alert else model.objects
    return rows.get(pk=pk)


def _content(row) -> tuple[str, str]:
    return message(row) if isinstance(row, Alert) else (row.subject, row.body)


def _error(row, exc: Exception) -> str:
    """What is recorded (and logged) of a failed send: the mail server's words for a staff
    alert; only the kind of error for an outgoing e-mail, whose server's words may quote the
    patient's address."""
    if isinstance(row, OutgoingEmail):
        return type(exc).__name__
    return f"{type(exc).__name__}: {exc}"[:300]


def _finished(row) -> dict:
    """What a row no longer needs once sent or given up: an outgoing e-mail's body (a resume
    code) and recipients (a patient's address)."""
    return {"body": "", "recipients": []} if isinstance(row, OutgoingEmail) else {}


def _record_sent(row) -> None:
    now = timezone.now()
    type(row).objects.filter(pk=row.pk, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENT, sent_at=now, attempts=F("attempts") + 1,
        last_attempt_at=now, next_attempt_at=None, last_error="", claimed_until=None,
        **_finished(row))
    log.info("%s sent", row)


def _record_failure(row, error: str) -> str:
    attempts = row.attempts + 1
    now = timezone.now()
    gave_up = attempts >= MAX_ATTEMPTS
    outcome = {"attempts": attempts, "last_attempt_at": now, "last_error": error}
    if gave_up:
        type(row).objects.filter(pk=row.pk, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.FAILED, next_attempt_at=None, claimed_until=None,
            **outcome, **_finished(row))
    else:
        _release(row, now + backoff(attempts), outcome)
    log.warning("%s not delivered (attempt %d): %s", row, attempts, error)
    return "failed" if gave_up else "retry"


def _release(row, retry_at: datetime, outcome: dict) -> None:
    """End this try without sending: record `outcome`, free the row, and queue its next try at
    `retry_at` unless its task changed to one still waiting (staff pressed "Try again now"
    meanwhile: that one is the next try)."""
    model = type(row)
    with transaction.atomic():
        model.objects.filter(pk=row.pk, status=Delivery.Status.PENDING).update(
            next_attempt_at=retry_at, claimed_until=None, **outcome)
        current = model.objects.filter(pk=row.pk).values_list("task_id", flat=True).first()
        if current is not None and not task_waiting(model, current):
            queue_delivery(model, row.pk, run_after=retry_at, replacing=current)


def retry_now(row) -> bool:
    """Staff asked to try an undelivered alert (or e-mail) again now, also after the retries
    gave up: a new task, queued to run at once, becomes the row's task. The one waiting before
    does nothing when it runs, so the row keeps one chain of retries and pressing the button
    during an outage does not hurry the give-up. False if it was sent (or replaced) already."""
    model = type(row)
    with transaction.atomic():
        reopened = model.objects.filter(
            pk=row.pk, status__in=(Delivery.Status.PENDING, Delivery.Status.FAILED),
        ).update(status=Delivery.Status.PENDING, next_attempt_at=timezone.now())
        if reopened:
            queue_delivery(model, row.pk)
    return bool(reopened)


def sweep(now: datetime | None = None) -> int:
    """Queue a delivery for every pending alert and e-mail left without one: its task is not
    waiting (it failed, its worker was killed, the database connection dropped under it, the
    purge deleted it) and no try holds the row (its claim ran out). The worker runs this every
    WORKER_SWEEP_SECONDS; it is safe to run from several processes at once (each row is queued
    again by a conditional update). Returns how many it queued."""
    now = now or timezone.now()
    queued = 0
    for model in (Alert, OutgoingEmail):
        stranded = model.objects.filter(unclaimed(now), status=Delivery.Status.PENDING)
        for pk, task_id in stranded.values_list("pk", "task_id"):
            if not task_waiting(model, task_id) and queue_delivery(model, pk, replacing=task_id):
                queued += 1
    return queued


def undelivered(now: datetime | None = None):
    """Alerts staff should know about: not delivered within UNDELIVERED_AFTER of being raised
    (tried or not), or given up."""
    now = now or timezone.now()
    return Alert.objects.exclude(status__in=DELIVERED).filter(
        Q(status=Delivery.Status.FAILED) | Q(created_at__lte=now - UNDELIVERED_AFTER))
