"""What makes the patient pages fast must not change what they do: the compiled draft and
session lookups give what the ORM gives, the catalog kept per process follows every change,
option labels are escaped as Django escapes them, and a question page asks the database for its
session and its draft and nothing else."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from intake.forms import ConsentForm, HealthForm, Phq9Form
from intake.layout import Group
from intake.medicine_choices import Menu, catalog_choices, full_menu
from intake.medicine_form import MedicineForm, MoreMedicinesForm
from intake.models import Medication, MedicationTrial, Submission, TherapyTried
from intake.reference import page_catalog
from intake.steps import THERAPIES_OF, _therapies
from intake.templatetags.intake_tags import (
    choices_html,
    field_info,
    select_html,
)
from intake.views import DRAFT_BY_PK, LOCKED_DRAFT, TRIAL_AT
from tests.intake_helpers import (
    ESCITALOPRAM_UNKNOWN_DOSE,
    SERTRALINE,
    fill_until,
    load_catalog,
    post,
    url,
)
from trdintake.compiled_query import CompiledQuery
from trdintake.sessions import SessionStore

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalog():
    load_catalog()


def values(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


# --- compiled lookups -----------------------------------------------------------------------

def test_the_compiled_draft_lookup_gives_what_the_orm_gives(client):
    sub = fill_until(client, stop="check")
    compiled = DRAFT_BY_PK.first(sub.pk)
    orm = Submission.objects.get(pk=sub.pk)
    assert values(compiled) == values(orm)
    assert compiled.phq9 == orm.phq9 and isinstance(compiled.phq9, list)  # JSON decoded
    assert compiled.updated_at.tzinfo is not None
    assert compiled._state.adding is False and compiled._state.db == "default"
    assert DRAFT_BY_PK.first(sub.pk + 1000) is None


def test_a_medicine_opened_to_change_is_the_patients_own_with_its_catalog_row(client):
    sub = fill_until(client, stop="check", medicines=(SERTRALINE, ESCITALOPRAM_UNKNOWN_DOSE))
    other = Client()
    fill_until(other, stop="check")
    for trial in MedicationTrial.objects.filter(submission=sub):
        compiled = TRIAL_AT.first(sub.pk, trial.position)
        assert values(compiled) == values(trial)  # every column, converted as the ORM does
    assert TRIAL_AT.first(sub.pk, 3) is None
    page = client.get(reverse("intake:medicine_edit", args=[2])).content.decode()
    assert '<option value="escitalopram" selected>' in page and "Change a medicine" in page
    # another patient's medicine at the same place, and places that do not exist: 404
    assert other.get(reverse("intake:medicine_edit", args=[2])).status_code == 404
    assert client.get(reverse("intake:medicine_edit", args=[3])).status_code == 404
    assert client.get("/intake/medicines/99999999999/").status_code == 404


def test_the_compiled_therapy_lookup_gives_what_prefetching_gives(client):
    sub = fill_until(client, stop="check")
    TherapyTried.objects.create(submission=sub, type="ipt", sessions=3, helped="no")
    compiled = _therapies(DRAFT_BY_PK.first(sub.pk))
    orm = Submission.objects.prefetch_related("therapies").get(pk=sub.pk).therapies.all()
    assert [values(t) for t in compiled] == [values(t) for t in orm] and len(orm) == 2
    assert all(t.submission.pk == sub.pk for t in compiled)
    # what the steps read is what the draft's related manager gives from then on
    draft = DRAFT_BY_PK.first(sub.pk)
    assert _therapies(draft) is draft.therapies.all()
    assert THERAPIES_OF.all(sub.pk + 1000) == []


def test_the_locked_lookup_finds_drafts_only(client):
    from django.db import transaction

    sub = fill_until(client, stop="check")
    with transaction.atomic():
        assert LOCKED_DRAFT.first(sub.pk).pk == sub.pk
    Submission.objects.filter(pk=sub.pk).update(status=Submission.Status.SUBMITTED)
    with transaction.atomic():
        assert LOCKED_DRAFT.first(sub.pk) is None


def test_a_marker_that_does_not_reach_the_sql_is_refused():
    ignoring = CompiledQuery(Submission, lambda pk: Submission.objects.filter(pk=7),
                             markers=(-1,))
    with pytest.raises(ValueError, match="marker"):
        ignoring.first(1)


def test_the_session_store_loads_live_sessions_and_not_expired_ones():
    live = SessionStore()
    live["submission_id"] = 42
    live.save()
    assert SessionStore(live.session_key).load() == {"submission_id": 42}

    Session.objects.filter(session_key=live.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(live.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # a new key on the next save, as Django's store does
    assert SessionStore("no-such-session-key-0123456789abcd").load() == {}


# --- the catalog kept per process -----------------------------------------------------------

def test_the_medicine_page_reads_the_catalog_once_until_it_changes(client):
    fill_until(client, stop="medicines")
    add = reverse("intake:medicine_add")
    client.get(add)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(add).status_code == 200
    assert not [q for q in queries if 'FROM "intake_medication"' in q["sql"]
                and "COUNT(*)" not in q["sql"]]

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


def test_the_medicine_select_draws_as_django_would_with_the_saved_answer_selected():
    catalog = page_catalog()
    menu = full_menu(catalog)
    form = MedicineForm({"medication": "sertraline"}, menu=menu, catalog=catalog)
    assert form.fields["medication"].choices is menu  # not normalized again
    drawn = str(select_html(menu, "sertraline"))
    assert drawn.count(" selected") == 1 and '<option value="sertraline" selected>' in drawn
    assert drawn.startswith('<option value="">Choose a medicine</option><optgroup label=')
    assert drawn.count("<optgroup") == drawn.count("</optgroup>") == len(list(menu)) - 1
    # nothing chosen yet: "Choose a medicine" is the one selected; the markup kept per language
    assert str(select_html(menu, "")).startswith('<option value="" selected>Choose a medicine')
    assert str(select_html(menu, "")).count(" selected") == 1
    assert list(menu.drawn) == ["en-us"]
    # a value not in the list (a hostile POST) selects nothing and is not stored anywhere
    assert " selected" not in str(select_html(menu, '"><script>'))
    # a search's menu (built per request) draws the same way
    found = Menu(catalog_choices(catalog.values(), {"sertraline"}))
    assert '<option value="sertraline" selected>' in str(select_html(found, "sertraline"))


def test_forms_share_choices_but_not_what_a_form_changes():
    first, second = MoreMedicinesForm(first=True), MoreMedicinesForm(first=False)
    assert first.fields["add_another"].label != second.fields["add_another"].label
    assert MoreMedicinesForm.base_fields["add_another"].label == second.fields["add_another"].label
    assert first.fields["add_another"].choices is second.fields["add_another"].choices

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


# --- option labels --------------------------------------------------------------------------

def test_option_labels_are_escaped_and_safe_labels_kept():
    lazy_label = lazy(lambda: "Less <than> 2 & more", str)()
    html = choices_html([("a\"b", lazy_label), ("2", mark_safe("<em>two</em>"))], "q", "id_q",
                        "radio", {'a"b'})
    assert 'value="a&quot;b" checked>' in html
    assert "Less &lt;than&gt; 2 &amp; more" in html
    assert "<em>two</em>" in html
    # the same lazy label, drawn again, comes from the per-language cache, still escaped
    assert "Less &lt;than&gt; 2 &amp; more" in choices_html([("1", lazy_label)], "q", "x",
                                                             "radio", set())


def test_the_pack_escapes_labels_hints_errors_and_values_once(client):
    """The pack's templates place texts that field_info escaped (intake_tags.safe_text):
    a medicine name staff typed, and a patient's own answer, come out as text."""
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


