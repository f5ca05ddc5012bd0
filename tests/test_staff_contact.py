"""The contact log on a submission's staff page: each try to reach the patient recorded (when,
how, the outcome, a note), "contacted" following from the first attempt that reached them, a
flagged case kept from "Contacted", "Booked" or "Closed" until then, the audit trail and the
CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import threading

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from intake.models import AuditEvent, ContactAttempt, ReviewStatus, SafetyLevel, Submission
from tests.admin_helpers import *  # noqa: F403 (fixtures)
from tests.admin_helpers import (
    CHANGELIST,
    change_url,
    create_submission,
    make_user,
    staff_login,
    url,
)
from tests.intake_helpers import needs_concurrent_writers

pytestmark = pytest.mark.django_db

NOTE = "Mother answered; patient safe at home, call back at 6."


def minute(when: dt.datetime) -> dt.datetime:
    return when.replace(second=0, microsecond=0)


def attempt_data(at: dt.datetime, outcome: str = "reached", method: str = "phone",
                 note: str = "") -> dict:
    """The "Record a contact attempt" form as staff fill it (local time, to the minute)."""
    return {"contact-at": timezone.localtime(at).strftime("%Y-%m-%dT%H:%M"),
            "contact-method": method, "contact-outcome": outcome, "contact-note": note}


def record(client, sub: Submission, at: dt.datetime, outcome: str = "reached", **kwargs):
    return client.post(url("contact", sub), attempt_data(at, outcome, **kwargs))


def actions(action: str, sub: Submission) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, object_id=str(sub.pk))
                .order_by("at", "id"))


@pytest.fixture
def urgent(catalog):
    return create_submission(name="Demo Patient 21", safety=SafetyLevel.ACUTE)


def test_a_flagged_case_offers_the_contact_form_on_its_first_screen(reviewer_client, urgent,
                                                                    catalog):
    html = reviewer_client.get(change_url(urgent)).content.decode()
    assert "Record a contact attempt" in html
    assert html.index("Record a contact attempt") < html.index('id="review-form"')
    assert "No contact with the patient recorded yet." in html
    assert 'name="contact-at"' in html and 'type="datetime-local"' in html
    # a case without a flag has it too, below the review form
    calm = create_submission(name="Demo Patient 22", safety=SafetyLevel.NONE)
    html = reviewer_client.get(change_url(calm)).content.decode()
    assert html.index('id="review-form"') < html.index("Record a contact attempt")


def test_contacted_follows_the_first_attempt_that_reached_the_patient(reviewer_client, reviewer,
                                                                      urgent):
    now = timezone.now()
    response = record(reviewer_client, urgent, now - dt.timedelta(hours=2), "voicemail",
                      note=NOTE)
    assert response.status_code == 302
    urgent.refresh_from_db()
    assert urgent.contacted_at is None and urgent.review_status == ReviewStatus.NEW
    [voicemail] = ContactAttempt.objects.filter(submission=urgent)
    assert (voicemail.outcome, voicemail.method, voicemail.note, voicemail.recorded_by) == (
        "voicemail", "phone", NOTE, reviewer)
    [event] = actions("contact_recorded", urgent)
    assert event.actor == reviewer
    assert event.detail == {"attempt_id": voicemail.pk, "method": "phone",
                            "outcome": "voicemail"}  # codes only, never the note

    reached = now - dt.timedelta(hours=1)
    assert record(reviewer_client, urgent, reached, method="text").status_code == 302
    urgent.refresh_from_db()
    assert urgent.contacted_at == minute(reached)
    assert urgent.review_status == ReviewStatus.CONTACTED
    assert urgent.review_status_changed_by == reviewer
    [moved] = actions("status_changed", urgent)
    assert (moved.detail["old"], moved.detail["new"]) == ("new", "contacted")

    # an earlier call that reached them, recorded later, is the first contact
    earlier = now - dt.timedelta(minutes=90)
    assert record(reviewer_client, urgent, earlier, "emergency").status_code == 302
    urgent.refresh_from_db()
    assert urgent.contacted_at == minute(earlier)
    assert len(actions("status_changed", urgent)) == 1  # already contacted: not moved again
    assert len(actions("contact_recorded", urgent)) == 3

    html = reviewer_client.get(change_url(urgent)).content.decode()
    table = html[html.index('class="summary-table contact-table"'):]
    table = table[:table.index("</table>")]
    order = [table.index(words) for words in ("Left a voicemail", "Sent to emergency services",
                                              "Reached the patient")]
    assert order == sorted(order)  # by when they were made, newest last
    assert table.count("Reviewer Staff") == 3 and NOTE.split(";")[0] in table
    assert "No contact with the patient recorded yet." not in html
    assert "First reached" in html


def test_a_time_in_the_future_or_a_missing_outcome_is_refused(reviewer_client, urgent):
    response = record(reviewer_client, urgent, timezone.now() + dt.timedelta(hours=2))
    assert response.status_code == 400
    assert "That time is in the future" in response.content.decode()
    response = reviewer_client.post(url("contact", urgent), {
        **attempt_data(timezone.now()), "contact-outcome": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert reviewer_client.get(url("contact", urgent)).status_code == 405
    assert not ContactAttempt.objects.exists()
    urgent.refresh_from_db()
    assert urgent.contacted_at is None and urgent.review_status == ReviewStatus.NEW


def test_the_status_waits_for_a_recorded_contact_on_a_flagged_case(reviewer_client, submission,
                                                                   catalog):
    """The submission fixture is flagged "Priority" and nobody has reached the patient."""
    seen = {"initial-review_status": "new", "assigned_to": "", "initial-assigned_to": ""}
    for status, label in (("contacted", "Contacted"), ("booked", "Consultation booked"),
                          ("closed", "Closed")):
        response = reviewer_client.post(change_url(submission), {**seen,
                                                                 "review_status": status})
        assert response.status_code == 200, status
        html = response.content.decode()
        assert "no contact with the patient has been recorded" in html
        assert f"before moving it to “{label}”" in html
        submission.refresh_from_db()
        assert submission.review_status == ReviewStatus.NEW
    assert reviewer_client.post(change_url(submission), {
        **seen, "review_status": "in_review"}).status_code == 302
    record(reviewer_client, submission, timezone.now() - dt.timedelta(minutes=5))
    submission.refresh_from_db()
    assert submission.review_status == ReviewStatus.CONTACTED  # from "In review" too
    assert reviewer_client.post(change_url(submission), {
        **seen, "initial-review_status": "contacted", "review_status": "closed"}
    ).status_code == 302
    submission.refresh_from_db()
    assert submission.review_status == ReviewStatus.CLOSED
    # a case without a flag closes without a recorded contact
    calm = create_submission(name="Demo Patient 23", safety=SafetyLevel.NONE)
    assert reviewer_client.post(change_url(calm), {**seen, "review_status": "closed"}
                                ).status_code == 302
    calm.refresh_from_db()
    assert calm.review_status == ReviewStatus.CLOSED


def test_only_staff_who_can_change_a_submission_record_attempts(client, urgent):
    viewer = make_user("viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_submission"))
    staff_login(client, viewer)
    html = client.get(change_url(urgent)).content.decode()
    assert "Record a contact attempt" not in html
    assert record(client, urgent, timezone.now()).status_code == 403
    assert not ContactAttempt.objects.exists()


def test_the_audit_trail_and_the_csv_export_show_the_attempts(manager_client, manager, urgent,
                                                              catalog):
    other = create_submission(name="Demo Patient 24", safety=SafetyLevel.NON_ACUTE)
    reached = timezone.now() - dt.timedelta(hours=3)
    record(manager_client, urgent, reached)
    record(manager_client, urgent, timezone.now() - dt.timedelta(hours=1), "no_answer",
           note="=HYPERLINK(\"http://x\")")
    html = manager_client.get("/admin/intake/auditevent/", {"q": urgent.reference}
                              ).content.decode()
    assert "Recorded a contact attempt" in html
    assert "Phone: Reached the patient" in html and "Phone: No answer" in html
    response = manager_client.post(CHANGELIST, {"action": "export_csv", "index": 0,
                                                "_selected_action": [urgent.pk, other.pk]})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    tz = timezone.get_current_timezone_name()
    attempts = header[header.index("contact_attempts"):][:4]  # the answers come after them
    assert attempts == ["contact_attempts", f"first_contact_at ({tz})",
                        "last_attempt_outcome", "last_attempt_label"]
    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    mine = by_reference[urgent.reference]
    assert mine["contact_attempts"] == "2"
    assert mine[f"first_contact_at ({tz})"] == timezone.localtime(minute(reached)).strftime(
        "%Y-%m-%d %H:%M:%S")
    assert (mine["last_attempt_outcome"], mine["last_attempt_label"]) == ("no_answer",
                                                                          "No answer")
    assert "HYPERLINK" not in response.content.decode()  # notes stay on the record
    theirs = by_reference[other.reference]
    assert [theirs[h] for h in attempts] == ["0", "", "", ""]


@pytest.mark.django_db(transaction=True)
def test_two_staff_recording_contact_at_the_same_moment(reviewer, manager, catalog):
    """Two staff record, at the same moment, attempts that reached the patient: both attempts
    are kept, the first contact is the earlier of the two whichever commits first, and the case
    moves to "Contacted" once, audited once."""
    needs_concurrent_writers()
    clients = [staff_login(Client(), reviewer), staff_login(Client(), manager)]
    now = timezone.now()
    times = [now - dt.timedelta(minutes=10), now - dt.timedelta(minutes=40)]
    for index in range(5):
        sub = create_submission(name=f"Demo Patient {30 + index}", safety=SafetyLevel.ACUTE)
        barrier = threading.Barrier(2)
        statuses = {}

        def post(who, sub=sub, barrier=barrier, statuses=statuses):
            from django.db import connection

            try:
                barrier.wait(timeout=10)
                statuses[who] = record(clients[who], sub, times[who]).status_code
            finally:
                connection.close()

        threads = [threading.Thread(target=post, args=(who,)) for who in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert statuses == {0: 302, 1: 302}
        sub.refresh_from_db()
        assert sub.contact_attempts.count() == 2
        assert sub.contacted_at == minute(times[1])
        assert sub.review_status == ReviewStatus.CONTACTED
        assert len(actions("status_changed", sub)) == 1
        assert len(actions("contact_recorded", sub)) == 2
        assert json.dumps([e.detail for e in actions("contact_recorded", sub)]).count(
            "reached") == 2
