"""What makes the patient pages fast must not change what they do: the catalog kept per process
follows every change, the template pack escapes what it draws and draws each form's own answers
and widget attributes, and a question page asks the database for its session and its draft and
nothing else."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django import forms
from django.db import connection, transaction
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from intake.models import Medication, MedicationTrial, Submission
from intake.patient.fields import MemorableDateField, MemorableDateWidget
from intake.patient.forms import ConsentForm, HealthForm, Phq9Form
from intake.patient.layout import GovukBoundField, Group, helper
from intake.patient.medicine_choices import Menu, catalog_choices, full_menu
from intake.patient.medicine_form import MedicineForm, MoreMedicinesForm
from intake.patient.views.drafts import locked_draft
from intake.reference import page_catalog
from tests.intake_helpers import (
    ESCITALOPRAM_UNKNOWN_DOSE,
    SERTRALINE,
    fill_until,
    post,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]


def test_a_medicine_opened_to_change_is_the_patients_own_with_its_catalog_row(client):
    sub = fill_until(client, stop="check", medicines=(SERTRALINE, ESCITALOPRAM_UNKNOWN_DOSE))
    other = Client()
    fill_until(other, stop="check")
    assert MedicationTrial.objects.filter(submission=sub).count() == 2
    page = client.get(reverse("intake:medicine_edit", args=[2])).content.decode()
    assert '<option value="escitalopram" selected>' in page and "Change a medicine" in page
    # another patient's medicine at the same place, and places that do not exist: 404
    assert other.get(reverse("intake:medicine_edit", args=[2])).status_code == 404
    assert client.get(reverse("intake:medicine_edit", args=[3])).status_code == 404
    assert client.get("/intake/medicines/99999999999/").status_code == 404


def test_the_locked_lookup_finds_drafts_only(client):
    sub = fill_until(client, stop="check")
    with transaction.atomic():
        assert locked_draft(sub.pk).pk == sub.pk
    Submission.objects.filter(pk=sub.pk).update(status=Submission.Status.SUBMITTED)
    with transaction.atomic():
        assert locked_draft(sub.pk) is None


# --- the catalog kept per process -----------------------------------------------------------

def test_the_medicine_page_reads_the_catalog_once_until_it_changes(client):
    fill_until(client, stop="medicines")
    add = reverse("intake:medicine_add")
    client.get(add)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(add).status_code == 200
    assert not [q for q in queries if 'FROM "intake_medication"' in q["sql"]
                and "COUNT(" not in q["sql"]]  # only the version: how many, last changed

    # Staff rename a medicine in this process: the next page shows it.
    sertraline = Medication.objects.get(slug="sertraline")
    sertraline.generic_name = "sertraline (renamed)"
    sertraline.save()
    assert "sertraline (renamed)" in client.get(add).content.decode()

    # Another worker changes a row (no signal here): its newer updated_at moves the version.
    Medication.objects.filter(slug="fluoxetine").update(
        generic_name="fluoxetine (renamed)", updated_at=timezone.now() + timedelta(seconds=1))
    assert "fluoxetine (renamed)" in client.get(add).content.decode()

    # ... and a row deleted elsewhere changes the count.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM intake_medication WHERE slug = %s", ["fluoxetine"])
    assert 'value="fluoxetine"' not in client.get(add).content.decode()
    assert "fluoxetine" not in page_catalog()


def test_the_medicine_menu_is_built_once_per_catalog():
    catalog = page_catalog()
    menu = full_menu(catalog)
    assert full_menu(page_catalog()) is menu  # same catalog, same menu
    values = [v for _group, options in list(menu)[1:] for v, _label in options]
    assert values[-2:] == ["other", "unknown"] and "sertraline" in values
    assert list(menu)[0][0] == ""  # "Choose a medicine" first

    Medication.objects.filter(slug="sertraline").update(active=False)
    Medication.objects.get(slug="fluoxetine").save()  # a change this process hears of
    changed = full_menu(page_catalog())
    assert changed is not menu
    assert "sertraline" not in [v for _g, options in list(changed)[1:] for v, _l in options]


def test_a_saved_medicine_staff_made_inactive_is_still_offered_when_changed(client):
    fill_until(client, stop="check")
    Medication.objects.filter(slug="sertraline").update(active=False)
    Medication.objects.get(slug="fluoxetine").save()
    page = client.get(reverse("intake:medicine_edit", args=[1])).content.decode()
    assert '<option value="sertraline" selected>' in page
    # a new medicine is not offered it
    assert 'value="sertraline"' not in client.get(reverse("intake:medicine_add")).content.decode()


def drawn(form) -> str:
    """A form as its page draws it, through the govuk template pack."""
    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(
        Context({"form": form}))


def test_the_medicine_select_is_drawn_with_the_saved_answer_selected():
    catalog = page_catalog()
    menu = full_menu(catalog)

    def select(value):
        html = drawn(MedicineForm({"medication": value}, menu=menu, catalog=catalog))
        return html[html.index("<select"):html.index("</select>")]

    chosen = select("sertraline")
    assert chosen.count(" selected") == 1 and '<option value="sertraline" selected>' in chosen
    assert chosen.count("<optgroup") == chosen.count("</optgroup>") == len(menu) - 1
    # nothing chosen yet: "Choose a medicine" is the one selected
    assert '<option value="" selected>Choose a medicine</option>' in select("")
    assert select("").count(" selected") == 1
    # a value not in the list (a hostile POST) selects nothing and is not drawn anywhere
    assert " selected" not in select('"><script>') and "<script>" not in select('"><script>')
    # a search's menu (built per request) draws the same way
    found = Menu(catalog_choices(catalog.values(), {"sertraline"}))
    html = drawn(MedicineForm({"medication": "sertraline"}, menu=found, catalog=catalog))
    assert '<option value="sertraline" selected>' in html


def test_what_a_form_changes_stays_its_own():
    first, second = MoreMedicinesForm(first=True), MoreMedicinesForm(first=False)
    assert first.fields["add_another"].label != second.fields["add_another"].label
    assert MoreMedicinesForm.base_fields["add_another"].label == second.fields["add_another"].label

    one, two = Phq9Form(submission=Submission()), Phq9Form(submission=Submission())
    one.fields["item1"].widget.attrs["data-x"] = "1"
    one.fields["item1"].error_messages["required"] = "changed"
    one.fields["item1"].choices = [("0", "zero")]
    assert "data-x" not in two.fields["item1"].widget.attrs
    assert two.fields["item1"].error_messages["required"] != "changed"
    assert len(two.fields["item1"].choices) == 4 == len(two.fields["item1"].widget.choices)
    assert len(Phq9Form.base_fields["item1"].choices) == 4

    consent = ConsentForm({"age_ok": "maybe"}, submission=Submission())
    assert not consent.is_valid() and "age_ok" in consent.errors  # validation still uses them
    saved = MedicationTrial.Adherence.choices
    assert list(MedicineForm.base_fields["adherence"].choices) == list(saved)


# --- the template pack ----------------------------------------------------------------------

class Probe(forms.Form):
    """One field of each kind, each with an attribute of its own on its widget."""

    bound_field_class = GovukBoundField
    radio = forms.ChoiceField(label="Radio", choices=[("a\"b", "A"), ("2", "Two")],
                              widget=forms.RadioSelect(attrs={"data-probe": "radio"}))
    boxes = forms.MultipleChoiceField(
        label="Boxes", choices=[("1", "One")], required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"data-probe": "boxes", "class": "mine"}))
    box = forms.BooleanField(label="Box", required=False,
                             widget=forms.CheckboxInput(attrs={"data-probe": "box"}))
    pick = forms.ChoiceField(label="Pick", choices=[("", "Choose"), ("x", "X")],
                             widget=forms.Select(attrs={"data-probe": "pick"}))
    born = MemorableDateField(label="Born",
                              widget=MemorableDateWidget(attrs={"data-probe": "born"}))
    helper = helper("radio", "boxes", "box", "pick", "born")


def tags(html: str, name: str) -> list[str]:
    return re.findall(rf'<(?:input|select)[^>]* name="{name}"[^>]*>', html)


def test_widget_attributes_reach_the_page_for_every_kind_of_field():
    html = drawn(Probe())
    for name, probe in (("radio", "radio"), ("boxes", "boxes"), ("box", "box"),
                        ("pick", "pick"), ("born_month", "born"), ("born_day", "born"),
                        ("born_year", "born")):
        found = tags(html, name)
        assert found and all(f'data-probe="{probe}"' in tag for tag in found), name
    # the widget's class joins the pack's; the pack's ids and names are kept
    assert all('class="choice__input mine"' in tag for tag in tags(html, "boxes"))
    assert 'id="id_radio_1"' in html and 'id="id_born_year"' in html


def test_option_labels_and_values_are_escaped_and_safe_labels_kept():
    lazy_label = lazy(lambda: "Less <than> 2 & more", str)()
    form = Probe({"radio": 'a"b'})
    form.fields["radio"].choices = [('a"b', lazy_label), ("2", mark_safe("<em>two</em>"))]
    html = drawn(form)
    (checked,) = [tag for tag in tags(html, "radio") if " checked" in tag]
    assert 'value="a&quot;b"' in checked
    assert "Less &lt;than&gt; 2 &amp; more" in html
    assert "<em>two</em>" in html


def test_the_pack_escapes_labels_hints_errors_and_values_once(client):
    """A medicine name staff typed, and a patient's own answer, come out as text."""
    sertraline = Medication.objects.get(slug="sertraline")
    sertraline.generic_name = "sertraline <b>x</b>"
    sertraline.save()
    fill_until(client, stop="medicines")
    page = client.post(reverse("intake:medicine_add"), {
        "medication": "other", "other_name": "Zoloft", "dose": '1"><i>', "action": "save",
    }).content.decode()
    assert "<b>x" not in page and "<i>" not in page
    assert "Did you mean sertraline &lt;b&gt;x&lt;/b&gt; (Zoloft)?" in page  # the question
    assert page.count("meant sertraline &lt;b&gt;x&lt;/b&gt; (Zoloft)") == 2  # error, summary
    assert 'value="1&quot;&gt;&lt;i&gt;"' in page
    page = client.post(reverse("intake:medicine_add"), {
        "medication": "other", "other_name": '"><script>alert(1)</script>', "action": "save",
    }).content.decode()
    assert "<script>alert" not in page
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page
    # a group's legend and a lazy hint are escaped too, and drawn the same the second time
    group = Group(lazy(lambda: "Dose <b>", str)(), "dose", hint="Per <day>", css_id="d")
    form = MedicineForm(None, menu=full_menu(page_catalog()))
    for _ in range(2):
        form.rendered_fields = set()
        html = group.render(form, {})
        assert "Dose &lt;b&gt;" in html and "Per &lt;day&gt;" in html


