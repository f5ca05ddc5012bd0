"""Limits that attackers cannot turn against patients, and what a patient is told.

Resume codes: one client is limited, but no limit is shared by all clients (guessers from many
addresses would use it up and shut every patient out); a code typed with wrong dates of birth
is voided instead, and many failed tries alarm the staff. New forms: a client whose new forms
are used up is told so before consent. Results: a flagged patient is never told the usual
review time.
"""

from __future__ import annotations

import html as html_lib
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake.models import OutgoingEmail, RateCounter, ResumeAttempt, Submission
from intake.patient import ratelimit
from tests.intake_helpers import DOB, PAGES, fill_until, post, resume_code, url
from tests.live import Browser, LiveSite

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]

WRONG_DOB = {**DOB, "date_of_birth_year": "1986"}
WRONG_CODE = "AAAAA-BBBBB-CCCCC-DDDDD"
GENERIC = "That code and date of birth do not match a saved form"
VOIDED = "This code no longer works"
USED_UP = "No more new forms can be started from this network right now"


def resume(client, code, dob=DOB):
    return client.post(reverse("intake:resume"), {"code": code, **dob})


def from_address(n: int) -> Client:
    return Client(REMOTE_ADDR=f"198.51.100.{n}")


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


# --- a code tried with wrong dates of birth ---------------------------------------------------

def test_a_code_tried_five_times_with_a_wrong_birth_date_stops_working(client):
    fill_until(client, stop="phq9")
    code = resume_code(client)
    for n in range(1, 5):  # from different addresses: the count is the code's, not the client's
        response = resume(from_address(n), code, WRONG_DOB)
        page = text(response)
        assert response.status_code == 400 and GENERIC in page and VOIDED not in page
        assert Submission.objects.get().resume_failures == n
    # a wrong code reads exactly the same: nothing says which part was wrong
    assert GENERIC in text(resume(from_address(20), WRONG_CODE))

    response = resume(from_address(5), code, WRONG_DOB)
    page = text(response)
    assert response.status_code == 400 and VOIDED in page and GENERIC not in page
    assert "Call the clinic on 555-0100" in page and "start a new form" in page
    assert 'href="tel:988"' in page  # the crisis contacts are still there
    sub = Submission.objects.get()
    assert (sub.resume_code_hash, sub.resume_expires_at, sub.resume_failures) == ("", None, 0)

    # the right pair no longer opens it, and the message is the generic one again
    response = resume(from_address(6), code)
    assert response.status_code == 400 and GENERIC in text(response)
    assert "submission_id" not in response.client.session


def test_the_right_code_and_birth_date_reset_the_count(client):
    fill_until(client, stop="phq9")
    code = resume_code(client)
    for n in range(1, 5):
        resume(from_address(n), code, WRONG_DOB)
    assert Submission.objects.get().resume_failures == 4
    patient = from_address(50)
    assert resume(patient, code)["Location"] == url("phq9")
    assert Submission.objects.get().resume_failures == 0
    # and the next code starts from nothing: one wrong date does not void it
    new_code = resume_code(patient)
    assert VOIDED not in text(resume(from_address(7), new_code, WRONG_DOB))
    assert resume(from_address(51), new_code)["Location"] == url("phq9")


def test_a_new_code_starts_its_own_count(client):
    fill_until(client, stop="phq9")
    old = resume_code(client)
    for n in range(1, 5):
        resume(from_address(n), old, WRONG_DOB)
    assert Submission.objects.get().resume_failures == 4
    new = resume_code(client)
    assert Submission.objects.get().resume_failures == 0
    assert VOIDED not in text(resume(from_address(5), new, WRONG_DOB))
    assert resume(from_address(52), new)["Location"] == url("phq9")


# --- guessing from many addresses: nobody is locked out, staff are told once ---------------

def test_forty_addresses_guessing_do_not_lock_a_patient_out_and_staff_hear_once(client,
                                                                                settings):
    settings.CLINIC_ALERT_EMAILS = ["duty@clinic.example.org"]
    fill_until(client, stop="phq9")
    code = resume_code(client)
    statuses = {resume(Client(REMOTE_ADDR=f"203.0.113.{n}"), WRONG_CODE).status_code
                for n in range(40) for _ in range(5)}
    assert statuses == {400}
    assert ResumeAttempt.objects.filter(succeeded=False).count() == 200
    assert resume(from_address(99), code)["Location"] == url("phq9")

    # one, though 150 more tries failed after it
    (alarm,) = OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.GUESSING)
    assert alarm.recipients == ["duty@clinic.example.org"]
    assert alarm.status == OutgoingEmail.Status.PENDING
    # when it was queued: 51 failed tries, from 11 addresses (5 each)
    assert "51 tries" in alarm.body and "from 11 different addresses" in alarm.body
    message = alarm.subject + alarm.body
    assert code not in message and WRONG_CODE not in message
    for word in ("Alex", "1985", "depress", "suicid", "203.0.113"):
        assert word not in message


