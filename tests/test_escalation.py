"""Escalation until contact, and one e-mail per case and level.

A flagged case is escalated until someone records contact with the patient, whether or not
staff opened it: urgent every URGENT_CONTACT_MINUTES (at most 6 times), priority once after
PRIORITY_CONTACT_HOURS. An urgent flag replaces the case's priority alert not yet sent; an
escalation goes out after the alert of its case; a burst of alerts becomes one digest. The
clock is moved with time-machine; the worker's sweep is `escalation.queue_due(now)`.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.utils import timezone

from intake.delivery import alerts, escalation
from intake.demo import create_submission
from intake.models import Alert, OutgoingEmail, SafetyLevel, Submission
from intake.staff import roles
from tests.admin_helpers import change_url, make_user, staff_login
from tests.intake_helpers import (
    PAGES,
    fill_until,
    load_catalog,
    needs_concurrent_writers,
    post,
    url,
)
from tests.live import LiveSite, free_port
from tests.task_helpers import run_tasks
from tests.test_staff_contact import record

STAFF_ALERTS = "/admin/intake/alert/"


@pytest.fixture
def mail(db, settings, mailoutbox):  # db first: its set-up makes a new outbox
    settings.URGENT_CONTACT_MINUTES = 60
    settings.PRIORITY_CONTACT_HOURS = 24
    settings.CLINIC_ALERT_EMAILS = ["duty@clinic.test"]
    settings.CLINIC_ESCALATION_EMAILS = ["lead@clinic.test"]
    settings.NEW_DRAFTS_PER_HOUR = 1000  # every test patient comes from one address
    load_catalog()
    return mailoutbox


def flag_urgent(client, run_between: bool = False) -> Submission:
    """A patient answers the safety questions: a yes (priority), then thoughts now (urgent);
    `run_between`: the worker sends the priority alert before the second answer."""
    fill_until(client, stop="safety")
    assert post(client, "safety", {**PAGES["safety"], "asq_wished_dead": "yes"}).status_code \
        == 302
    if run_between:
        run_tasks()
    assert client.post(url("safety-now"),
                       {"asq_thoughts_now": "yes"}).status_code == 302
    return Submission.objects.order_by("-pk").first()


def sweep(at) -> int:
    """The worker's periodic sweep at that moment: escalations due, then their e-mails."""
    with time_machine.travel(at, tick=False):
        queued = escalation.queue_due(timezone.now())
        run_tasks()
    return queued


def escalations(mailoutbox) -> list:
    return [m for m in mailoutbox if "ESCALATION" in m.subject]


def test_an_opened_urgent_case_with_no_contact_escalates_every_hour_six_times(client, mail):
    sub = flag_urgent(client)
    run_tasks()
    assert [m.subject.split(":")[0] for m in mail] == ["[TRD Clinic] Urgent intake to review now"]
    staff = make_user("lee", is_superuser=True)
    staff_login(client, staff)
    assert client.get(change_url(sub)).status_code == 200  # opened: not handled
    sub.refresh_from_db()
    assert sub.first_viewed_at is not None and sub.contacted_at is None

    assert sweep(sub.flagged_at + timedelta(minutes=59)) == 0
    for n in range(1, 7):
        due = sub.flagged_at + timedelta(minutes=60 * n)
        assert sweep(due) == 1, n
        assert sweep(due + timedelta(minutes=1)) == 0  # the next sweep: nothing twice
        latest = escalations(mail)[-1]
        assert latest.to == ["lead@clinic.test"]
        assert f"ESCALATION: no contact recorded ({n} of 6): {sub.reference}" in latest.subject
        assert f"{n} h after the urgent flag" in latest.body
        assert f"/admin/intake/submission/{sub.pk}/change/" in latest.body
        assert "Alex Example" not in latest.body and "wished" not in latest.body.lower()
        sub.refresh_from_db()
        assert sub.escalated_at == due
    for hours in (7, 8, 24):
        assert sweep(sub.flagged_at + timedelta(hours=hours)) == 0
    assert len(escalations(mail)) == 6
    assert sorted(Alert.objects.filter(kind=Alert.Kind.ESCALATION).values_list(
        "sequence", flat=True)) == [1, 2, 3, 4, 5, 6]

    # the red banner stays on every staff page, opened or not, until contact is recorded
    with time_machine.travel(sub.flagged_at + timedelta(hours=9), tick=False):
        html = staff_login(client, staff).get(STAFF_ALERTS).content.decode()
    assert "1 urgent intake has no contact recorded" in html
    assert "more than 60 minutes after the flag" in html


