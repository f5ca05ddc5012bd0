"""Medicine names understood however they are typed: the matcher itself, the search on the
medicine page, and "Did you mean ...?" for a typed "another medicine"."""

from __future__ import annotations

import csv
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse

from intake.models import Medication, MedicationTrial, Submission
from intake.patient.medicine_names import best_match, normalise, search
from tests.intake_helpers import SERTRALINE, fill_until, load_catalog
from tests.screening_helpers import CATALOG_PATH


def csv_meds():
    with CATALOG_PATH.open(newline="", encoding="utf-8") as handle:
        return [SimpleNamespace(slug=row["slug"], generic_name=row["generic_name"],
                                brand_list=[b.strip() for b in row["brand_names"].split(";")
                                            if b.strip()])
                for row in csv.DictReader(handle)]


MEDS = csv_meds()


@pytest.mark.parametrize(
    ("query", "slug"),
    [("sertaline", "sertraline"), ("Zoloft", "sertraline"), ("zolft", "sertraline"),
     ("SERT", "sertraline"), ("prozak", "fluoxetine"), ("Wellbutrin", "bupropion"),
     ("efexor", "venlafaxine"), ("  lexapro ", "escitalopram"), ("abilfy", "aripiprazole"),
     ("Zoloft 50mg", "sertraline"), ("prozac 20 mg capsules", "fluoxetine")],
)
def test_search_tolerates_typos_and_finds_brands(query, slug):
    result = search(MEDS, query)
    assert result.matched
    assert slug in result.slugs
    assert len(result.slugs) <= 3


def test_search_for_nothing_close_says_so_and_gives_the_closest():
    result = search(MEDS, "xyzzy")
    assert not result.matched
    assert len(result.closest) == 3 and len(result.slugs) == 3


@pytest.mark.parametrize(
    ("typed", "slug"),
    [("sertraline", "sertraline"), ("Sertaline", "sertraline"), ("Zoloft", "sertraline"),
     ("zoloft®", "sertraline"), ("Paxil CR", "paroxetine"), ("wellbutrin xl", "bupropion"),
     ("Cymbalta", "duloxetine"), ("citalopram", "citalopram"), ("Lexapro", "escitalopram"),
     # a dose or a form typed with the name is not part of it
     ("Zoloft 50mg", "sertraline"), ("sertraline 100 mg tablets", "sertraline"),
     ("Lexapro 2.5 mg", "escitalopram"), ("liothyronine 25 mcg", "liothyronine"),
     ("150mg Wellbutrin XL", "bupropion"), ("Cymbalta 60 capsules", "duloxetine")],
)
def test_best_match_exact_brand_or_small_typo(typed, slug):
    assert best_match(MEDS, typed).slug == slug


@pytest.mark.parametrize("typed", ["Zuranolone", "xyz", "St John's wort", "ket", "", "50 mg",
                                   "Zuranolone 50mg"])
def test_best_match_none_for_names_not_in_the_catalog(typed):
    assert best_match(MEDS, typed) is None


def test_normalise():
    assert normalise("  Zoloft®  50 ") == "zoloft 50"


# --- on the medicine page --------------------------------------------------------------------

@pytest.fixture
def medicines_page(client, db):
    load_catalog()
    fill_until(client, stop="medicines")
    return reverse("intake:medicine_add")


def test_search_with_a_typo_lists_the_medicine(client, medicines_page):
    html = client.post(medicines_page, {**SERTRALINE, "action": "search",
                                        "search": "sertaline"}).content.decode()
    assert 'value="sertraline"' in html and 'value="escitalopram"' not in html
    assert "medicines matching “sertaline”" in html


def test_search_without_a_match_says_so_plainly(client, medicines_page):
    html = client.post(medicines_page, {**SERTRALINE, "action": "search",
                                        "search": "xyzzy"}).content.decode()
    assert "No medicine in our list matches “xyzzy”" in html
    assert "medicines matching" not in html
    status = re.search(r'role="status">(.*?)</p>', html, re.S).group(1)
    assert status.count(",") >= 2  # the closest names are listed


