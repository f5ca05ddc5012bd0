"""Patient privacy and access, tried as an attacker would: a resume code alone opens nothing and
works once, a resumed draft leaves every other browser, limits count the real client behind a
proxy, floods are limited, sessions rotate, and nothing is kept longer than needed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.helpers import get_client_ip_address
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake import audit
from intake.delivery import retention
from intake.models import (
    Alert,
    AuditEvent,
    OutgoingEmail,
    RateCounter,
    ResumeAttempt,
    ReviewStatus,
    SafetyLevel,
    Submission,
)
from tests.intake_helpers import (
    DOB,
    PAGES,
    fill_until,
    needs_concurrent_writers,
    resume_code,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

WRONG_DOB = {**DOB, "date_of_birth_year": "1986"}


def resume(client, code, dob=DOB, **extra):
    return client.post(reverse("intake:resume"), {"code": code, **dob}, **extra)


def test_a_code_without_the_right_date_of_birth_opens_nothing(client):
    fill_until(client, stop="phq9")
    code = resume_code(client)
    stranger = Client()
    response = resume(stranger, code, WRONG_DOB)
    assert response.status_code == 400
    assert "do not match a saved form" in response.content.decode()
    response = stranger.post(reverse("intake:resume"), {"code": code})
    assert response.status_code == 400 and "Enter your date of birth" in response.content.decode()
    assert stranger.get(url("phq9"))["Location"] == reverse("intake:start")
    assert ResumeAttempt.objects.filter(succeeded=False).count() == 1  # the wrong pair
    assert resume(stranger, code)["Location"] == url("phq9")  # the right pair works


def test_a_used_code_opens_nothing(client):
    fill_until(client, stop="phq9")
    code = resume_code(client)
    assert resume(Client(), code).status_code == 302
    assert resume(Client(), code).status_code == 400
    assert Submission.objects.get().resume_code_hash == ""


def moved_away(browser) -> bool:
    """The browser's question page says its draft was continued on another device."""
    response = browser.get(url("phq9"))
    return response.status_code == 200 and "This form was continued on another device" in \
        response.content.decode()


def test_resuming_moves_the_draft_away_from_every_other_browser(client):
    fill_until(client, stop="phq9")
    second, third = Client(), Client()
    assert resume(second, resume_code(client)).status_code == 302
    assert moved_away(client)  # the first lost it
    assert second.get(url("phq9")).status_code == 200
    assert resume(third, resume_code(second)).status_code == 302  # saving gave a new code
    assert moved_away(second)
    assert third.get(url("phq9")).status_code == 200
    # nor do they reach the results once it is submitted
    fill_until(third, start="phq9")
    results = third.post(reverse("intake:check"))["Location"]
    assert third.get(results).status_code == 200
    assert client.get(results).status_code == 404 and second.get(results).status_code == 404


def test_saving_e_mails_are_limited_per_draft_and_per_address(client):
    fill_until(client, stop="phq9")
    pages = [client.post(reverse("intake:save")).content.decode() for _ in range(5)]
    assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.RESUME).count() == 3
    assert "We have also sent the code" in pages[2]
    assert "We have not e-mailed this code" in pages[3]
    # another draft with the same address gets none either
    other = Client()
    fill_until(other, stop="phq9")
    other.post(reverse("intake:save"))
    assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.RESUME).count() == 3


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    return {"REMOTE_ADDR": "10.0.0.2"}  # the proxy's address, the same for every patient


def test_behind_a_proxy_one_clients_wrong_codes_do_not_lock_another(client, behind_proxy):
    fill_until(client, stop="phq9")
    code = resume_code(client)
    guesser = Client(**behind_proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9")
    for _ in range(5):
        assert resume(guesser, "AAAAA-BBBBB-CCCCC-DDDDD").status_code == 400
    assert resume(guesser, code).status_code == 429
    patient = Client(**behind_proxy, HTTP_X_FORWARDED_FOR="203.0.113.50")
    assert resume(patient, code).status_code == 302


def test_a_spoofed_forwarded_for_does_not_escape_the_limit(client, behind_proxy):
    """Only the entry the trusted proxy added counts; what the client wrote before it does
    not."""
    fill_until(client, stop="phq9")
    for n in range(6):
        guesser = Client(**behind_proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")
        status = resume(guesser, "AAAAA-BBBBB-CCCCC-DDDDD").status_code
    assert status == 429


def test_axes_and_the_resume_limit_see_the_same_client(rf, behind_proxy, settings):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9", **behind_proxy)
    assert get_client_ip_address(request) == "203.0.113.9"
    settings.TRUSTED_PROXY_COUNT = 0
    assert get_client_ip_address(request) == "10.0.0.2"


def test_new_drafts_are_limited_per_client(client, settings):
    settings.NEW_DRAFTS_PER_HOUR = 10
    statuses = []
    for _ in range(12):
        visitor = Client(REMOTE_ADDR="198.51.100.20")
        statuses.append(visitor.post(url("consent"), PAGES["consent"]).status_code)
    assert statuses == [302] * 10 + [429] * 2
    assert Submission.objects.count() == 10
    page = Client(REMOTE_ADDR="198.51.100.20").post(url("consent"), PAGES["consent"])
    assert 'href="tel:988"' in page.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.21").post(url("consent"), PAGES["consent"]) \
        .status_code == 302


def test_the_session_is_rotated_when_consent_is_given_again(client):
    fill_until(client, stop="phq9")
    before = client.session.session_key
    assert client.post(url("consent") + "?return=check", PAGES["consent"]).status_code == 302
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get(url("phq9")).status_code == 200


# --- retention ------------------------------------------------------------------------------

def make_draft(days_ago: float, **fields) -> Submission:
    sub = Submission.objects.create(**fields)
    Submission.objects.filter(pk=sub.pk).update(
        updated_at=timezone.now() - timedelta(days=days_ago))
    return sub


def test_purge_deletes_exactly_what_is_past_retention(settings):
    settings.DRAFT_RETENTION_DAYS = 30
    keep = {
        "recent draft": make_draft(29),
        "flagged draft not closed": make_draft(90, safety_level=SafetyLevel.ACUTE,
                                               review_status=ReviewStatus.CONTACTED),
        "old submission": make_draft(400, status=Submission.Status.SUBMITTED,
                                     submitted_at=timezone.now() - timedelta(days=400)),
    }
    gone = {
        "abandoned draft": make_draft(31),
        "flagged draft closed": make_draft(60, safety_level=SafetyLevel.NON_ACUTE,
                                           review_status=ReviewStatus.CLOSED),
    }
    Session.objects.create(session_key="x" * 32, session_data="",
                           expire_date=timezone.now() - timedelta(minutes=1))
    Session.objects.create(session_key="y" * 32, session_data="",
                           expire_date=timezone.now() + timedelta(days=1))
    old = ResumeAttempt.objects.create(client="c")
    ResumeAttempt.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=2))
    ResumeAttempt.objects.create(client="c")
    RateCounter.objects.create(scope="resume", key="k", count=3,
                               window_start=timezone.now() - timedelta(days=2))

    counts = retention.purge()

    assert counts == {"drafts": 2, "sessions": 1, "resume_attempts": 1, "rate_counters": 1,
                      "outgoing_emails": 0, "finished_tasks": 0}
    assert set(Submission.objects.values_list("pk", flat=True)) == {s.pk for s in keep.values()}
    assert not Submission.objects.filter(pk__in=[s.pk for s in gone.values()]).exists()
    assert Session.objects.count() == 1 and ResumeAttempt.objects.count() == 1
    event = AuditEvent.objects.get(action="purged")
    assert event.actor is None and event.detail == counts


