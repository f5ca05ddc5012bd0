"""Random and hostile POSTs to every patient page: never a 500, and what was saved stays.

A complete draft is built once per test; hypothesis then throws field names and values at each
page (real and made-up names; NUL bytes, huge strings, numbers, lists, unicode, markup). A
response that refuses the input must leave every saved answer exactly as it was.
"""

from __future__ import annotations

import pytest
from django.db.models import Model
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.models import MedicationTrial, Submission, TherapyTried
from intake.patient.forms import MedicineForm
from intake.patient.steps import STEPS
from tests.intake_helpers import PAGES, SERTRALINE, fill_until, load_catalog, url

pytestmark = pytest.mark.django_db

STEP_URLS = [url(s.slug) for s in STEPS if s.form is not None]
OTHER_URLS = [reverse("intake:medicine_add"), reverse("intake:medicine_edit", args=[1]),
              reverse("intake:medicines"), reverse("intake:resume"), reverse("intake:save")]
KNOWN_NAMES = sorted({name for data in PAGES.values() for name in data}
                     | set(MedicineForm.base_fields) | {"action", "search", "code"})

nasty_text = st.one_of(
    st.text(max_size=50),
    st.sampled_from(["", "\x00", "a\x00b", "-1", "0", "1e309", "NaN", "Infinity", "9" * 40,
                     "yes", "no", "none", "unknown", "other", "sertraline", "<script>x</script>",
                     "' OR 1=1 --", "2999-12-31", "0000-00-00", "../../etc/passwd"]),
    st.integers(min_value=-10**12, max_value=10**12).map(str),
    st.just("x" * 5000),
)
field_value = st.one_of(nasty_text, st.lists(nasty_text, max_size=4))
hostile_post = st.dictionaries(st.one_of(st.sampled_from(KNOWN_NAMES), st.text(max_size=20)),
                               field_value, max_size=12)


def snapshot() -> tuple:
    def rows(model: type[Model]):
        return sorted(map(repr, model.objects.values()))
    return rows(Submission), rows(MedicationTrial), rows(TherapyTried)


@pytest.fixture
def complete_draft(client):
    load_catalog()
    fill_until(client, medicines=(SERTRALINE,))
    return client


HYPOTHESIS = settings(max_examples=40, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])


@pytest.mark.parametrize("path", STEP_URLS + OTHER_URLS)
@HYPOTHESIS
@given(data=hostile_post)
def test_hostile_posts_never_500_and_never_lose_answers(complete_draft, path, data):
    before = snapshot()
    response = complete_draft.post(path, data)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert snapshot() == before


@pytest.mark.parametrize("path", STEP_URLS)
def test_oversized_and_overfull_posts_are_refused(complete_draft, path):
    before = snapshot()
    huge = complete_draft.post(path, {"full_name": "x" * (300 * 1024)})
    many = complete_draft.post(path, {f"field{i}": "x" for i in range(500)})
    # too large: refused unread (413); too many fields: 400, or a redirect for a page that
    # does not apply to this draft and reads nothing
    assert huge.status_code == 413 and many.status_code in (302, 400)
    assert snapshot() == before


@pytest.mark.parametrize(("field", "value"), [
    ("full_name", "Alex\x00Example"),
    ("full_name", "x" * 201),
    ("email", "alex@example.org\x00"),
    ("date_of_birth_year", "not a year"),
    ("date_of_birth_month", "13"),
    ("contact_preference", ["email", "phone"]),
])
def test_about_you_bad_values_keep_saved_answers(complete_draft, field, value):
    before = snapshot()
    response = complete_draft.post(url("about-you"), {**PAGES["about-you"], field: value})
    assert response.status_code == 400
    assert snapshot() == before


def test_wrong_content_type_is_refused_cleanly(complete_draft):
    before = snapshot()
    response = complete_draft.post(url("about-you"), b"\xff\xfe{not a form",
                                   content_type="application/json")
    assert response.status_code == 400
    assert snapshot() == before


def test_methods_other_than_get_and_post_are_405(complete_draft):
    for method in ("put", "delete", "patch"):
        assert getattr(complete_draft, method)(url("about-you")).status_code == 405
