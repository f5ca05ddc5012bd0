"""Patient pages through the test client: date errors, inputs, the medicine page and list,
Change and Back links, other treatments in two short pages, health answers "not sure", doses in
micrograms, Check your answers in cards, results wording, print, favicon; and the weight of a
page (gzip, no framework CSS, no session write per request)."""

from __future__ import annotations

import gzip
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake import services
from intake.models import MedicationTrial, Submission
from tests.intake_helpers import (
    ESCITALOPRAM_UNKNOWN_DOSE,
    PAGES,
    SERTRALINE,
    fill_until,
    post,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]
ROOT = Path(__file__).resolve().parent.parent


def draft() -> Submission:
    return Submission.objects.get()


def inputs(html: str, name: str | None = None) -> list[str]:
    return [tag for tag in re.findall(r"<input[^>]*>", html)
            if name is None or f'name="{name}"' in tag]


# --- the crispy template pack -----------------------------------------------------------------

def test_every_question_page_is_drawn_by_the_govuk_pack(client):
    sub = fill_until(client, medicines=(SERTRALINE,))
    post(client, "other-treatments", {"tried": ["tms"]}, QUERY_STRING="return=check")
    for step in ("consent", "about-you", "depression", "history", "phq9", "safety", "therapy",
                 "therapy-details", "other-treatments", "other-treatments-helped", "health"):
        if step == "health":
            post(client, "other-treatments-helped", {"tms": "no"}, QUERY_STRING="return=check")
        html = client.get(url(step)).content.decode()
        assert 'class="form-group' in html, step
        assert "form-control" not in html and "form-check" not in html, step  # no Bootstrap
        assert "*" not in re.sub(r"<[^>]+>", "", html.split("<form", 1)[1]), step  # no asterisk
    assert sub.pk


def test_checkbox_questions_are_checkboxes_and_radio_questions_radios(client):
    fill_until(client, stop="other-treatments")
    html = client.get(url("other-treatments")).content.decode()
    assert all('type="checkbox"' in tag for tag in inputs(html, "tried")) and inputs(html, "tried")
    html = client.get(url("history")).content.decode()
    assert all('type="checkbox"' in tag for tag in inputs(html, "other_diagnoses"))
    assert all('type="radio"' in tag for tag in inputs(html, "trauma"))


def test_radio_ids_and_error_links_match(client):
    fill_until(client, stop="phq9")
    html = post(client, "phq9", {**PAGES["phq9"], "item5": ""}).content.decode()
    assert 'href="#id_item5_0"' in html and 'id="id_item5_0"' in html
    # the error is tied to its question, and said to be an error
    assert 'aria-describedby="id_item5-error"' in html
    assert '<span class="visually-hidden">Error:</span> Select an answer for question 5' in html


# --- date of birth ----------------------------------------------------------------------------

@pytest.mark.parametrize(("parts", "message", "wrong"), [
    ({"date_of_birth_year": "85"}, "The year must have 4 numbers, like 1985", ["year"]),
    ({"date_of_birth_year": ""}, "Date of birth must include a year", ["year"]),
    ({"date_of_birth_month": "13"}, "The month must be a number from 1 to 12", ["month"]),
    ({"date_of_birth_day": "31", "date_of_birth_month": "2"}, "must be a real date", ["day"]),
    ({"date_of_birth_year": "2999"}, "Date of birth must be in the past",
     ["month", "day", "year"]),
])
def test_a_date_error_links_to_and_marks_only_the_wrong_box(client, parts, message, wrong):
    fill_until(client, stop="about-you")
    html = post(client, "about-you", {**PAGES["about-you"], **parts}).content.decode()
    assert message in html
    assert f'href="#id_date_of_birth_{wrong[0]}"' in html  # the summary link lands on a box
    for part in ("month", "day", "year"):
        (box,) = inputs(html, f"date_of_birth_{part}")
        assert f'id="id_date_of_birth_{part}"' in box
        assert ("input--error" in box) == (part in wrong), (part, box)