@pytest.mark.parametrize("typed", ["Zoloft", "sertaline", "Zoloft 50mg tablets"])
def test_typed_name_of_a_catalog_medicine_asks_did_you_mean_then_stores_it(
        client, medicines_page, typed):
    other = {**SERTRALINE, "medication": "other", "other_name": typed}
    response = client.post(medicines_page, other)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Did you mean sertraline (Zoloft)?" in html
    assert not MedicationTrial.objects.exists()
    key = re.search(r'name="suggested_for" value="([^"]+)"', html).group(1)
    response = client.post(medicines_page, {**other, "suggested_for": key,
                                            "use_suggestion": "yes"})
    assert response.status_code == 302
    trial = MedicationTrial.objects.get()
    assert trial.kind == "catalog" and trial.medication.slug == "sertraline"
    assert trial.other_name == ""


def test_a_name_the_patient_keeps_is_stored_and_shown_to_staff_as_typed(
        client, medicines_page, admin_client):
    other = {**SERTRALINE, "medication": "other", "other_name": "Zoloft"}
    html = client.post(medicines_page, other).content.decode()
    key = re.search(r'name="suggested_for" value="([^"]+)"', html).group(1)
    assert client.post(medicines_page, {**other, "suggested_for": key,
                                        "use_suggestion": "no"}).status_code == 302
    trial = MedicationTrial.objects.get()
    assert (trial.kind, trial.other_name, trial.medication) == ("other", "Zoloft", None)


def test_changing_the_typed_name_asks_again(client, medicines_page):
    other = {**SERTRALINE, "medication": "other", "other_name": "Zoloft"}
    html = client.post(medicines_page, other).content.decode()
    key = re.search(r'name="suggested_for" value="([^"]+)"', html).group(1)
    response = client.post(medicines_page, {**other, "other_name": "Prozac",
                                            "suggested_for": key, "use_suggestion": "yes"})
    assert response.status_code == 400
    assert "Did you mean fluoxetine (Prozac)?" in response.content.decode()
    assert not MedicationTrial.objects.exists()


def test_a_name_not_in_the_catalog_is_not_questioned(client, medicines_page):
    response = client.post(medicines_page, {**SERTRALINE, "medication": "other",
                                            "other_name": "Zuranolone"})
    assert response.status_code == 302
    assert MedicationTrial.objects.get().other_name == "Zuranolone"


def test_inactive_medicines_are_not_suggested(client, medicines_page):
    Medication.objects.filter(slug="sertraline").update(active=False)
    response = client.post(medicines_page, {**SERTRALINE, "medication": "other",
                                            "other_name": "Zoloft"})
    assert response.status_code == 302


def _results(client) -> str:
    return client.get(client.post(reverse("intake:check"))["Location"]).content.decode()


def test_complete_answers_with_a_brand_name_confirmed_give_no_unknown_words(client,
                                                                           medicines_page):
    other = {**SERTRALINE, "medication": "other", "other_name": "Lexapro",
             "dose": "20"}
    html = client.post(medicines_page, other).content.decode()
    key = re.search(r'name="suggested_for" value="([^"]+)"', html).group(1)
    client.post(medicines_page, {**other, "suggested_for": key, "use_suggestion": "yes"})
    client.post(medicines_page, SERTRALINE)
    client.post(reverse("intake:medicines"), {"add_another": "no"})
    fill_until(client, stop=None, medicines=())
    html = _results(client)
    assert "may apply to you" in html
    assert "not known" not in html and "were not known" not in html


def test_a_medicine_not_in_the_catalog_says_the_clinic_will_check_the_dose(client,
                                                                           medicines_page):
    client.post(medicines_page, {**SERTRALINE, "medication": "other",
                                 "other_name": "Zuranolone"})
    client.post(medicines_page, SERTRALINE)
    client.post(reverse("intake:medicines"), {"add_another": "no"})
    fill_until(client, medicines=())
    html = _results(client)
    assert Submission.objects.get().trd_status == "unclear"
    assert "not known" not in html
    assert "Zuranolone in our list, so the clinic will check it" in html
    assert "The clinic will check the usual dose of this medicine." in html