def test_recording_contact_stops_escalation_and_the_banner(client, mail):
    sub = flag_urgent(client)
    assert sweep(sub.flagged_at + timedelta(minutes=60)) == 1
    with time_machine.travel(sub.flagged_at + timedelta(minutes=90), tick=False):
        staff_login(client, make_user("lee", is_superuser=True))
        assert record(client, sub, timezone.now(), "voicemail").status_code == 302
        assert "1 urgent intake has no contact recorded" in client.get("/admin/").content.decode()
    assert sweep(sub.flagged_at + timedelta(minutes=120)) == 1  # a voicemail is not contact
    with time_machine.travel(sub.flagged_at + timedelta(minutes=150), tick=False):
        staff_login(client, make_user("max", is_superuser=True))
        assert record(client, sub, timezone.now(), "reached").status_code == 302
        assert "no contact recorded" not in client.get("/admin/").content.decode()
    for minutes in (180, 240, 600):
        assert sweep(sub.flagged_at + timedelta(minutes=minutes)) == 0
    assert len(escalations(mail)) == 2


def test_a_priority_case_escalates_once_after_a_day(client, mail):
    fill_until(client, stop="phq9")
    assert post(client, "phq9", {**PAGES["phq9"], "item9": "2"}).status_code == 302
    sub = Submission.objects.get()
    assert sub.safety_level == SafetyLevel.NON_ACUTE
    assert sweep(sub.flagged_at + timedelta(hours=23, minutes=59)) == 0
    assert sweep(sub.flagged_at + timedelta(hours=24)) == 1
    for hours in (25, 48, 72):
        assert sweep(sub.flagged_at + timedelta(hours=hours)) == 0
    (only,) = escalations(mail)
    assert "ESCALATION: no contact recorded (1 of 1)" in only.subject
    assert "1 day after the priority flag" in only.body
    with time_machine.travel(sub.flagged_at + timedelta(hours=25), tick=False):
        html = staff_login(client, make_user("lee", is_superuser=True)).get(
            "/admin/").content.decode()
    assert "1 priority intake has no contact recorded" in html
    assert "more than 24 hours after the flag" in html


def test_an_urgent_flag_replaces_the_priority_alert_not_yet_sent(client, mail):
    sub = flag_urgent(client)
    assert dict(sub.alerts.values_list("kind", "status")) == {
        Alert.Kind.PRIORITY: Alert.Status.REPLACED, Alert.Kind.URGENT: Alert.Status.PENDING}
    run_tasks()
    assert [m.subject for m in mail] == [
        f"[TRD Clinic] Urgent intake to review now: {sub.reference}"]


def test_a_priority_alert_already_sent_is_followed_by_the_urgent_one(client, mail):
    sub = flag_urgent(client, run_between=True)
    run_tasks()
    assert [m.subject.split(":")[0] for m in mail] == [
        "[TRD Clinic] Priority intake to review", "[TRD Clinic] Urgent intake to review now"]
    assert set(sub.alerts.values_list("status", flat=True)) == {Alert.Status.SENT}