def test_name_has_autocomplete_and_numbers_are_text_with_a_numeric_keyboard(client):
    fill_until(client, stop="about-you")
    (name,) = inputs(client.get(url("about-you")).content.decode(), "full_name")
    assert 'autocomplete="name"' in name
    fill_until(client, stop=None, start="about-you", medicines=())
    post(client, "therapy", {"types": ["cbt"]}, QUERY_STRING="return=check")
    pages = [url("depression"), url("therapy-details"), reverse("intake:medicine_add")]
    for path in pages:
        html = client.get(path).content.decode()
        assert 'type="number"' not in html, path
        numbers = [tag for tag in inputs(html) if "inputmode=" in tag]
        assert numbers and all('type="text"' in tag for tag in numbers), path
    # letters are kept and refused with a message, not silently dropped
    response = post(client, "depression", {**PAGES["depression"], "episode_months": "8 months"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="8 months"' in html and "as a whole number, like 8" in html


# --- medicines --------------------------------------------------------------------------------

def test_enter_in_the_medicine_form_saves_rather_than_searches(client):
    """A form's first submit button is the one Enter presses: it must be Save."""
    fill_until(client, stop="medicines")
    html = client.get(reverse("intake:medicine_add")).content.decode()
    form = html[html.index("<form"):]
    first = re.search(r"<button[^>]*>", form).group(0)
    assert 'value="save"' in first and 'tabindex="-1"' in first


def test_the_medicines_list_tells_two_entries_of_one_medicine_apart(client):
    fill_until(client, stop="medicines")
    client.post(reverse("intake:medicine_add"), SERTRALINE)
    client.post(reverse("intake:medicine_add"), {**SERTRALINE, "dose": "50",
                                                 "duration_amount": "3",
                                                 "duration_unit": "months"})
    client.post(reverse("intake:medicine_add"), ESCITALOPRAM_UNKNOWN_DOSE)
    html = client.get(reverse("intake:medicines")).content.decode()
    assert "150 mg a day, for 10 weeks" in html
    assert "50 mg a day, for 3 months" in html
    assert "I don&#x27;t know the dose" not in html and "I don&#x27;t know, for 10 weeks" in html
    # the Change and Remove links say which entry they are for
    assert "Change<span class=\"visually-hidden\"> Sertraline, 50 mg a day, for 3 months" in html


def test_a_medicine_changed_from_check_your_answers_goes_back_there(client):
    fill_until(client, medicines=(SERTRALINE, ESCITALOPRAM_UNKNOWN_DOSE))
    check = client.get(reverse("intake:check")).content.decode()
    link = reverse("intake:medicine_edit", args=[2]) + "?return=check"
    assert f'href="{link}"' in check
    page = client.get(link).content.decode()
    assert f'class="back-link" href="{reverse("intake:check")}"' in page
    response = client.post(link, {**ESCITALOPRAM_UNKNOWN_DOSE, "dose_unknown": "",
                                  "dose": "20"})
    assert response["Location"] == reverse("intake:check")
    assert MedicationTrial.objects.get(position=2).dose_mg_per_day == 20
    # opened from the medicines list, it goes back to the list as before
    response = client.post(reverse("intake:medicine_edit", args=[2]), ESCITALOPRAM_UNKNOWN_DOSE)
    assert response["Location"] == reverse("intake:medicines")


def test_doses_are_asked_in_the_catalog_unit(client):
    fill_until(client, stop="medicines")
    add = reverse("intake:medicine_add")
    t3 = {**SERTRALINE, "medication": "liothyronine", "dose": "25"}
    response = client.post(add, t3)  # 25 "mg" of liothyronine: the unit is wrong
    assert response.status_code == 400
    assert "Liothyronine is measured in micrograms (mcg)" in response.content.decode()
    assert client.post(add, {**t3, "dose_unit": "mcg"}).status_code == 302
    trial = MedicationTrial.objects.get()
    assert trial.dose_unit == "mcg" and trial.dose_mg_per_day == Decimal("0.025")
    assert "25 mcg a day" in client.get(reverse("intake:medicines")).content.decode()
    html = client.get(reverse("intake:medicine_edit", args=[1])).content.decode()
    (dose,) = inputs(html, "dose")
    (mcg,) = [tag for tag in inputs(html, "dose_unit") if 'value="mcg"' in tag]
    assert 'value="25"' in dose and "checked" in mcg
    # the rules read mg
    assert services.answers_for_rules(draft())["medication_trials"][0]["dose_mg_per_day"] \
        == pytest.approx(0.025)
    # searching for it finds it and picks its unit
    html = client.post(add, {"action": "search", "search": "cytomel"}).content.decode()
    (picked,) = [tag for tag in inputs(html, "dose_unit") if "checked" in tag]
    assert 'value="mcg"' in picked


# --- Change and Back links, save for later -----------------------------------------------------

def test_a_page_opened_from_a_change_link_goes_back_to_check_your_answers(client):
    fill_until(client)
    html = client.get(url("history") + "?return=check").content.decode()
    assert f'class="back-link" href="{reverse("intake:check")}"' in html
    html = client.get(url("history")).content.decode()
    assert f'class="back-link" href="{url("depression")}"' in html


def test_check_your_answers_has_a_back_link_and_save_for_later(client):
    fill_until(client)
    html = client.get(reverse("intake:check")).content.decode()
    assert f'class="back-link" href="{url("health")}"' in html
    assert f'href="{reverse("intake:save")}"' in html


def test_the_medicine_page_offers_save_for_later(client):
    fill_until(client, stop="medicines")
    html = client.get(reverse("intake:medicine_add")).content.decode()
    assert f'href="{reverse("intake:save")}"' in html


# --- other treatments -------------------------------------------------------------------------

def test_other_treatments_is_one_question_with_one_error(client):
    fill_until(client, stop="other-treatments")
    html = client.get(url("other-treatments")).content.decode()
    assert html.count("<fieldset") == 1 and 'value="none"' in html
    response = post(client, "other-treatments", {})
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count('class="error-message"') == 1
    assert "Select the treatments you have tried, or None of these" in html
    response = post(client, "other-treatments", {"tried": ["none", "tms"]})
    assert "on its own" in response.content.decode()
    response = post(client, "other-treatments", {"tried": ["none"]})
    assert response["Location"] == url("health")  # nothing tried: no follow-up page
    assert draft().other_treatments == {}
    assert client.get(url("other-treatments-helped"))["Location"] == url("health")


def test_how_much_each_treatment_helped_is_asked_only_for_those_tried(client):
    fill_until(client, stop="other-treatments")
    post(client, "other-treatments", {"tried": ["ect", "light_therapy"]})
    html = client.get(url("other-treatments-helped")).content.decode()
    assert html.count("<fieldset") == 2
    assert "How much did ECT (electroconvulsive therapy) help?" in html
    assert "TMS" not in html
    response = post(client, "other-treatments-helped", {"ect": "helped"})
    assert response.status_code == 400 and "Select how much Light therapy helped" in \
        response.content.decode()
    post(client, "other-treatments-helped", {"ect": "helped", "light_therapy": "unknown"})
    # choosing again keeps the answers of those still chosen
    post(client, "other-treatments", {"tried": ["ect", "tms"]}, QUERY_STRING="return=check")
    assert draft().other_treatments == {"tms": "", "ect": "helped"}
    assert services.answers_for_rules(draft())["other_treatments"] == ["ect", "tms"]


# --- health "not sure" --------------------------------------------------------------------------

def test_health_not_sure_is_stored_raised_for_the_rules_and_shown_as_not_sure(client):
    fill_until(client, stop="health")
    response = post(client, "health", {"conditions": ["seizures", "pregnancy"],
                                       "unsure": ["pregnancy", "thyroid_disease"],
                                       "anything_else": ""})
    assert response["Location"] == reverse("intake:check")
    sub = draft()
    # "not sure" of one not ticked counts as ticked
    assert sub.health_conditions == ["seizures", "pregnancy", "thyroid_disease"]
    assert sub.health_unsure == ["pregnancy", "thyroid_disease"]
    health = services.answers_for_rules(sub)["health"]
    assert health["pregnancy"] is True and health["thyroid_disease"] is True
    assert health["implanted_device"] is False
    html = client.get(reverse("intake:check")).content.decode()
    assert "Seizures or epilepsy, Pregnant, breastfeeding, or planning a pregnancy (not sure)" \
        in html
    page = client.get(url("health")).content.decode()
    (box,) = [tag for tag in inputs(page, "unsure") if 'value="pregnancy"' in tag]
    assert "checked" in box
    response = post(client, "health", {"conditions": ["none"], "unsure": ["seizures"]})
    assert response.status_code == 400 and "on its own" in response.content.decode()


# --- Check your answers -------------------------------------------------------------------------

def test_check_your_answers_has_one_row_per_medicine_and_few_change_links(client):
    fill_until(client, medicines=(SERTRALINE, ESCITALOPRAM_UNKNOWN_DOSE))
    html = client.get(reverse("intake:check")).content.decode()
    assert html.count('class="summary-card"') == 10
    changes = re.findall(r">Change<span", html)
    assert len(changes) <= 16, len(changes)  # was 43
    row = html[html.index("<dt>Sertraline</dt>"):]
    row = row[:row.index("</div>")]
    assert "150 mg a day, for 10 weeks" in row and "Helped: Not at all" in row


# --- results ------------------------------------------------------------------------------------

def results_html(client, medicines=(SERTRALINE,)) -> str:
    fill_until(client, medicines=medicines)
    return client.get(client.post(reverse("intake:check"))["Location"]).content.decode()


def test_results_do_not_repeat_the_verdict_or_speak_in_fragments(client):
    two_failed = (SERTRALINE, {**SERTRALINE, "medication": "escitalopram", "dose": "20"})
    html = results_html(client, medicines=two_failed)
    assert "Counted: taken at a usual dose for long enough" in html
    assert "The dose and length were enough" not in html
    assert "Your answers about suicidal thoughts." not in html


def test_the_printout_names_the_patient_the_date_and_the_reference(client):
    html = results_html(client)
    sub = draft()
    header = re.search(r'<p class="print-only print-header">(.*?)</p>', html, re.S).group(1)
    assert "Alex Example" in header and sub.reference in header
    assert sub.submitted_at.strftime("%Y") in header
    css = (ROOT / "static/css/intake.css").read_text()
    assert ".print-header{position:fixed" in css  # repeated on every printed page


def test_every_page_has_a_favicon(client):
    html = client.get("/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/favicon\.svg"', html)
    assert (ROOT / "static/favicon.svg").is_file()
    # and a browser that asks for /favicon.ico anyway is sent to it
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.svg"


# --- weight and requests ------------------------------------------------------------------------

def test_html_is_compressed_and_a_first_visit_is_small(client):
    fill_until(client, stop="phq9")
    response = client.get(url("phq9"), HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    html = gzip.decompress(response.content).decode()
    assert "bootstrap" not in html
    css = [ROOT / "static" / path.removeprefix("/static/")
           for path in re.findall(r'href="(/static/[^"]+\.(?:css|svg))"', html)]
    transferred = len(response.content) + sum(len(gzip.compress(p.read_bytes())) for p in css)
    assert transferred <= 15 * 1024, transferred


def test_a_patient_page_writes_no_session(client):
    fill_until(client, stop="phq9")
    client.get(url("phq9"))  # the once-a-day renewal, if due
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url("phq9")).status_code == 200
    writes = [q["sql"] for q in queries if "django_session" in q["sql"]
              and not q["sql"].lstrip().upper().startswith("SELECT")]
    assert writes == []