def test_each_form_checks_its_own_answers():
    one = Phq9Form({"item1": "0"}, submission=Submission())
    two = Phq9Form({"item1": "3"}, submission=Submission())
    drawn_one, drawn_two = drawn(one), drawn(two)
    (checked_one,) = [tag for tag in tags(drawn_one, "item1") if " checked" in tag]
    (checked_two,) = [tag for tag in tags(drawn_two, "item1") if " checked" in tag]
    assert 'id="id_item1_0"' in checked_one and 'value="0"' in checked_one
    assert 'id="id_item1_3"' in checked_two and 'value="3"' in checked_two
    # a form given choices of its own draws those, not the class's
    own = Phq9Form({"item1": "1"}, submission=Submission())
    own.fields["item1"].choices = [("0", "Never <ever>"), ("1", "Sometimes")]
    html = drawn(own)
    assert "Never &lt;ever&gt;" in html and len(tags(html, "item1")) == 2
    assert "Never &lt;ever&gt;" not in drawn(Phq9Form(submission=Submission()))


def ticked(page) -> list[tuple[str, str]]:
    return sorted(re.findall(r'name="(conditions|unsure)" value="(\w+)"[^>]* checked>', page))


def test_health_conditions_each_have_a_not_sure_box_and_each_page_ticks_its_own(client):
    fill_until(client, stop="health")
    post(client, "health", {"conditions": ["seizures"], "unsure": ["pregnancy"]})
    first = client.get(url("health")).content.decode()
    post(client, "health", {"conditions": ["none"]})
    second = client.get(url("health")).content.decode()
    assert ticked(first) == [("conditions", "pregnancy"), ("conditions", "seizures"),
                             ("unsure", "pregnancy")]
    assert ticked(second) == [("conditions", "none")]

    def options(page):
        return page[page.index('<div class="checkboxes">'):page.index("</fieldset>")]

    assert options(first).replace(" checked", "") == options(second).replace(" checked", "")
    # each condition has its own "not sure" box under it, named for screen readers
    conditions = HealthForm.base_fields["unsure"].choices
    assert second.count('<div class="choice-unsure">') == len(conditions)
    code, label = conditions[0]
    assert re.search(rf'<input type="checkbox" name="unsure" value="{code}"[^>]* '
                     rf'id="id_unsure_0"[^>]*><label class="choice__label" for="id_unsure_0">'
                     rf'I am not sure<span class="visually-hidden">: {re.escape(str(label))}'
                     rf'</span>', second)
    assert second.index('<p class="choice-divider">or</p>') < second.index('value="none"')


