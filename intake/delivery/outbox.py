"""The outbox: alerts and outgoing e-mails alike are delivered by the task worker, one chain of
tries per row, with back-off, a give-up, and a sweep that queues again what lost its task.

`deliver_alert` and `send_email` are the tasks (django-tasks, the backport of Django 6's tasks
framework: on Django 6 these imports become `django.tasks`); `intake/tasks.py` keeps them at the
dotted path rows queued by earlier versions name. A delivery task does something only while it
is its row's task (`Delivery.task_id`); its arguments are the row's id.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, make_msgid
from django.db import DatabaseError, InterfaceError, close_old_connections, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from ..models import Alert, Delivery, OutgoingEmail
from .messages import message

log = logging.getLogger(__name__)

# Seconds to wait before each retry (the last one repeats), and when to give up: about a day.
BACKOFF_SECONDS = (30, 60, 120, 300, 600, 900, 1800, 3600)
MAX_ATTEMPTS = 30

DELIVERED = (Delivery.Status.SENT, Delivery.Status.REPLACED)
# An alert not delivered this long after it was raised is shown to staff as undelivered, tried
# or not (a stopped worker tries nothing).
UNDELIVERED_AFTER = timedelta(minutes=2)
# What a dropped database connection raises (a restarted or failed-over server, a connection
# cut by the network or by the server's administrator).
DB_ERRORS = (DatabaseError, InterfaceError)


@task(takes_context=True)
def deliver_alert(context, alert_id: int) -> str:
    return deliver(Alert, alert_id, context.task_result.id)


@task(takes_context=True)
def send_email(context, email_id: int) -> str:
    """An e-mail from the outbox (`queue_email`): the row's id is all the task holds."""
    return deliver(OutgoingEmail, email_id, context.task_result.id)


def delivery_task(model):
    """The task that delivers rows of this model (`Alert` or `OutgoingEmail`)."""
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



def waits_for_earlier(alert: Alert) -> bool:
    """An escalation is not sent while an alert of its case queued before it is pending or
    held: after an outage staff get the alert first, then its escalations, in order. A waiting
    escalation counts no try; `deliver` looks at it again after the first back-off step."""
    return alert.kind == Alert.Kind.ESCALATION and Alert.objects.filter(
        submission_id=alert.submission_id, pk__lt=alert.pk,
        status__in=(Alert.Status.PENDING, Alert.Status.HELD)).exists()



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



def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1])



def undelivered(now: datetime | None = None):
    """Alerts staff should know about: not delivered within UNDELIVERED_AFTER of being raised
    (tried or not), or given up."""
    now = now or timezone.now()
    return Alert.objects.exclude(status__in=DELIVERED).filter(
        Q(status=Delivery.Status.FAILED) | Q(created_at__lte=now - UNDELIVERED_AFTER))