def test_the_worker_purges_once_a_day(settings, capsys):
    """The worker's sweep (every minute) purges when no purge ran within the last day."""
    make_draft(45)
    assert retention.purge_if_due()["drafts"] == 1
    make_draft(45)
    with time_machine.travel(timezone.now() + timedelta(hours=23), tick=True):
        assert retention.purge_if_due() is None  # purged within the day
    with time_machine.travel(timezone.now() + timedelta(days=1, seconds=1), tick=True):
        assert retention.purge_if_due()["drafts"] == 1
    assert Submission.objects.count() == 0
    call_command("purge")
    assert "drafts: 0" in capsys.readouterr().out


def test_the_privacy_notice_says_how_long_what_is_kept(client, settings):
    settings.DRAFT_RETENTION_DAYS, settings.RESUME_CODE_DAYS = 45, 14
    html = client.get(reverse("intake:privacy")).content.decode()
    assert "deleted 45 days after you last saved it" in html
    assert "for 14 days" in html and "works once, with your date of birth" in html
    assert "we keep it until a clinician has dealt with it" in html


def test_a_request_without_an_address_has_no_client_address(rf):
    from trdintake.client_ip import client_ip

    request = rf.get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) is None
    assert get_client_ip_address(request) is None  # axes stores nothing it cannot parse


@pytest.mark.django_db(transaction=True)
def test_a_draft_the_patient_saves_while_the_purge_runs_is_never_deleted(client, settings,
                                                                        monkeypatch):
    """The daily purge picks an old draft; before it deletes it, the patient comes back and
    answers the safety questions with a flag. The purge must not delete the draft the patient
    was just told was saved (and its alert with it): either the save waits and finds the draft
    gone (the patient starts again, never told it was saved), or the draft is kept, flagged."""
    import threading

    from django.db import connection
    from django.db.models.deletion import Collector

    needs_concurrent_writers()
    settings.DRAFT_RETENTION_DAYS = 30
    fill_until(client, stop="safety")
    sub = Submission.objects.get()
    Submission.objects.filter(pk=sub.pk).update(updated_at=timezone.now() - timedelta(days=31))

    # The purge stops just before its first delete, until the patient's save has answered
    # (or 3 s have passed: a save that waits for the purge cannot answer before it ends).
    paused, answered = threading.Event(), threading.Event()
    delete = Collector.delete

    def delete_after_the_save(self):
        if not paused.is_set():
            paused.set()
            answered.wait(timeout=3)
        return delete(self)

    monkeypatch.setattr(Collector, "delete", delete_after_the_save)

    def purge():
        try:
            retention.purge()
        finally:
            connection.close()

    purging = threading.Thread(target=purge)
    purging.start()
    assert paused.wait(timeout=10)
    response = client.post(url("safety"), {**PAGES["safety"], "asq_wished_dead": "yes"})
    answered.set()
    purging.join(timeout=30)

    kept = Submission.objects.filter(pk=sub.pk).first()
    if kept is None:  # purged before the save: the patient was not told it was saved, and
        # is shown the crisis contacts all the same (the address every safety save goes to)
        assert response.status_code == 302 and response["Location"] == reverse("intake:next")
        assert "988" in client.get(reverse("intake:next")).content.decode()
        assert not Alert.objects.exists()
        assert AuditEvent.objects.filter(action=audit.LATE_ANSWER_LOST).exists()
    else:
        assert kept.safety_level != SafetyLevel.NONE
        assert Alert.objects.filter(submission=kept).count() == 1