def test_the_checkbox_none_option_comes_after_an_or(client):
    fill_until(client, stop="other-treatments")
    page = client.get(url("other-treatments")).content.decode()
    divider = page.index('<p class="choice-divider">or</p>')
    assert divider < page.index('value="none"')
    assert page.count('type="checkbox"') == page.count('class="choice__input"')


def test_the_section_caption_and_save_link_are_on_draft_pages_only(client):
    page = client.get(url("consent")).content.decode()
    assert "Save and come back later" not in page  # no draft yet: nothing to save
    fill_until(client, stop="check")
    for slug in ("depression", "phq9"):
        page = client.get(url(slug)).content.decode()
        assert '<p class="section-caption">Question section ' in page
        assert f'<p><a href="{reverse("intake:save")}">Save and come back later</a></p>' in page
    for path in (reverse("intake:medicine_add"), reverse("intake:check")):
        assert "Save and come back later" in client.get(path).content.decode()
    sub = Submission.objects.get()
    sub.status = Submission.Status.SUBMITTED
    sub.save(update_fields=["status"])
    assert "Save and come back later" not in client.get(
        reverse("intake:results", args=[sub.reference])).content.decode()


# --- what a question page asks the database -------------------------------------------------

def tables_read(client, slug: str) -> list[str]:
    """The tables a second visit to the page reads, in order (the first may fill caches)."""
    client.get(url(slug))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(slug)).status_code == 200
    return [q["sql"].split(" FROM ")[1].split()[0].strip('"') for q in queries]


def test_a_question_page_reads_its_session_and_its_draft_and_nothing_else(client):
    fill_until(client, stop="check")
    assert tables_read(client, "phq9") == ["django_session", "intake_submission"]


def test_a_page_after_talk_therapy_reads_the_therapies_once(client):
    fill_until(client, stop="check")
    assert tables_read(client, "health") == ["django_session", "intake_submission",
                                             "intake_therapytried"]


# --- the parts of every page kept in the cache ---------------------------------------------

def test_the_header_and_footer_follow_the_clinic_settings_and_hold_nothing_of_the_patient(
        client, settings):
    fill_until(client, stop="phq9")
    page = client.get(url("phq9")).content.decode()
    assert f'href="tel:{settings.CRISIS_LINE}"' in page and "Alex Example" not in page
    settings.CRISIS_LINE = "555-0199"
    settings.CLINIC_PHONE = "555-0123"
    for address in (url("phq9"), reverse("intake:start"), "/no-such-page/"):
        page = client.get(address).content.decode()
        assert 'href="tel:555-0199"' in page and "Clinic phone: 555-0123" in page
        assert page.count('class="crisis-banner"') == 1 and page.count("<footer") == 1