def test_an_escalation_waits_for_the_alert_of_its_case_after_an_outage(client, mail, settings):
    """The mail server is down for an hour: the urgent alert's retries are spaced out by then,
    and when the server comes back the escalation, queued fresh, must not overtake it."""
    working = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    sub = flag_urgent(client)
    urgent = sub.alerts.get(kind=Alert.Kind.URGENT)
    run_tasks()
    due = sub.flagged_at + timedelta(minutes=60)
    while True:  # the worker keeps retrying through the outage
        urgent.refresh_from_db()
        if urgent.next_attempt_at > due:
            break
        with time_machine.travel(urgent.next_attempt_at + timedelta(seconds=1), tick=False):
            run_tasks()
    settings.EMAIL_BACKEND = working  # the mail server is back

    assert sweep(due) == 1
    escalated = sub.alerts.get(kind=Alert.Kind.ESCALATION)
    assert mail == []  # the escalation waited for the urgent alert...
    escalated.refresh_from_db()
    assert (escalated.status, escalated.attempts) == (Alert.Status.PENDING, 0)  # ...uncounted
    with time_machine.travel(urgent.next_attempt_at + timedelta(seconds=1), tick=False):
        run_tasks()
    with time_machine.travel(urgent.next_attempt_at + timedelta(minutes=2), tick=False):
        run_tasks()
    assert [m.subject.split(":")[0] for m in mail] == [
        "[TRD Clinic] Urgent intake to review now", "[TRD Clinic] ESCALATION"]
    escalated.refresh_from_db()
    assert (escalated.status, escalated.attempts) == (Alert.Status.SENT, 1)


def test_twenty_urgent_cases_at_once_send_ten_alerts_and_one_digest(mail):
    cases = [flag_urgent(Client()) for _ in range(20)]
    run_tasks()
    assert len(mail) == 10
    assert all("Urgent intake to review now" in m.subject for m in mail)
    statuses = list(Alert.objects.filter(kind=Alert.Kind.URGENT).order_by("pk")
                    .values_list("status", flat=True))
    assert statuses == [Alert.Status.SENT] * 10 + [Alert.Status.HELD] * 10
    assert set(Alert.objects.filter(kind=Alert.Kind.PRIORITY).values_list(
        "status", flat=True)) == {Alert.Status.REPLACED}

    assert escalation.queue_due(timezone.now()) == 0  # the sweep: no escalation due yet...
    (digest,) = OutgoingEmail.objects.all()  # ...but the held alerts go out together
    assert digest.kind == OutgoingEmail.Kind.DIGEST and digest.recipients == ["duty@clinic.test"]
    assert "10 staff alerts in one message" in digest.subject
    for sub in cases[10:]:
        assert f"Urgent intake to review now: {sub.reference}\n" in digest.body
        assert f"/admin/intake/submission/{sub.pk}/change/" in digest.body
    for sub in cases[:10]:
        assert sub.reference not in digest.body
    assert "Alex Example" not in digest.body
    held = Alert.objects.filter(kind=Alert.Kind.URGENT, submission__in=cases[10:])
    assert {(a.status, a.sent_at is not None) for a in held} == {(Alert.Status.SENT, True)}
    escalation.queue_due(timezone.now())
    assert OutgoingEmail.objects.count() == 1  # nothing twice
    assert len(mail) == 10


def test_the_alert_list_links_each_alert_to_its_submission(client, mail):
    sub = flag_urgent(client)
    sweep(sub.flagged_at + timedelta(minutes=60))
    staff_login(client, make_user("rita", roles.REVIEWERS))
    html = client.get(STAFF_ALERTS).content.decode()
    link = f'<a href="/admin/intake/submission/{sub.pk}/change/">{sub.reference}</a>'
    assert html.count(link) == 3  # the urgent alert, its escalation, the replaced priority one
    assert "No contact recorded in time (1 of 6)" in html


@pytest.mark.django_db(transaction=True)
def test_sweeps_running_at_the_same_moment_escalate_each_case_once_and_send_one_digest(settings):
    """Four worker processes sweep at the same moment, twice: each case gets one escalation per
    round, and the alerts held back by the burst go out in one digest, not one per sweep."""
    needs_concurrent_writers()
    settings.CLINIC_ESCALATION_EMAILS = ["lead@clinic.test"]
    load_catalog()
    cases = [create_submission(name=f"Demo Patient {n:02d}", safety=SafetyLevel.ACUTE)
             for n in range(12)]
    flagged = max(sub.flagged_at for sub in cases)

    def sweep_at_once(at) -> list[int]:
        barrier, counts = threading.Barrier(4), []

        def run():
            from django.db import connection

            try:
                barrier.wait(timeout=10)
                counts.append(escalation.queue_due(at))
            finally:
                connection.close()

        with time_machine.travel(at, tick=True):
            threads = [threading.Thread(target=run) for _ in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
        return counts

    for n in (1, 2):
        counts = sweep_at_once(flagged + timedelta(minutes=61 * n))
        assert len(counts) == 4 and sum(counts) == 12, counts
        for sub in cases:
            assert list(sub.alerts.order_by("sequence").values_list("sequence", flat=True)) \
                == list(range(1, n + 1))
    # each round: 10 escalations on their own, 2 held and then sent in that round's digest
    assert Alert.objects.filter(status=Alert.Status.PENDING).count() == 20
    assert Alert.objects.filter(status=Alert.Status.SENT).count() == 4
    assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.DIGEST).count() == 2


