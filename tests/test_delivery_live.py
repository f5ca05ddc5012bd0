"""Alerts and e-mails reach the mail server through a real `manage.py worker` (production
settings) that is killed in the middle of a send, or whose database connections are cut while
it talks to the mail server, on a fresh copy of the suite's database behind a production
gunicorn. The mail server (tests/mail_server.py) holds each message at the end of its DATA
until the test has done its damage; the worker sweeps every second (WORKER_SWEEP_SECONDS)."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from tests.intake_helpers import PAGES
from tests.live import Browser, LiveSite
from tests.mail_server import MailServer

DEADLINE = 180  # seconds every delivery must take at most, whatever happened to the worker


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    live = LiveSite.like_test_database(tmp_path_factory.mktemp("delivery"), workers=1,
                                       threads=4).setup().start()
    yield live
    live.teardown()


@pytest.fixture
def mail():
    server = MailServer(stall=True)
    yield server
    server.stop()


def worker(site: LiveSite, mail: MailServer):
    return site.start_worker(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(mail.port), EMAIL_TIMEOUT="2", WORKER_SWEEP_SECONDS="1")


def until(check, what: str):
    """Wait for `check()` to be true; fail after DEADLINE seconds."""
    deadline = time.monotonic() + DEADLINE
    while not (done := check()):
        assert time.monotonic() < deadline, f"not within {DEADLINE} s: {what}"
        time.sleep(0.2)
    return done


def flagged_patient(site: LiveSite) -> Browser:
    """A patient whose PHQ-9 answer raises a priority alert."""
    patient = site.browser()
    patient.fill_until("phq9")
    assert patient.post_page("phq9", {**PAGES["phq9"], "item9": "2"})[0] == 302
    return patient


def alerts_of(site: LiveSite, patients: list[Browser]) -> list[tuple[str, str, str]]:
    """(reference, status, message_id) of each alert raised for these patients."""
    return [row for patient in patients for row in site.query(
        "SELECT s.reference, a.status, a.message_id FROM intake_alert a JOIN intake_submission "
        "s ON s.id = a.submission_id WHERE s.full_name = %s", patient.name)]


def all_sent(site, patients) -> bool:
    rows = alerts_of(site, patients)
    return bool(rows) and all(status == "sent" for _, status, _ in rows)


def test_database_connections_cut_mid_send_lose_no_alert_and_send_none_twice(site, mail):
    """PostgreSQL ends the worker's connections (a restart, a failover) while the mail server
    holds a message: each alert is still delivered, once, and the worker keeps running."""
    if site.vendor != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    patients = [flagged_patient(site) for _ in range(3)]
    running = worker(site, mail)
    for _ in range(3):  # the first three sends: connections cut while each is held
        _message_id, release = mail.next_held()
        assert site.cut_connections() >= 1
        release.set()
    mail.stall = False
    while not all_sent(site, patients):  # a retried send held meanwhile goes through
        until(lambda: all_sent(site, patients) or not mail.held.empty(), "every alert sent")
        if not mail.held.empty():
            mail.next_held()[1].set()
    for reference, _status, message_id in alerts_of(site, patients):
        assert set(mail.message_ids(reference)) == {message_id}  # once, or the same message
    assert site.cut_connections() >= 1  # again, while the worker waits for work
    later = flagged_patient(site)
    until(lambda: all_sent(site, [later]), "an alert raised after that")
    assert running.poll() is None, "the worker stopped"
    site.stop_worker(running)


def test_a_worker_killed_mid_send_is_followed_by_the_same_message(site, mail):
    """The worker is killed (SIGKILL) while the mail server holds its message: a new worker
    delivers the alert, with the Message-ID of the first try (mail programs show it once)."""
    patient = flagged_patient(site)
    first = worker(site, mail)
    held_id, _never_released = mail.next_held()
    mail.stall = False
    site.stop_worker(first, kill=True)
    second = worker(site, mail)
    until(lambda: all_sent(site, [patient]), "the alert sent by the second worker")
    ((reference, _status, message_id),) = alerts_of(site, [patient])
    assert message_id == held_id
    assert mail.message_ids(reference) == [held_id]
    site.stop_worker(second)


def test_the_resume_email_survives_a_killed_worker_and_leaves_no_code_behind(site, mail):
    """The patient's "your saved answers" e-mail: the worker killed mid-send, a new one sends
    it (same Message-ID); then no task or outbox row holds the address or the code, and the
    purge deletes the finished rows."""
    patient = site.browser()
    address = f"patient-{uuid.uuid4().hex[:8]}@example.org"
    patient.fill_until("about-you")
    assert patient.post_page("about-you", {**PAGES["about-you"], "full_name": patient.name,
                                           "email": address})[0] == 302
    status, _, html = patient.request("/intake/save/", {})
    assert status == 200
    code = re.search(r'class="resume-code"[^>]*>\s*([A-Z0-9-]+)\s*<', html).group(1)
    first = worker(site, mail)
    held_id, _never_released = mail.next_held()
    mail.stall = False
    site.stop_worker(first, kill=True)
    second = worker(site, mail)

    def sent():
        return site.query("SELECT status FROM intake_outgoingemail WHERE message_id = %s",
                          held_id) == [("sent",)]

    until(sent, "the resume e-mail sent by the second worker")
    site.stop_worker(second)
    assert mail.message_ids(code) == [held_id]
    for table in ("django_tasks_database_dbtaskresult", "intake_outgoingemail"):
        rows = str(site.query(f"SELECT * FROM {table}"))  # noqa: S608 (a constant)
        assert code not in rows and address not in rows, table
    site.manage("purge")
    assert site.query("SELECT COUNT(*) FROM intake_outgoingemail") == [(0,)]
    assert site.query("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "
                      "WHERE status IN ('SUCCESSFUL', 'FAILED')") == [(0,)]