def test_radio_options_are_drawn_once_and_each_form_checks_its_own_answers():
    one = Phq9Form({"item1": "0"}, submission=Submission())
    two = Phq9Form({"item1": "3"}, submission=Submission())
    drawn_one = str(field_info(one["item1"])["options_html"])
    drawn_two = str(field_info(two["item1"])["options_html"])
    # the same options (shared choices, drawn once), each with its own answer checked
    assert drawn_one.count(" checked") == drawn_two.count(" checked") == 1
    assert 'id="id_item1_0" name="item1" type="radio" value="0" checked>' in drawn_one
    assert 'id="id_item1_3" name="item1" type="radio" value="3" checked>' in drawn_two
    assert drawn_one.replace(" checked", "") == drawn_two.replace(" checked", "")
    assert " checked" not in str(choices_html(one.fields["item1"].choices, "item1", "id_item1",
                                              "radio", {'"><script>'}))
    # other names and ids (a form prefix) are not served the first form's markup
    prefixed = str(choices_html(one.fields["item1"].choices, "p-item1", "id_p-item1", "radio",
                                set()))
    assert 'id="id_p-item1_0" name="p-item1"' in prefixed and 'name="item1"' not in prefixed
    # a form given choices of its own draws those, not the class's
    one.fields["item1"].choices = [("0", "Never <ever>"), ("1", "Sometimes")]
    own = str(choices_html(one.fields["item1"].choices, "item1", "id_item1", "radio", {"1"}))
    assert "Never &lt;ever&gt;" in own and own.count('type="radio"') == 2
    assert 'value="1" checked>' in own
    assert "Never &lt;ever&gt;" not in str(field_info(two["item1"])["options_html"])


def test_health_conditions_are_drawn_once_and_each_page_ticks_its_own_answers(client):
    fill_until(client, stop="health")
    post(client, "health", {"conditions": ["seizures"], "unsure": ["pregnancy"]})
    first = client.get(url("health")).content.decode()
    post(client, "health", {"conditions": ["none"]})
    second = client.get(url("health")).content.decode()

    def ticked(page):
        return sorted(re.findall(r'name="(conditions|unsure)" type="checkbox" value="(\w+)" '
                                 r'checked>', page))

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
    assert (f'id="id_unsure_0" name="unsure" type="checkbox" value="{code}"><label '
            f'class="choice__label" for="id_unsure_0">I am not sure<span class="visually-hidden">'
            f': {label}</span>') in second
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


# --- the parts of every page drawn once -----------------------------------------------------

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