@pytest.mark.django_db(transaction=True)
def test_urgent_flags_at_the_same_moment_still_send_at_most_ten_alerts(settings):
    """Twelve patients' requests raise urgent flags at the same moment, each still in its
    transaction a moment after queueing: no more than ten alerts go out on their own."""
    needs_concurrent_writers()
    load_catalog()
    cases = [create_submission(name=f"Demo Patient {n:02d}", safety=SafetyLevel.ACUTE)
             for n in range(12)]
    barrier = threading.Barrier(len(cases))

    def flag(sub):
        from django.db import connection

        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                alerts.queue(sub, Alert.Kind.URGENT, "https://intake.clinic.test")
                time.sleep(0.2)  # the rest of the patient's request
        finally:
            connection.close()

    threads = [threading.Thread(target=flag, args=(sub,)) for sub in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert Alert.objects.filter(status=Alert.Status.PENDING).count() == 10
    assert Alert.objects.filter(status=Alert.Status.HELD).count() == 2


# --- live: a production server, and the sweep run against its database ----------------------

SHIFT_AND_SWEEP = """
from datetime import timedelta
from django.db.models import F
from django.utils import timezone
from intake.delivery import escalation
from intake.models import Submission
passed = timedelta(minutes={minutes})
Submission.objects.filter(safety_level="acute").update(
    flagged_at=F("flagged_at") - passed, escalated_at=F("escalated_at") - passed)
print(escalation.queue_due(timezone.now()))
"""


def test_live_an_opened_urgent_case_with_no_contact_keeps_escalating(tmp_path):
    """A patient's urgent answers through gunicorn, a reviewer opens the case, and time passes
    (the case's times moved back by an hour, the sweep run in another process): escalated, and
    again an hour later."""
    from tests.test_concurrency_live import STAFF_SETUP, staff_browser

    site = LiveSite.like_test_database(tmp_path, URGENT_CONTACT_MINUTES="60").setup().start()
    try:
        site.manage("shell", "-c", STAFF_SETUP)
        patient = site.browser()
        patient.fill_until("safety")
        assert patient.post_page("safety", {**PAGES["safety"], "asq_wished_dead": "yes"})[0] \
            == 302
        assert patient.post_page("safety-now", {"asq_thoughts_now": "yes"})[0] == 302
        case = site.submission(patient)
        assert case["safety_level"] == "acute"
        rita = staff_browser(site, "rita")
        assert rita.request(f"/admin/intake/submission/{case['id']}/change/")[0] == 200
        assert site.query("SELECT first_viewed_at IS NOT NULL FROM intake_submission "
                          "WHERE id = %s", case["id"]) in ([(True,)], [(1,)])

        for n in (1, 2):
            site.manage("shell", "-c", SHIFT_AND_SWEEP.replace("{minutes}", "61"))
            assert site.query(
                "SELECT sequence, status FROM intake_alert WHERE submission_id = %s AND "
                "kind = 'escalation' ORDER BY sequence", case["id"]) == [
                (k, "pending") for k in range(1, n + 1)]
        html = rita.request("/admin/")[2]
        assert "1 urgent intake has no contact recorded" in html
        html = rita.request(STAFF_ALERTS)[2]
        assert f'<a href="/admin/intake/submission/{case["id"]}/change/">' in html
        assert "No contact recorded in time (2 of 6)" in html
    finally:
        site.teardown()
