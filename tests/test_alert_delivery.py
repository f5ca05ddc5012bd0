"""Alerts go through the task queue: a mail server that refuses or never answers costs the
patient nothing, the alert is retried with back-off and delivered exactly once when the server
comes back, and an urgent case nobody opens is escalated once. Real SMTP over local sockets; the
clock is moved with time-machine."""

from __future__ import annotations

import socketserver
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from intake import alerts
from intake.models import Alert, SafetyLevel, Submission
from tests.admin_helpers import staff_login
from tests.intake_helpers import PAGES, fill_until, load_catalog, post
from tests.live import free_port
from tests.task_helpers import queued, run_tasks

pytestmark = pytest.mark.django_db


class SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend; `hang` accepts and never says a word."""

    def handle(self):
        server = self.server
        if server.hang:
            server.stopped.wait(60)
            return
        self.say("220 fake ready")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.say("250 fake")
            elif command == "DATA":
                self.say("354 go ahead")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data.decode())
                server.messages.append("".join(body))
                self.say("250 queued")
            elif command == "QUIT":
                self.say("221 bye")
                return
            else:
                self.say("250 ok")

    def say(self, text):
        self.wfile.write(text.encode() + b"\r\n")


class SmtpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port: int, hang: bool = False):
        self.hang, self.messages, self.stopped = hang, [], threading.Event()
        super().__init__(("127.0.0.1", port), SmtpHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self):
        self.stopped.set()
        self.shutdown()
        self.server_close()


@pytest.fixture
def smtp(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_TIMEOUT = 2
    settings.CLINIC_ALERT_EMAILS = ["duty@clinic.test"]
    load_catalog()
    servers = []

    def serve(hang=False):
        servers.append(SmtpServer(settings.EMAIL_PORT, hang=hang))
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
    response = client.post(reverse("intake:step", args=["safety-now"]),
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

    assert run_tasks() == 2  # both alerts tried, both failed
    rows = alert_rows()
    assert set(rows) == {Alert.Kind.PRIORITY, Alert.Kind.URGENT}
    for alert in rows.values():
        assert (alert.status, alert.attempts) == (Alert.Status.PENDING, 1)
        assert ("timed out" in alert.last_error) if outage == "hangs" else \
            ("Refused" in alert.last_error)
        assert alert.next_attempt_at > timezone.now() + timedelta(seconds=20)
    assert set(alerts.undelivered()) == set(rows.values())  # what staff are shown
    assert len(queued("deliver_alert")) == 2

    if down is not None:
        down.stop()
    up = smtp()
    assert run_tasks() == 0  # not due yet: back-off
    with time_machine.travel(timezone.now() + timedelta(seconds=45), tick=True):
        assert run_tasks() == 2
    with time_machine.travel(timezone.now() + timedelta(minutes=20), tick=True):
        assert run_tasks() == 0  # nothing left to send (the escalation is due at 30 minutes)
    assert len(up.messages) == 2
    assert sum(sub.reference in message for message in up.messages) == 2
    for alert in alert_rows().values():
        assert (alert.status, alert.attempts, alert.last_error) == (Alert.Status.SENT, 2, "")
    assert list(alerts.undelivered()) == []


def test_retries_back_off_and_then_give_up_where_staff_see_it(client, smtp, monkeypatch):
    monkeypatch.setattr(alerts, "MAX_ATTEMPTS", 3)
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
    assert list(alerts.undelivered()) == [alert]
    assert queued("deliver_alert") == []
    # staff can send it again once the mail server is back
    up = smtp()
    assert alerts.retry_now(alert)
    run_tasks()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT and len(up.messages) == 1


def test_try_again_now_brings_the_waiting_retry_forward_instead_of_adding_one(client, smtp):
    """Staff press "Try again now" (twice, a double click) during an outage, while the alert's
    back-off retry is waiting: that retry runs now, and the alert keeps one chain of retries,
    so its attempts, and the moment it gives up, are not hurried by the button."""
    fill_until(client, stop="phq9")
    assert post(client, "phq9", {**PAGES["phq9"], "item9": "2"}).status_code == 302  # priority
    (alert,) = Alert.objects.all()
    assert run_tasks() == 1  # nothing listens: refused, a retry waits 30 s
    (waiting,) = queued("deliver_alert")
    assert waiting.run_after > timezone.now() + timedelta(seconds=20)

    assert alerts.retry_now(alert) and alerts.retry_now(alert)
    (now,) = queued("deliver_alert")  # the same run, brought forward
    assert now.id == waiting.id and now.run_after <= timezone.now()
    assert run_tasks() == 1  # refused again: one retry waits, not two
    alert.refresh_from_db()
    assert alert.attempts == 2 and len(queued("deliver_alert")) == 1

    # staff queue a try while a delivery is under way and failing: still one chain after it
    assert alerts.retry_now(alert)
    (staff_run,) = queued("deliver_alert")
    assert alerts.deliver(alert.pk) == "retry"  # the delivery already running when they clicked
    assert [run.id for run in queued("deliver_alert")] == [staff_run.id]

    up = smtp()
    assert run_tasks() == 1
    alert.refresh_from_db()
    assert alert.status == Alert.Status.SENT and len(up.messages) == 1
    assert queued("deliver_alert") == []


def test_an_alert_without_addresses_is_recorded_as_undelivered(client, settings):
    settings.CLINIC_ALERT_EMAILS = []
    load_catalog()
    fill_until(client, stop="phq9")
    post(client, "phq9", {**PAGES["phq9"], "item9": "1"})
    run_tasks()
    (alert,) = alerts.undelivered()
    assert "CLINIC_ALERT_EMAILS" in alert.last_error


# --- escalation -----------------------------------------------------------------------------

@pytest.fixture
def escalation_settings(settings, mailoutbox):
    settings.URGENT_REVIEW_MINUTES = 30
    settings.CLINIC_ALERT_EMAILS = ["duty@clinic.test"]
    settings.CLINIC_ESCALATION_EMAILS = ["lead@clinic.test"]
    load_catalog()
    return mailoutbox


def test_an_unopened_urgent_case_is_escalated_once(client, escalation_settings):
    mailoutbox = escalation_settings
    answer_acute(client)
    run_tasks()
    assert len(mailoutbox) == 2  # the alerts themselves
    flagged = Submission.objects.get().flagged_at
    with time_machine.travel(flagged + timedelta(minutes=29), tick=True):
        assert run_tasks() == 0
    with time_machine.travel(flagged + timedelta(minutes=31), tick=True):
        assert run_tasks() == 2  # the check, then the escalation e-mail it queued
    with time_machine.travel(flagged + timedelta(hours=5), tick=True):
        run_tasks()
    sub = Submission.objects.get()
    assert sub.escalated_at is not None
    (escalation,) = [m for m in mailoutbox if "ESCALATION" in m.subject]
    assert escalation.to == ["lead@clinic.test"]
    assert sub.reference in escalation.subject and "30 minutes" in escalation.body
    assert f"/admin/intake/submission/{sub.pk}/change/" in escalation.body
    assert len(mailoutbox) == 3


def test_an_urgent_case_opened_in_time_is_not_escalated(client, escalation_settings,
                                                       django_user_model):
    mailoutbox = escalation_settings
    answer_acute(client)
    run_tasks()
    sub = Submission.objects.get()
    staff = django_user_model.objects.create_superuser("lee", "lee@clinic.test", "pw-123456789")
    staff_login(client, staff)  # password and second factor
    assert client.get(reverse("admin:intake_submission_change", args=[sub.pk])).status_code \
        == 200
    with time_machine.travel(sub.flagged_at + timedelta(minutes=31), tick=True):
        run_tasks()
    sub.refresh_from_db()
    assert sub.first_viewed_at is not None and sub.escalated_at is None
    assert not any("ESCALATION" in m.subject for m in mailoutbox)


def test_a_priority_case_is_not_escalated(client, escalation_settings):
    fill_until(client, stop="phq9")
    post(client, "phq9", {**PAGES["phq9"], "item9": "3"})
    assert queued("escalate_if_unopened") == []


# --- the patient's e-mail -----------------------------------------------------------------------

def test_the_resume_code_leaves_the_queue_once_sent(client, mailoutbox):
    load_catalog()
    fill_until(client, stop="phq9")
    html = client.post(reverse("intake:save")).content.decode()
    start = html.index('class="resume-code"')
    code = html[html.index(">", start) + 1:html.index("</p>", start)].strip()
    (task,) = queued("send_resume_email")
    assert code in str(task.args_kwargs)
    run_tasks()
    assert code in mailoutbox[0].body
    assert code not in str(DBTaskResult.objects.get(pk=task.pk).args_kwargs)


def test_alert_links_use_the_served_host_in_development(client, settings, mailoutbox):
    settings.SITE_URL = ""
    load_catalog()
    fill_until(client, stop="phq9")
    post(client, "phq9", {**PAGES["phq9"], "item9": "1"}, SERVER_PORT="8765",
         HTTP_HOST="127.0.0.1:8765")
    run_tasks()
    assert "http://127.0.0.1:8765/admin/intake/submission/" in mailoutbox[0].body



def test_a_worker_killed_mid_delivery_loses_no_alert(client, escalation_settings):
    """django-tasks leaves a task "running" for good when its worker dies; the next worker
    queues the alert and the escalation check again when it starts."""
    mailoutbox = escalation_settings
    answer_acute(client)
    DBTaskResult.objects.filter(status="READY").update(status="RUNNING")  # the worker died
    assert run_tasks() == 0
    assert alerts.requeue_stranded() == 3  # two alerts and the escalation check
    assert alerts.requeue_stranded() == 0  # nothing twice
    run_tasks()
    assert sorted(m.subject.split(":")[0] for m in mailoutbox) == [
        "[TRD Clinic] Priority intake to review", "[TRD Clinic] Urgent intake to review now"]
    sub = Submission.objects.get()
    with time_machine.travel(sub.flagged_at + timedelta(minutes=31), tick=True):
        run_tasks()
    assert any("ESCALATION" in m.subject for m in mailoutbox)
