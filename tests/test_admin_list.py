"""The submission list: triage order, columns, filters, search, and a constant query count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from intake.models import ReviewStatus, SafetyLevel, Submission
from tests.admin_helpers import *  # noqa: F403 (fixtures)
from tests.admin_helpers import CHANGELIST, create_submission

pytestmark = pytest.mark.django_db

REFERENCE = re.compile(r'<th class="field-reference"><a href="[^"]*">(TRD-[A-Z0-9-]+)</a>')


def listed(response) -> list[str]:
    assert response.status_code == 200
    return REFERENCE.findall(response.content.decode())


@pytest.fixture
def mix(catalog):
    now = timezone.now()

    def make(n, hours_ago, **kw):
        return create_submission(name=f"Demo Patient {n:02d}",
                                 when=now - dt.timedelta(hours=hours_ago), **kw)

    return {
        "newest": make(1, 1),
        "old_urgent": make(2, 50, safety=SafetyLevel.ACUTE),
        "priority": make(3, 20, safety=SafetyLevel.NON_ACUTE),
        "reviewed_urgent": make(4, 2, safety=SafetyLevel.ACUTE,
                                review_status=ReviewStatus.CONTACTED),
        "opened_urgent": make(8, 60, safety=SafetyLevel.ACUTE,
                              review_status=ReviewStatus.IN_REVIEW),
        "older": make(5, 30, trials=()),
        "draft": make(6, 3, submitted=False),
        "new_urgent": make(7, 10, safety=SafetyLevel.ACUTE),
    }


def test_uncontacted_urgent_first_then_priority_then_newest(reviewer_client, mix):
    """Urgent and priority cases stay on top until staff record contact ("in review" is not
    enough), the longest wait first; then everything else, newest first."""
    order = listed(reviewer_client.get(CHANGELIST))
    expected = [mix[k].reference for k in ("opened_urgent", "old_urgent", "new_urgent",
                                           "priority", "newest", "reviewed_urgent", "draft",
                                           "older")]
    assert order == expected


def test_columns(reviewer_client, mix):
    html = reviewer_client.get(CHANGELIST).content.decode()
    assert '<span class="safety-badge safety-acute">Urgent</span>' in html
    assert '<span class="safety-badge safety-priority">Priority</span>' in html
    assert "Draft" in html and "saved " in html
    assert "May apply" in html and "2 / 0" in html
    assert '<span class="list-note">moderate</span>' in html  # PHQ-9 band
    assert "In review" in html
    assert "Not yet" in html  # flagged and never opened
    for header in ("Reference", "Submitted", "Safety", "TRD status", "Confirmed / possible",
                   "PHQ-9", "MSM (approx.)", "Review status", "Assigned to"):
        assert header in html, header
    # names and answers are not on the list
    assert "Demo Patient" not in html


@pytest.mark.parametrize(("query", "keys"), [
    ("safety_level__exact=acute", {"old_urgent", "reviewed_urgent", "new_urgent",
                                   "opened_urgent"}),
    ("safety_level__exact=non_acute", {"priority"}),
    ("status__exact=draft", {"draft"}),
    ("review_status__exact=in_review", {"opened_urgent"}),
    ("trd_status__exact=not_met", {"older"}),
    ("assigned=nobody", {"newest", "old_urgent", "priority", "reviewed_urgent", "older", "draft",
                         "new_urgent", "opened_urgent"}),
    ("submitted_at__isnull=True", {"draft"}),
])
def test_filters(reviewer_client, mix, query, keys):
    assert set(listed(reviewer_client.get(f"{CHANGELIST}?{query}"))) == {
        mix[k].reference for k in keys}


def test_date_filter(reviewer_client, mix):
    since = (timezone.now() - dt.timedelta(hours=15)).isoformat()
    response = reviewer_client.get(CHANGELIST, {"submitted_at__gte": since})
    assert set(listed(response)) == {mix[k].reference for k in ("newest", "reviewed_urgent",
                                                                "new_urgent")}


def test_search_by_reference_name_and_email(reviewer_client, mix):
    target = mix["priority"]
    for term in (target.reference, target.reference.lower(), target.reference[4:],
                 "Demo Patient 03", target.email):
        assert listed(reviewer_client.get(CHANGELIST, {"q": term})) == [target.reference], term
    assert listed(reviewer_client.get(CHANGELIST, {"q": "TRD-ZZZZ-ZZZZ"})) == []


def _bulk(n: int, start: int = 0) -> None:
    now = timezone.now()
    Submission.objects.bulk_create([
        Submission(reference=f"TRD-BULK-{i:04d}", status="submitted", submitted_at=now,
                   safety_level=["none", "non_acute", "acute"][i % 3], trd_status="may_apply",
                   confirmed_count=2, possible_count=0, phq9_total=14, phq9_band="moderate",
                   msm_total=7)
        for i in range(start, start + n)
    ])


def _count_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(CHANGELIST).status_code == 200
    return len(captured)


def test_changelist_query_count_does_not_grow_with_rows(manager_client, manager, catalog,
                                                        django_assert_max_num_queries):
    _bulk(10)
    small = _count_queries(manager_client)
    Submission.objects.update(assigned_to=manager)  # the assigned column is in the same query
    _bulk(190, start=10)
    Submission.objects.filter(assigned_to__isnull=True).update(assigned_to=manager)
    large = _count_queries(manager_client)
    assert small == large
    with django_assert_max_num_queries(small):
        manager_client.get(CHANGELIST + "?safety_level__exact=acute")
    # the list, its count, the user and session, the second factor's device and the two
    # banner counts (flagged cases with no contact recorded, undelivered alerts)
    assert small <= 12