def test_the_guessing_alarm_goes_out_at_most_once_an_hour(settings):
    settings.RESUME_GUESS_ALARM = 3
    window = timedelta(minutes=15)
    ResumeAttempt.objects.bulk_create([ResumeAttempt(client="c") for _ in range(3)])
    assert ratelimit.alarm_if_guessing(window) is None  # 3 is not above 3
    ResumeAttempt.objects.create(client="d")
    assert ratelimit.alarm_if_guessing(window) is not None
    assert ratelimit.alarm_if_guessing(window) is None
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        ResumeAttempt.objects.bulk_create([ResumeAttempt(client="e") for _ in range(4)])
        assert ratelimit.alarm_if_guessing(window) is None  # still within the hour
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        ResumeAttempt.objects.bulk_create([ResumeAttempt(client="f") for _ in range(4)])
        assert ratelimit.alarm_if_guessing(window) is not None
    assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.GUESSING).count() == 2


# --- new forms: said before consent -----------------------------------------------------------

def test_new_forms_used_up_are_said_on_the_start_and_consent_pages(settings):
    settings.NEW_DRAFTS_PER_HOUR = 2
    visitor = from_address(30)
    for _ in range(5):  # looking does not count
        assert USED_UP not in text(visitor.get(reverse("intake:start")))
        assert USED_UP not in text(visitor.get(url("consent")))
    for _ in range(2):
        assert from_address(30).post(url("consent"), PAGES["consent"]).status_code == 302
    assert RateCounter.objects.get(scope="new-draft").count == 2

    for path in (reverse("intake:start"), url("consent")):
        response = from_address(30).get(path)
        page = text(response)
        assert response.status_code == 200 and USED_UP in page
        assert 'href="tel:555-0100"' in page and 'href="tel:988"' in page
        assert 'name="age_ok"' not in page  # no consent form to fill in first
    assert "Start now" not in text(from_address(30).get(reverse("intake:start")))
    assert RateCounter.objects.get(scope="new-draft").count == 2
    # another address, and a browser that already has a form, are not told
    assert USED_UP not in text(from_address(31).get(reverse("intake:start")))
    assert 'name="age_ok"' in text(from_address(31).get(url("consent")))
    # the POST after a used-up limit still gets the 429 page, with the same words
    response = from_address(30).post(url("consent"), PAGES["consent"])
    assert response.status_code == 429 and USED_UP in text(response)


# --- results: a flagged patient is never told the usual review time ---------------------------

@pytest.mark.parametrize(("better_off_dead", "thoughts_now", "said"), [
    ("yes", "yes", "A clinician will review your answers as a matter of urgency, and the "
                   "clinic will contact you about them."),
    ("yes", "no", "A clinician will review your answers soon, before other forms, and the "
                  "clinic will contact you about them."),
    ("no", None, "A clinician will read your answers within 3 working days."),
])
def test_what_happens_next_follows_the_safety_level(client, better_off_dead, thoughts_now,
                                                    said):
    fill_until(client, stop="safety")
    post(client, "safety", {**PAGES["safety"], "asq_better_off_dead": better_off_dead})
    if thoughts_now is not None:
        post(client, "safety-now", {"asq_thoughts_now": thoughts_now})
    fill_until(client, start="medicines")
    page = text(client.get(client.post(reverse("intake:check"))["Location"]))
    next_steps = page[page.index("What happens next"):]
    assert said in next_steps
    if thoughts_now is not None:
        assert "working days" not in page


# --- live: forty addresses guess through a production server ----------------------------------

def test_live_forty_addresses_guessing_five_codes_each_do_not_lock_a_patient_out(tmp_path):
    """Behind one trusted proxy (TRUSTED_PROXY_COUNT=1) the client address is the last
    X-Forwarded-For entry, so each guesser can be a different address over real HTTP."""
    site = LiveSite.like_test_database(tmp_path, TRUSTED_PROXY_COUNT="1").setup().start()
    try:
        patient = site.browser()
        patient.fill_until("phq9")
        html = patient.request("/intake/save/", {})[2]
        code = re.search(r'class="resume-code">\s*([A-Z0-9-]+)', html).group(1)
        wrong = {"code": WRONG_CODE, **DOB}

        def guess(n: int) -> list[int]:
            guesser = behind_proxy(site, f"203.0.113.{n}")
            guesser.request("/resume/")  # the CSRF cookie
            return [guesser.request("/resume/", wrong)[0] for _ in range(5)]

        with ThreadPoolExecutor(8) as pool:
            statuses = {status for result in pool.map(guess, range(40)) for status in result}
        assert statuses == {400}
        elsewhere = behind_proxy(site, "198.51.100.99")
        elsewhere.request("/resume/")
        status, location, _ = elsewhere.request("/resume/", {"code": code, **DOB})
        assert (status, location) == (302, "/intake/phq9/")
        assert site.query("SELECT COUNT(*) FROM intake_resumeattempt WHERE NOT succeeded") \
            == [(200,)]
        assert site.query("SELECT COUNT(*) FROM intake_outgoingemail WHERE kind = %s",
                          "guessing") == [(1,)]
    finally:
        site.teardown()


def behind_proxy(site: LiveSite, address: str) -> Browser:
    """A browser whose requests reach the site through the trusted proxy, from `address`."""
    browser = site.browser()
    browser.opener.addheaders.append(("X-Forwarded-For", address))
    return browser
