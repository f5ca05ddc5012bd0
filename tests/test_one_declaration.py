"""A question is declared once, as a model field and a form field: the page saves what its form's
`Meta.fields` names, and Check your answers, the staff summary and the CSV export show it with
the form's label, without being told about it anywhere else."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from intake.models import Submission
from intake.patient.answers import questions, saved_fields
from intake.patient.fields import radios
from intake.patient.forms import DepressionForm
from intake.patient.steps import STEPS
from intake.staff.clinical_summary import CONTACT_PAGE, SHOWN_APART
from intake.staff.export import exported_questions
from tests.admin_helpers import *  # noqa: F403 (fixtures)
from tests.admin_helpers import CHANGELIST, change_url, create_submission, staff_login, url
from tests.intake_helpers import fill_until

pytestmark = pytest.mark.django_db

FORMS = [step.form for step in STEPS if step.form is not None]


def check_page(client) -> str:
    return client.get(reverse("intake:check")).content.decode()


def staff_page(client, sub) -> str:
    return client.get(change_url(sub)).content.decode()


def csv_rows(client, sub) -> list[list[str]]:
    response = client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [sub.pk]})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("form", FORMS, ids=lambda form: form.__name__)
def test_a_page_saves_what_its_form_declares(form):
    assert set(saved_fields(form)) <= {f.name for f in Submission._meta.get_fields()}
    for name, label in questions(form):
        assert name in saved_fields(form) and label == str(form.base_fields[name].label)


def test_every_question_shows_with_its_label_on_all_three(client, manager, catalog):
    sub = fill_until(client)
    sub.asq_thoughts_now = False  # shown only once asked: shown here on all three
    sub.save(update_fields=["asq_thoughts_now"])
    asked = [(step.slug, name, label) for step in STEPS if step.form is not None
             for name, label in questions(step.form)]
    assert len(asked) >= 20
    mine = check_page(client)
    staff_login(client, manager)
    staff = staff_page(client, sub)
    header, row = csv_rows(client, sub)
    exported = {name for _form, name, _label in exported_questions()}
    for slug, name, label in asked:
        assert f"<dt>{escape(label)}</dt>" in mine, label
        if name in SHOWN_APART:
            continue
        assert f'<th scope="row">{escape(label)}</th>' in staff, label
        if slug != CONTACT_PAGE and name in exported:
            assert header[header.index(name) + 1] == label
    # the CSV leaves out the contact details and free text, and nothing else
    assert {name for slug, name, _label in asked if slug != CONTACT_PAGE} - exported \
        == {"anything_else"}
    assert row[header.index("hospital_stays")] == "no"
    assert row[header.index("hospital_stays") + 1] == "No"
    assert row[header.index("asq_wished_dead")] == "no"


def test_a_question_added_to_a_form_appears_on_all_three(client, manager, catalog,
                                                         monkeypatch):
    sub = fill_until(client)
    sub.trauma = "yes"
    sub.save(update_fields=["trauma"])
    label = "Test-only question: have hard times stayed with you?"
    field = radios(label, Submission.Trauma.choices)
    monkeypatch.setitem(DepressionForm.base_fields, "trauma", field)
    monkeypatch.setattr(DepressionForm.Meta, "fields", (*DepressionForm.Meta.fields, "trauma"))
    mine = check_page(client)
    depression = mine[mine.index("Your depression"):mine.index("Your health history")]
    assert f"<dt>{escape(label)}</dt>\n<dd>Yes</dd>" in depression
    staff_login(client, manager)
    staff = staff_page(client, sub)
    assert f'<th scope="row">{escape(label)}</th><td><strong>Yes</strong></td>' in staff
    header, row = csv_rows(client, sub)
    assert label in header and row[header.index(label)] == "Yes"


def test_check_your_answers_words_each_kind_of_answer(client, catalog):
    sub = fill_until(client)
    Submission.objects.filter(pk=sub.pk).update(
        episode_months=None, episode_months_unknown=True, other_diagnoses=["ptsd", "adhd"],
        phone="")
    html = check_page(client)
    assert "<dt>How many months has this episode of depression lasted?</dt>\n" \
           "<dd>I don&#x27;t know</dd>" in html  # the box folded into the answer
    assert "<dd>March 27, 1985</dd>" in html  # a date
    assert "<dt>Phone number (optional)</dt>\n<dd>Not provided</dd>" in html
    assert "Post-traumatic stress disorder (PTSD), " in html  # a list, by the choices' labels
    assert "<dt>In the past few weeks, have you wished you were dead?</dt>\n<dd>No</dd>" in html


def test_the_change_page_reads_the_submission_once(reviewer_client, catalog):
    sub = create_submission(name="Demo Patient 31", safety="acute")
    table = Submission._meta.db_table
    for address in (change_url(sub), url("print", sub)):
        with CaptureQueriesContext(connection) as queries:
            response = reviewer_client.get(address)
        assert response.status_code == 200
        reads = [q["sql"] for q in queries.captured_queries
                 if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
                 and f'"{table}"."id" = ' in q["sql"]]
        assert len(reads) == 1, reads
    html = reviewer_client.get(change_url(sub)).content.decode()
    born = sub.date_of_birth.strftime("%-d %b %Y")
    assert f'<th scope="row">Date of birth</th><td>{born} (' in html  # with the age beside it
    sub.refresh_from_db()
    assert sub.first_viewed_at is not None  # the first view still recorded


def test_staff_cannot_change_any_answer_a_page_saves(reviewer_client, catalog):
    """What the pages save is read-only on the staff form: a forged POST of every one changes
    nothing (the "not sure" health answers included)."""
    sub = create_submission(name="Demo Patient 32", health=("seizures",))
    before = Submission.objects.filter(pk=sub.pk).values().get()
    forged = {name: "" for form in FORMS for name in saved_fields(form)}
    forged.update(health_unsure='["seizures"]', phq9="[0,0,0,0,0,0,0,0,0]")
    response = reviewer_client.post(change_url(sub), {
        "review_status": sub.review_status, "assigned_to": "", **forged})
    assert response.status_code == 302
    after = Submission.objects.filter(pk=sub.pk).values().get()
    assert {k for k in before if before[k] != after[k]} == set()
