"""Patient pages through the test client: what each page saves, refuses and where it leads."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from intake.models import Assessment, MedicationTrial, ResumeAttempt, SafetyLevel, Submission
from intake.patient.steps import step_url
from intake.patient.views.drafts import BROWSER_COOKIE
from tests.intake_helpers import (
    DOB,
    ESCITALOPRAM_UNKNOWN_DOSE,
    PAGES,
    SERTRALINE,
    fill_until,
    form_token,
    post,
    resume_code,
    url,
)
from tests.task_helpers import run_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]


def draft() -> Submission:
    return Submission.objects.get()


# --- start and consent ------------------------------------------------------------------------

def test_start_page_explains_and_has_crisis_contacts(client):
    html = client.get(reverse("intake:start")).content.decode()
    assert "not for emergencies" in html and "not watched in real time" in html
    assert 'href="tel:988"' in html and 'href="tel:911"' in html
    assert "not a diagnosis" in html
    assert reverse("intake:consent") in html


def test_consent_creates_the_draft_and_records_the_notice_version(client):
    response = post(client, "consent")
    assert response.status_code == 302 and response["Location"] == url("about-you")
    sub = draft()
    assert sub.consented_at is not None and sub.privacy_notice_version == "2026-11-23"
    assert sub.age_confirmed is True and sub.steps_done == ["consent"]
    assert client.session["submission_id"] == sub.pk


def test_under_age_stores_nothing_and_is_told_kindly(client):
    response = post(client, "consent", {"age_ok": "no", "consent": "on"})
    assert response["Location"] == reverse("intake:not_eligible")
    assert not Submission.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "18 or older" in page and "We have not saved any of your answers" in page


def test_consent_errors_keep_values_and_summarise(client):
    response = post(client, "consent", {"age_ok": "yes"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error:" in html and "There is a problem" in html
    assert 'href="#id_consent"' in html
    (yes,) = re.findall(r'<input[^>]*id="id_age_ok_0"[^>]*>', html)
    assert 'value="yes"' in yes and "checked" in yes
    assert not Submission.objects.exists()


def test_minimum_age_is_configurable(client, settings):
    settings.MIN_PATIENT_AGE = 21
    assert "Are you 21 or older?" in client.get(url("consent")).content.decode()


# --- question pages ---------------------------------------------------------------------------

def test_every_page_saves_to_the_database_at_continue(client):
    sub = fill_until(client, medicines=(SERTRALINE, ESCITALOPRAM_UNKNOWN_DOSE))
    assert sub.full_name == "Alex Example" and sub.email == "alex@example.org"
    assert sub.episode_months == 14 and sub.episode_count == "2"
    assert sub.first_episode_age == 24 and sub.hospital_stays == "no"
    assert sub.bipolar_history == "no" and sub.psychotic_symptoms == "never"
    assert sub.trauma == "prefer_not"
    assert sub.phq9 == [2, 2, 2, 2, 1, 2, 1, 1, 0]
    assert sub.asq_wished_dead is False and sub.asq_thoughts_now is None
    trials = list(sub.trials.order_by("position"))
    assert [(t.position, t.medication.slug) for t in trials] == [(1, "sertraline"),
                                                                (2, "escitalopram")]
    assert trials[1].dose_mg_per_day is None and trials[0].dose_mg_per_day == 150
    assert [(t.type, t.sessions, t.helped) for t in sub.therapies.all()] == [
        ("cbt", 12, "partly")]
    assert sub.other_treatments == {}
    assert sub.health_conditions == []
    assert sub.status == Submission.Status.DRAFT


@pytest.mark.parametrize(("slug", "data", "field", "message"), [
    ("about-you", {**PAGES["about-you"], "full_name": ""}, "full_name", "Enter your full name"),
    ("about-you", {**PAGES["about-you"], "date_of_birth_year": "2999"}, "date_of_birth",
     "Date of birth must be in the past"),
    ("about-you", {**PAGES["about-you"], "date_of_birth_year": "2020"}, "date_of_birth",
     "You must be 18 or older"),
    ("about-you", {**PAGES["about-you"], "date_of_birth_day": "31", "date_of_birth_month": "2"},
     "date_of_birth", "Date of birth must be a real date"),
    ("about-you", {**PAGES["about-you"], "date_of_birth_year": ""}, "date_of_birth",
     "Date of birth must include a year"),
    ("about-you", {**PAGES["about-you"], "date_of_birth_year": "85"}, "date_of_birth",
     "The year must have 4 numbers, like 1985"),
    ("about-you", {**PAGES["about-you"], "email": "not-an-email"}, "email",
     "Enter an e-mail address like name@example.com"),
    ("about-you", {**PAGES["about-you"], "contact_preference": "phone"}, "phone",
     "Enter a phone number"),
    ("depression", {**PAGES["depression"], "episode_months": ""}, "episode_months",
     "or select I don&#x27;t know"),
    ("depression", {**PAGES["depression"], "episode_months_unknown": "on"}, "episode_months",
     "not both"),
    ("depression", {**PAGES["depression"], "episode_months": "-3"}, "episode_months",
     "0 or more"),
    ("depression", {**PAGES["depression"], "first_episode_age": "60"}, "first_episode_age",
     "cannot be more than your age now"),
    ("history", {**PAGES["history"], "psychotic_symptoms": "sometimes"}, "psychotic_symptoms",
     "Select a valid choice"),
    ("phq9", {**PAGES["phq9"], "item9": ""}, "item9", "Select an answer for question 9"),
    ("phq9", {**PAGES["phq9"], "item4": "7"}, "item4", "Select a valid choice"),
    ("safety", {**PAGES["safety"], "asq_ever_attempted": ""}, "asq_ever_attempted",
     "Select yes or no"),
])
def test_invalid_answers_are_refused_with_a_message_and_values_kept(client, slug, data, field,
                                                                    message):
    fill_until(client, stop=slug)
    before = Submission.objects.values().get()
    response = post(client, slug, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert f'id="id_{field}-error"' in html or f'id="id_{field}_0-error"' in html or \
        f'{field}-error' in html
    assert "<title>Error:" in html
    assert Submission.objects.values().get() == before  # nothing saved, nothing lost
    kept = next(v for k, v in data.items() if k != field and isinstance(v, str) and v)
    assert kept in html


def test_medicine_validation(client):
    fill_until(client, stop="medicines")
    add = reverse("intake:medicine_add")
    cases = [
        ({**SERTRALINE, "dose": "0"}, "The dose must be more than 0"),
        ({**SERTRALINE, "dose": "3001"}, "3,000 mg or less"),
        ({**SERTRALINE, "dose": "lots"}, "Enter the dose as a number, like 100"),
        ({**SERTRALINE, "dose": "", "dose_unknown": ""}, "or select I don"),
        ({**SERTRALINE, "dose_unit": "mcg"}, "Sertraline is measured in mg"),
        ({**SERTRALINE, "dose_unit": ""}, "Select mg or micrograms (mcg)"),
        ({**SERTRALINE, "dose_unknown": "on"}, "not both"),
        ({**SERTRALINE, "duration_unit": ""}, "Select weeks or months"),
        ({**SERTRALINE, "duration_amount": "601", "duration_unit": "months"}, "50 years"),
        ({**SERTRALINE, "medication": "other", "other_name": " "}, "Enter the name"),
        ({**SERTRALINE, "medication": "unobtainium"}, "Select a medicine from the list"),
        ({**SERTRALINE, "improvement": ""}, "Select how much it helped"),
    ]
    for data, message in cases:
        response = client.post(add, data)
        assert response.status_code == 400, message
        assert message in response.content.decode(), message
    assert not MedicationTrial.objects.exists()


def test_medicine_other_unknown_and_months(client):
    fill_until(client, stop="medicines")
    add = reverse("intake:medicine_add")
    client.post(add, {**SERTRALINE, "medication": "other", "other_name": "  Zuranolone "})
    client.post(add, {**SERTRALINE, "medication": "unknown", "duration_amount": "3",
                      "duration_unit": "months"})
    other, unknown = MedicationTrial.objects.order_by("position")
    assert (other.kind, other.other_name, other.medication) == ("other", "Zuranolone", None)
    assert unknown.kind == "unknown" and unknown.weeks == pytest.approx(13)


def test_medicine_search_finds_brand_names_without_saving(client):
    fill_until(client, stop="medicines")
    response = client.post(reverse("intake:medicine_add"),
                           {**SERTRALINE, "action": "search", "search": "zoloft"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="sertraline"' in html and 'value="escitalopram"' not in html
    assert not MedicationTrial.objects.exists()
    assert 'value="150"' in html  # what was typed is kept


def test_change_and_remove_a_medicine(client):
    fill_until(client, stop="medicines")
    client.post(reverse("intake:medicine_add"), SERTRALINE)
    client.post(reverse("intake:medicine_add"), ESCITALOPRAM_UNKNOWN_DOSE)
    response = client.post(reverse("intake:medicine_edit", args=[2]),
                           {**ESCITALOPRAM_UNKNOWN_DOSE, "dose_unknown": "",
                            "dose": "20"})
    assert response["Location"] == reverse("intake:medicines")
    assert MedicationTrial.objects.get(position=2).dose_mg_per_day == 20
    client.post(reverse("intake:medicine_remove", args=[1]))
    assert list(MedicationTrial.objects.values_list("medication__slug", flat=True)) == [
        "escitalopram"]
    assert client.get(reverse("intake:medicine_edit", args=[1])).status_code == 404


def test_no_medicines_is_an_answer(client):
    fill_until(client, stop="medicines")
    response = client.post(reverse("intake:medicines"), {"add_another": "no"})
    assert response["Location"] == url("therapy")
    assert "medicines" in draft().steps_done


def test_therapy_none_skips_details_and_none_is_exclusive(client):
    fill_until(client, stop="therapy")
    response = post(client, "therapy", {"types": ["none", "cbt"]})
    assert response.status_code == 400 and "on its own" in response.content.decode()
    response = post(client, "therapy", {"types": ["none"]})
    assert response["Location"] == url("other-treatments")
    assert not draft().therapies.exists()
    assert client.get(url("therapy-details"))["Location"] == url("other-treatments")


def test_other_treatments_and_health_saved(client):
    fill_until(client, stop="other-treatments")
    response = post(client, "other-treatments", {"tried": ["ect", "tms"]})
    assert response["Location"] == url("other-treatments-helped")
    assert draft().other_treatments == {"tms": "", "ect": ""}  # how much: the next page
    assert client.get(url("health"))["Location"] == url("other-treatments-helped")
    response = post(client, "other-treatments-helped", {"ect": "partly", "tms": "no"})
    assert response["Location"] == url("health")
    post(client, "health", {"conditions": ["seizures", "supplements"],
                            "anything_else": "I work nights."})
    sub = draft()
    assert sub.other_treatments == {"tms": "no", "ect": "partly"}
    assert sub.health_conditions == ["seizures", "supplements"]
    assert sub.anything_else == "I work nights."


def test_anything_else_is_length_limited(client):
    fill_until(client, stop="health")
    response = post(client, "health", {"conditions": ["none"], "anything_else": "x" * 2001})
    assert response.status_code == 400 and "2,000 characters or fewer" in \
        response.content.decode()


# --- order, prerequisites, going back ---------------------------------------------------------

def test_without_a_draft_question_pages_go_to_start(client):
    for slug in ("about-you", "phq9", "health"):
        assert client.get(url(slug))["Location"] == reverse("intake:start")
    assert client.get(reverse("intake:check"))["Location"] == reverse("intake:start")
    assert client.post(url("phq9"), PAGES["phq9"]).status_code == 302
    assert not Submission.objects.exists()


def test_skipping_ahead_sends_to_the_first_unfinished_page(client):
    fill_until(client, stop="depression")
    for slug in ("phq9", "safety", "health"):
        response = client.get(url(slug))
        assert response["Location"] == url("depression")
    response = post(client, "phq9")  # a POST ahead saves nothing
    assert response["Location"] == url("depression")
    assert draft().phq9 == []
    assert client.get(reverse("intake:check"))["Location"] == url("depression")


def test_unknown_page_is_404(client):
    fill_until(client, stop="depression")
    assert client.get("/intake/no-such-page/").status_code == 404


def test_change_from_check_returns_to_check(client):
    fill_until(client)
    response = post(client, "depression", {**PAGES["depression"], "episode_months": "30"},
                    QUERY_STRING="return=check")
    assert response["Location"] == reverse("intake:check")
    assert draft().episode_months == 30


def test_changing_an_earlier_answer_that_opens_a_page_asks_it_first(client):
    """A new ASQ yes makes the fifth question required before anything else."""
    fill_until(client)
    response = client.post(url("safety") + "?return=check",
                           {**PAGES["safety"], "asq_wished_dead": "yes"})
    assert response["Location"] == reverse("intake:next") + "?return=check"
    assert client.get(response["Location"])["Location"] == step_url("safety-now", returning=True)
    assert client.get(reverse("intake:check"))["Location"] == url("safety-now")
    response = client.post(step_url("safety-now", returning=True), {"asq_thoughts_now": "no"})
    assert response["Location"] == reverse("intake:next") + "?return=check"
    # and the support page leads back to Check your answers
    html = client.get(response["Location"]).content.decode()
    assert f'href="{reverse("intake:check")}"' in html


def test_back_link_points_to_the_previous_page(client):
    fill_until(client, stop="phq9")
    html = client.get(url("phq9")).content.decode()
    assert f'class="back-link" href="{url("history")}"' in html


# --- safety -----------------------------------------------------------------------------------

def test_acute_answers_flag_urgent_and_interrupt_at_once(client):
    fill_until(client, stop="safety")
    response = post(client, "safety", {**PAGES["safety"], "asq_thoughts_past_week": "yes"})
    assert response["Location"] == reverse("intake:next")
    assert client.get(response["Location"])["Location"] == url("safety-now")
    assert draft().safety_level == SafetyLevel.NON_ACUTE  # a yes already raises priority
    response = post(client, "safety-now", {"asq_thoughts_now": "yes"})
    assert response["Location"] == reverse("intake:next")
    sub = draft()
    assert sub.safety_level == SafetyLevel.ACUTE and sub.flagged_at is not None
    assert sub.status == Submission.Status.DRAFT  # saved unfinished
    html = client.get(reverse("intake:next")).content.decode()
    assert "Please get help now" in html
    assert 'href="tel:988"' in html and 'href="tel:911"' in html and "555-0100" in html
    assert "emergency department" in html
    assert html.index('class="crisis-panel"') < html.index("You told us")  # contacts first
    assert 'href="https://988lifeline.org/chat/"' in html
    for word in ("safe", "fine", "don't worry"):
        assert f" {word} " not in html.lower().replace("unsafe", "")
    # the patient may carry on, with crisis contacts on the next page too
    next_page = client.get(url("medicines"))
    assert next_page.status_code == 200 and 'href="tel:988"' in next_page.content.decode()


def test_phq9_item9_alone_is_priority(client):
    fill_until(client, stop="phq9")
    post(client, "phq9", {**PAGES["phq9"], "item9": "1"})
    assert draft().safety_level == SafetyLevel.NON_ACUTE
    response = post(client, "safety")
    assert response["Location"] == reverse("intake:next")
    html = client.get(response["Location"]).content.decode()
    assert "A clinician will review your answers soon" in html


def test_no_safety_concern_goes_straight_on_with_no_reassurance(client):
    fill_until(client, stop="safety")
    response = post(client, "safety")
    assert response["Location"] == reverse("intake:next")  # the same address as with a flag
    assert draft().safety_level == SafetyLevel.NONE
    assert client.get(reverse("intake:next"))["Location"] == reverse("intake:medicines")


def test_flag_never_drops_when_an_answer_is_changed(client):
    fill_until(client, stop="safety")
    post(client, "safety", {**PAGES["safety"], "asq_wished_dead": "yes"})
    post(client, "safety-now", {"asq_thoughts_now": "yes"})
    post(client, "safety", PAGES["safety"])
    sub = draft()
    assert sub.asq_wished_dead is False and sub.asq_thoughts_now is None
    assert sub.safety_level == SafetyLevel.ACUTE


def test_a_yes_on_a_page_with_errors_still_shows_crisis_contacts(client):
    fill_until(client, stop="safety")
    response = post(client, "safety", {"asq_thoughts_past_week": "yes"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "If you need help now" in html and "emergency department" in html


# --- check, submit, results -------------------------------------------------------------------

def test_check_page_lists_answers_with_change_links(client):
    fill_until(client, medicines=(SERTRALINE, ESCITALOPRAM_UNKNOWN_DOSE))
    html = client.get(reverse("intake:check")).content.decode()
    assert "Alex Example" in html and "Sertraline" in html and "Escitalopram" in html
    assert f'href="{url("depression")}?return=check"' in html
    assert 'href="/intake/medicines/2/?return=check"' in html
    assert "Not provided" in html  # the optional phone number
    assert "Send my answers to the clinic" in html


def test_submit_assesses_once_and_locks(client):
    fill_until(client, medicines=(SERTRALINE, ESCITALOPRAM_UNKNOWN_DOSE))
    first = client.post(reverse("intake:check"))
    second = client.post(reverse("intake:check"))  # double click, replayed POST
    sub = draft()
    assert first["Location"] == second["Location"] == reverse("intake:results",
                                                              args=[sub.reference])
    assert sub.status == Submission.Status.SUBMITTED and sub.submitted_at is not None
    assert Assessment.objects.count() == 1
    assessment = Assessment.objects.get()
    assert assessment.rules_version == "2"
    assert assessment.thresholds == {"min_trial_weeks": 6.0, "intolerance_weeks": 4.0,
                                     "min_doses": {"escitalopram": 10.0, "sertraline": 50.0}}
    assert sub.trd_status == "unclear" and sub.confirmed_count == 1 and sub.possible_count == 1
    # locked: a page posted says the form was sent, and a forged POST changes nothing
    before = Submission.objects.values().get()
    response = post(client, "about-you", {**PAGES["about-you"], "full_name": "Changed"})
    assert response.status_code == 409
    assert "This form has already been sent" in response.content.decode()
    response = client.post(reverse("intake:medicine_add"), SERTRALINE)
    assert response.status_code == 409 and MedicationTrial.objects.count() == 2
    client.post(reverse("intake:medicine_remove", args=[1]))
    assert MedicationTrial.objects.count() == 2
    assert Submission.objects.values().get() == before


def test_results_page_explains_in_careful_words(client):
    fill_until(client, medicines=(SERTRALINE, ESCITALOPRAM_UNKNOWN_DOSE))
    response = client.get(client.post(reverse("intake:check"))["Location"])
    html = response.content.decode()
    sub = draft()
    assert sub.reference in html
    assert "We need more detail to know if treatment-resistant depression may apply" in html
    assert "not a diagnosis" in html
    assert "The dose is not known." in html
    assert "TMS (transcranial magnetic stimulation)" in html
    assert "What are the risks and side effects?" in html
    assert "What happens next" in html


def test_results_show_dose_reason_with_numbers(client):
    low = {**SERTRALINE, "dose": "25"}
    fill_until(client, medicines=(low,))
    html = client.get(client.post(reverse("intake:check"))["Location"]).content.decode()
    assert "The dose, 25 mg a day, was below the usual minimum of 50 mg." in html
    assert "does not appear to apply" in html


def test_results_and_drafts_of_others_are_404(client):
    fill_until(client)
    client.post(reverse("intake:check"))
    mine = draft()
    stranger = Client()
    assert stranger.get(reverse("intake:results", args=[mine.reference])).status_code == 404
    fill_until(stranger, stop="depression")
    assert stranger.get(reverse("intake:results", args=[mine.reference])).status_code == 404
    assert stranger.get(reverse("intake:medicine_edit", args=[1])).status_code in (302, 404)
    assert client.get(reverse("intake:results", args=["TRD-AAAA-AAAA"])).status_code == 404


def test_another_patients_medicine_is_404(client):
    fill_until(client, stop="therapy")
    other = Client()
    fill_until(other, stop="therapy", medicines=())
    assert other.get(reverse("intake:medicine_edit", args=[1])).status_code == 404
    assert other.post(reverse("intake:medicine_remove", args=[1])).status_code == 404
    assert MedicationTrial.objects.count() == 1


def test_csrf_is_enforced():
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url("consent"), PAGES["consent"])
    assert response.status_code == 403
    assert not Submission.objects.exists()
    html = response.content.decode()  # the patient's own page, crisis contacts included
    assert "Sorry, that did not go through" in html and 'href="tel:988"' in html


# --- save and resume --------------------------------------------------------------------------

def test_resume_with_the_code_elsewhere(client, mailoutbox):
    fill_until(client, stop="phq9")
    code = resume_code(client)
    sub = draft()
    assert len(code) == 23 and sub.resume_code_hash and code not in sub.resume_code_hash
    assert mailoutbox == []  # sent by the task worker, not inside the request
    assert run_tasks() == 1
    (mail,) = mailoutbox
    assert reverse("intake:resume") in mail.body and code in mail.body
    assert mail.to == ["alex@example.org"]
    for health_word in ("depress", "sertraline", "Alex", "phq", "suicid"):
        assert health_word.lower() not in (mail.subject + mail.body).lower()
    elsewhere = Client()
    response = elsewhere.post(reverse("intake:resume"), {"code": code.lower(), **DOB})
    assert response["Location"] == url("phq9")
    assert elsewhere.get(url("depression")).status_code == 200
    assert 'value="14"' in elsewhere.get(url("depression")).content.decode()


def test_wrong_and_expired_codes_are_refused(client):
    fill_until(client, stop="phq9")
    code = resume_code(client)
    elsewhere = Client()
    response = elsewhere.post(reverse("intake:resume"), {"code": "AAAAA-BBBBB-CCCCC-DDDDD",
                                                         **DOB})
    assert response.status_code == 400 and "do not match a saved form" in \
        response.content.decode()
    Submission.objects.update(resume_expires_at=timezone.now() - timedelta(minutes=1))
    response = elsewhere.post(reverse("intake:resume"), {"code": code, **DOB})
    assert response.status_code == 400
    assert "submission_id" not in elsewhere.session


def test_wrong_codes_are_rate_limited(client):
    fill_until(client, stop="phq9")
    code = resume_code(client)
    guesser = Client()
    for _ in range(5):
        guesser.post(reverse("intake:resume"), {"code": "AAAAA-BBBBB-CCCCC-DDDDD", **DOB})
    response = guesser.post(reverse("intake:resume"), {"code": code, **DOB})  # even the right one
    assert response.status_code == 429 and "Too many tries" in response.content.decode()
    assert ResumeAttempt.objects.filter(succeeded=False).count() == 5  # the 6th not evaluated


def test_a_new_code_replaces_the_old_one(client):
    fill_until(client, stop="phq9")
    old = resume_code(client)
    resume_code(client)
    assert Client().post(reverse("intake:resume"), {"code": old, **DOB}).status_code == 400


def test_same_browser_resumes_from_the_start_page(client):
    fill_until(client, stop="phq9")
    html = client.get(reverse("intake:start")).content.decode()
    assert "Carry on with your answers" in html and f'href="{url("phq9")}"' in html


def test_forget_unbinds_this_browser(client):
    fill_until(client, stop="phq9")
    client.post(reverse("intake:forget"))
    assert client.get(url("phq9"))["Location"] == reverse("intake:start")
    assert Submission.objects.count() == 1  # still there for the clinic and the code


def test_submitted_drafts_cannot_be_resumed(client):
    fill_until(client)
    code = resume_code(client)
    client.post(reverse("intake:check"))
    assert Client().post(reverse("intake:resume"), {"code": code, **DOB}).status_code == 400


# --- double submits -----------------------------------------------------------------------------

def test_consent_posted_twice_makes_one_draft(client):
    token = form_token(client.get(url("consent")).content.decode())
    data = {**PAGES["consent"], "client_token": token}
    first = client.post(url("consent"), data)
    # the same browser without the new session: the first response never arrived
    replay = Client()
    replay.cookies[BROWSER_COOKIE] = client.cookies[BROWSER_COOKIE].value
    response = replay.post(url("consent"), data)
    assert first["Location"] == response["Location"] == url("about-you")
    assert Submission.objects.count() == 1
    assert replay.get(url("about-you")).status_code == 200  # and it carries on with it


def test_medicine_saved_twice_is_added_once(client):
    fill_until(client, stop="medicines")
    html = client.get(reverse("intake:medicine_add")).content.decode()
    data = {**SERTRALINE, "client_token": form_token(html)}
    client.post(reverse("intake:medicine_add"), data)
    second = client.post(reverse("intake:medicine_add"), data)
    assert second["Location"] == reverse("intake:medicines")
    assert MedicationTrial.objects.count() == 1
    again = form_token(client.get(reverse("intake:medicine_add")).content.decode())
    assert again != data["client_token"]  # a new form adds a new medicine
    client.post(reverse("intake:medicine_add"), {**SERTRALINE, "client_token": again})
    assert MedicationTrial.objects.count() == 2


def test_after_submitting_the_summary_can_be_removed_from_a_shared_device(client):
    fill_until(client)
    results = client.get(client.post(reverse("intake:check"))["Location"])
    assert reverse("intake:forget") in results.content.decode()
    assert "Your answers stay with the clinic" in client.get(reverse("intake:forget")).content \
        .decode()
    client.post(reverse("intake:forget"))
    assert client.get(results.request["PATH_INFO"]).status_code == 404
    assert Submission.objects.get().is_submitted


# --- the patient's side of the safety chain -------------------------------------------------

def test_raising_phq9_item9_from_check_your_answers_shows_the_support_page(client):
    fill_until(client)
    response = post(client, "phq9", {**PAGES["phq9"], "item9": "2"}, QUERY_STRING="return=check")
    assert response["Location"] == reverse("intake:next") + "?return=check"
    assert draft().safety_level == SafetyLevel.NON_ACUTE
    html = client.get(response["Location"]).content.decode()
    assert "Help is available" in html and 'href="tel:988"' in html
    assert f'href="{reverse("intake:check")}"' in html  # and back to Check your answers
    # saving the page again raises nothing new: straight back to Check your answers
    response = post(client, "phq9", {**PAGES["phq9"], "item9": "2"}, QUERY_STRING="return=check")
    assert client.get(response["Location"])["Location"] == reverse("intake:check")


def test_raising_the_level_on_the_first_pass_interrupts_before_the_next_page(client):
    fill_until(client, stop="phq9")
    response = post(client, "phq9", {**PAGES["phq9"], "item9": "1"})
    assert response["Location"] == reverse("intake:next")
    assert 'href="/intake/safety/"' in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("asq_now", "heading"), [
    ("yes", "a clinician will review your answers as a matter of urgency"),
    ("no", "a clinician will review them first"),
])
def test_results_of_a_flagged_patient_open_with_help_now(client, asq_now, heading):
    fill_until(client, stop="safety")
    post(client, "safety", {**PAGES["safety"], "asq_better_off_dead": "yes"})
    post(client, "safety-now", {"asq_thoughts_now": asq_now})
    fill_until(client, stop=None, start="medicines")
    html = client.get(client.post(reverse("intake:check"))["Location"]).content.decode()
    help_now = html.index("If you need help now")
    assert help_now < html.index("Treatment-resistant depression")  # before the result
    assert heading in html
    assert html.count('id="crisis-panel-title"') == 1
    panel = html[help_now:html.index("</section>", help_now)]
    assert 'href="tel:988"' in panel and 'href="tel:911"' in panel and "555-0100" in panel


def test_results_of_an_unflagged_patient_keep_help_at_the_end(client):
    fill_until(client)
    html = client.get(client.post(reverse("intake:check"))["Location"]).content.decode()
    assert html.index("Treatment-resistant depression") < html.index("If you need help now")
    assert "What the clinic does with your answers about safety" not in html


def test_a_page_posted_after_submitting_changes_nothing_and_says_it_was_sent(client):
    fill_until(client)
    client.post(reverse("intake:check"))
    for path, data in ((url("depression"), {**PAGES["depression"], "episode_months": "99"}),
                       (reverse("intake:medicine_add"), SERTRALINE),
                       (reverse("intake:medicines"), {"add_another": "no"}),
                       (reverse("intake:save"), {})):
        response = client.post(path, data)
        html = response.content.decode()
        assert response.status_code == 409 and "This form has already been sent" in html
        assert f'href="{reverse("intake:results", args=[draft().reference])}"' in html
        assert 'href="tel:988"' in html and "555-0100" in html
    sub = draft()
    assert sub.episode_months == 14 and sub.trials.count() == 1 and not sub.resume_code_hash
