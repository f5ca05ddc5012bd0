"""Alerts go through the task queue: a mail server that refuses or never answers costs the
patient nothing, and the alert is retried with back-off and delivered exactly once when the
server comes back (escalation until contact: tests/test_escalation.py). Real SMTP over local
sockets; the clock is moved with time-machine."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intake.delivery import outbox, retention
from intake.models import Alert, OutgoingEmail, SafetyLevel, Submission
from tests.intake_helpers import PAGES, fill_until, load_catalog, post, url
from tests.live import free_port
from tests.mail_server import MailServer, message_id
from tests.task_helpers import queued, run_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 2
    settings.CLINIC_ALERT_EMAILS = ["duty@clinic.test"]
    load_catalog()
    servers = []

    def serve(hang=False):
        servers.append(MailServer(settings.EMAIL_PORT, hang=hang))
        return servers[-1]

    yield serve
    for server in servers:
        server.stop()


def answer_acute(client) -> float:
    """Answer the safety questions with an acute yes; seconds the final answer took."""
    fill_until(client, stop="safety")
    assert post(client, "safety", {**PAGES["safety"], "asq_wished_dead": "yes"}).status_code \
        == 302
    started = time.monotonic()
    response = client.post(url("safety-now"),
                           {"asq_thoughts_now": "yes"})
    took = time.monotonic() - started
    assert response["Location"] == reverse("intake:next")
    return took


def alert_rows():
    return {alert.kind: alert for alert in Alert.objects.all()}


@pytest.mark.parametrize("outage", ["hangs", "refuses"])
def test_alerts_survive_a_mail_outage_and_go_out_exactly_once(client, smtp, outage):
    down = smtp(hang=True) if outage == "hangs" else None  # "refuses": nothing listens
    took = answer_acute(client)
    assert took < 1, f"the patient's safety page waited {took:.1f} s for the mail server"
    sub = Submission.objects.get()
    assert sub.safety_level == SafetyLevel.ACUTE

    # the urgent alert tried and failed; the priority one, replaced before its turn, did nothing
    assert run_tasks() == 2
    rows = alert_rows()
    assert rows[Alert.Kind.PRIORITY].status == Alert.Status.REPLACED  # one e-mail per level
    urgent = rows[Alert.Kind.URGENT]
    assert (urgent.status, urgent.attempts) == (Alert.Status.PENDING, 1)
    assert ("timed out" in urgent.last_error) if outage == "hangs" else \
        ("Refused" in urgent.last_error)
    assert urgent.next_attempt_at > timezone.now() + timedelta(seconds=20)
    # what staff are shown once it is late
    assert set(outbox.undelivered(timezone.now() + outbox.UNDELIVERED_AFTER)) == {urgent}
    assert len(queued("deliver_alert")) == 1

    if down is not None:
        down.stop()
    up = smtp()
    assert run_tasks() == 0  # not due yet: back-off
    with time_machine.travel(timezone.now() + timedelta(seconds=45), tick=True):
        assert run_tasks() == 1
    with time_machine.travel(timezone.now() + timedelta(minutes=20), tick=True):
        assert run_tasks() == 0  # nothing left to send
    assert len(up.messages) == 1
    assert sub.reference in up.messages[0] and "Urgent intake" in up.messages[0]
    urgent.refresh_from_db()
    assert (urgent.status, urgent.attempts, urgent.last_error) == (Alert.Status.SENT, 2, "")
    assert list(outbox.undelivered()) == []


def test_retries_back_off_and_then_give_up_where_staff_see_it(client, smtp, monkeypatch):
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 3)
    fill_until(client, stop="phq9")
    assert post(client, "phq9", {**PAGES["phq9"], "item9": "2"}).status_code == 302  # priority
    (alert,) = Alert.objects.all()
    waits = []
    for _attempt in range(3):
        alert.refresh_from_db()
        due = alert.next_attempt_at or timezone.now()
        with time_machine.travel(due + timedelta(seconds=1), tick=True):
            assert run_tasks() == 1
        alert.refresh_from_db()
        if alert.next_attempt_at:
            waits.append((alert.next_attempt_at - alert.last_attempt_at).total_seconds())
    assert waits == [30, 60]
    assert (alert.status, alert.attempts, alert.next_attempt_at) == (Alert.Status.FAILED, 3,
                                                                    None)
    assert list(outbox.undelivered()) == [alert]
    assert queued("deliver_alert") == []
    # staff can send it again once the mail server is back
    up = smtp()
    assert outbox.retry_now(alert)
    run_tasks()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT and len(up.messages) == 1


def test_try_again_now_replaces_the_waiting_retry_instead_of_adding_one(client, smtp):
    """Staff press "Try again now" (twice, a double click) during an outage, while the alert's
    back-off retry is waiting: one try runs now, and the alert keeps one chain of retries (the
    tasks queued before the last press do nothing), so its attempts, and the moment it gives
    up, are not hurried by the button."""
    fill_until(client, stop="phq9")
    assert post(client, "phq9", {**PAGES["phq9"], "item9": "2"}).status_code == 302  # priority
    (alert,) = Alert.objects.all()
    assert run_tasks() == 1  # nothing listens: refused, a retry waits 30 s
    alert.refresh_from_db()
    (waiting,) = queued("deliver_alert")
    assert str(waiting.id) == alert.task_id
    assert waiting.run_after > timezone.now() + timedelta(seconds=20)

    assert outbox.retry_now(alert) and outbox.retry_now(alert)
    alert.refresh_from_db()
    assert alert.task_id not in {str(waiting.id), ""}
    assert run_tasks() == 2  # both presses' tasks ran: one tried, one did nothing
    alert.refresh_from_db()
    assert alert.attempts == 2
    with time_machine.travel(timezone.now() + timedelta(seconds=45), tick=True):
        run_tasks()  # the back-off retry from before the presses: it does nothing
    alert.refresh_from_db()
    assert alert.attempts == 2
    (retry,) = queued("deliver_alert")  # the second try's back-off retry, the alert's task
    assert str(retry.id) == alert.task_id

    up = smtp()
    with time_machine.travel(retry.run_after + timedelta(seconds=1), tick=True):
        assert run_tasks() == 1
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == (Alert.Status.SENT, 3) and len(up.messages) == 1
    assert queued("deliver_alert") == []


def test_an_alert_without_addresses_is_recorded_as_undelivered(client, settings):
    settings.CLINIC_ALERT_EMAILS = []
    load_catalog()
    fill_until(client, stop="phq9")
    post(client, "phq9", {**PAGES["phq9"], "item9": "1"})
    run_tasks()
    assert list(outbox.undelivered()) == []  # raised just now: not late yet
    (alert,) = outbox.undelivered(timezone.now() + outbox.UNDELIVERED_AFTER)
    assert "CLINIC_ALERT_EMAILS" in alert.last_error


# --- the patient's e-mail -----------------------------------------------------------------------

def saved_code(client) -> str:
    """Save for later; the resume code the page shows."""
    html = client.post(reverse("intake:save")).content.decode()
    start = html.index('class="resume-code"')
    return html[html.index(">", start) + 1:html.index("</p>", start)].strip()


def held_anywhere(*values: str) -> list[str]:
    """The task and outbox rows that hold any of these values."""
    rows = [*DBTaskResult.objects.values_list("args_kwargs", "return_value"),
            *OutgoingEmail.objects.values_list("recipients", "subject", "body")]
    return [str(row) for row in rows if any(value in str(row) for value in values)]


def test_the_resume_email_goes_through_the_outbox_and_its_code_leaves_it_once_sent(
        client, smtp):
    """The task holds the outbox row's id only; the row's body (the code) and recipients (the
    patient's address) are wiped once it is sent, and the purge deletes the row and the
    finished task."""
    fill_until(client, stop="phq9")
    code, address = saved_code(client), PAGES["about-you"]["email"]
    (email,) = OutgoingEmail.objects.all()
    assert (email.kind, email.recipients, email.status) == (
        OutgoingEmail.Kind.RESUME, [address], OutgoingEmail.Status.PENDING)
    assert code in email.body
    (task,) = queued("send_email")
    assert task.args_kwargs == {"args": [email.pk], "kwargs": {}} and str(task.id) == email.task_id
    assert run_tasks() == 1  # nothing listens: refused, retried later
    email.refresh_from_db()
    assert email.attempts == 1 and code in email.body  # kept for the retry
    assert email.last_error == "ConnectionRefusedError"  # the server's words might quote it
    up = smtp()
    with time_machine.travel(email.next_attempt_at + timedelta(seconds=1), tick=True):
        assert run_tasks() == 1
    (sent,) = up.messages
    assert code in sent and address in sent and message_id(sent) == email.message_id
    email.refresh_from_db()
    assert (email.status, email.body, email.recipients) == (OutgoingEmail.Status.SENT, "", [])
    assert held_anywhere(code, address) == []
    assert retention.purge()["outgoing_emails"] == 1
    assert not OutgoingEmail.objects.exists()
    assert not DBTaskResult.objects.filter(status__in=("SUCCESSFUL", "FAILED")).exists()


def test_a_resume_email_given_up_is_wiped_too(client, smtp, monkeypatch):
    monkeypatch.setattr(outbox, "MAX_ATTEMPTS", 1)
    fill_until(client, stop="phq9")
    code = saved_code(client)
    assert run_tasks() == 1  # refused, and given up
    (email,) = OutgoingEmail.objects.all()
    assert (email.status, email.body, email.recipients) == (OutgoingEmail.Status.FAILED, "", [])
    assert held_anywhere(code, PAGES["about-you"]["email"]) == []


def test_the_purge_deletes_resume_tasks_queued_before_the_outbox():
    """The resume e-mail task before the outbox held the address and the code in its
    arguments: the purge deletes its rows, even one a killed worker left running for good."""
    DBTaskResult.objects.create(
        task_path="intake.tasks.send_resume_email", status="RUNNING", backend_name="default",
        run_after=timezone.now(),
        args_kwargs={"args": ["alex@example.org", "https://x.test/resume/", "ABCDE-FGHJK"],
                     "kwargs": {}})
    assert retention.purge()["finished_tasks"] == 1
    assert held_anywhere("alex@example.org", "ABCDE-FGHJK") == []


def test_an_alert_queued_under_the_old_task_path_is_still_delivered(client, catalog, settings,
                                                                    mailoutbox):
    """Rows queued before the tasks moved into intake/delivery/ name `intake.tasks.deliver_alert`:
    after an upgrade the worker still finds that task, and the alert goes out once."""
    settings.CLINIC_ALERT_EMAILS = ["duty@clinic.test"]
    fill_until(client, stop="phq9")
    assert post(client, "phq9", {**PAGES["phq9"], "item9": "2"}).status_code == 302
    (alert,) = Alert.objects.all()
    assert DBTaskResult.objects.filter(pk=alert.task_id).update(
        task_path="intake.tasks.deliver_alert") == 1
    assert run_tasks() == 1
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT
    (sent,) = mailoutbox
    assert alert.submission.reference in sent.subject and sent.to == ["duty@clinic.test"]


def test_alert_links_use_the_served_host_in_development(client, settings, mailoutbox):
    settings.SITE_URL = ""
    load_catalog()
    fill_until(client, stop="phq9")
    post(client, "phq9", {**PAGES["phq9"], "item9": "1"}, SERVER_PORT="8765",
         HTTP_HOST="127.0.0.1:8765")
    run_tasks()
    assert "http://127.0.0.1:8765/admin/intake/submission/" in mailoutbox[0].body



def priority_alert(client) -> Alert:
    fill_until(client, stop="phq9")
    assert post(client, "phq9", {**PAGES["phq9"], "item9": "2"}).status_code == 302
    (alert,) = Alert.objects.all()
    return alert


@pytest.mark.parametrize("left", ["killed mid-send", "task failed"])
def test_the_sweep_queues_again_what_a_dead_worker_left(client, smtp, left):
    """A worker killed in the middle of a send leaves its task "running" for good and the alert
    claimed: the worker's sweep queues the alert again once the claim runs out (never while a
    try may still be under way, and never twice), and the retry sends the same message. A task
    that failed outright is queued again at the next sweep."""
    up = smtp()
    alert = priority_alert(client)
    claimed = timezone.now()
    if left == "killed mid-send":  # it took the task, claimed the alert, fixed its Message-ID
        DBTaskResult.objects.filter(status="READY").update(status="RUNNING")
        claimed += outbox.claim_lease()
        Alert.objects.filter(pk=alert.pk).update(claimed_until=claimed,
                                                 message_id="<first-try@clinic.test>")
    else:
        DBTaskResult.objects.filter(status="READY").update(status="FAILED")
    assert run_tasks() == 0
    if left == "killed mid-send":
        assert outbox.sweep() == 0  # the try may still be under way
    with time_machine.travel(claimed + timedelta(seconds=1), tick=True):
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0  # its task is waiting now: nothing twice
        assert run_tasks() == 1
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT
    assert [message_id(m) for m in up.messages] == [alert.message_id]
    if left == "killed mid-send":
        assert alert.message_id == "<first-try@clinic.test>"


# Where the worker records a sent (or given-up) alert.
RECORD = 'UPDATE "intake_alert" SET "status"'


def dropping(sql_start: str, times: int):
    """A database execute wrapper: the first `times` statements that start with `sql_start`
    fail as when the server drops the connection."""
    dropped = []

    def wrapper(execute, sql, params, many, context):
        if sql.startswith(sql_start) and len(dropped) < times:
            dropped.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return wrapper


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_after_the_send_is_recorded_on_a_new_one(client, smtp):
    up = smtp()
    alert = priority_alert(client)
    with connection.execute_wrapper(dropping(RECORD, times=1)):
        assert run_tasks() == 1
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == (Alert.Status.SENT, 1)
    assert DBTaskResult.objects.get(id=alert.task_id).status == "SUCCESSFUL"
    assert [message_id(m) for m in up.messages] == [alert.message_id]


@pytest.mark.django_db(transaction=True)
def test_a_database_down_through_a_try_leaves_the_alert_to_the_sweep(client, smtp):
    """The record fails on the new connection too: the task ends (not failed, the worker goes
    on), the alert stays pending and claimed, and the sweep queues it again once the claim runs
    out; the mail program gets the same message twice, and shows it once."""
    up = smtp()
    alert = priority_alert(client)
    with connection.execute_wrapper(dropping(RECORD, times=2)):
        assert run_tasks() == 1
    alert.refresh_from_db()
    assert (alert.status, alert.attempts) == (Alert.Status.PENDING, 0)
    assert DBTaskResult.objects.get(id=alert.task_id).status == "SUCCESSFUL"
    assert outbox.sweep() == 0
    with time_machine.travel(alert.claimed_until + timedelta(seconds=1), tick=True):
        assert outbox.sweep() == 1
        assert run_tasks() == 1
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT
    assert [message_id(m) for m in up.messages] == [alert.message_id] * 2


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweep_survives_a_database_outage_and_the_next_one_queues(client, smtp,
                                                                            caplog):
    """Every statement fails for one sweep (the database is down): each step logs it and the
    sweep returns; the next sweep queues the alert whose task failed, and it is sent."""
    from intake.management.commands.worker import SWEEP_STEPS, sweep_once

    up = smtp()
    alert = priority_alert(client)
    DBTaskResult.objects.filter(status="READY").update(status="FAILED")
    with connection.execute_wrapper(dropping("", times=1000)):
        sweep_once()
    assert caplog.text.count("database unavailable (OperationalError)") == len(SWEEP_STEPS)
    sweep_once()
    assert run_tasks() == 1
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT and len(up.messages) == 1
