"""Building blocks for patient-flow tests: valid answers for every page, and a walk through
the whole intake with the Django test client."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from intake.models import Submission
from intake.patient.steps import step_url

PAGES = {
    "consent": {"age_ok": "yes", "consent": "on"},
    "about-you": {"full_name": "Alex Example", "date_of_birth_month": "3",
                  "date_of_birth_day": "27", "date_of_birth_year": "1985",
                  "email": "alex@example.org", "phone": "", "contact_preference": "email"},
    "depression": {"episode_months": "14", "episode_count": "2", "first_episode_age": "24",
                   "hospital_stays": "no"},
    "history": {"bipolar_history": "no", "psychotic_symptoms": "never",
                "family_history": "unknown", "trauma": "prefer_not"},
    "phq9": {f"item{n}": v for n, v in enumerate("222212110", start=1)},
    "safety": {"asq_wished_dead": "no", "asq_better_off_dead": "no",
               "asq_thoughts_past_week": "no", "asq_ever_attempted": "no"},
    "therapy": {"types": ["cbt"]},
    "therapy-details": {"sessions_cbt": "12", "helped_cbt": "partly"},
    "other-treatments": {"tried": ["none"]},
    "health": {"conditions": ["none"], "anything_else": ""},
}

SERTRALINE = {"medication": "sertraline", "other_name": "", "dose": "150", "dose_unit": "mg",
              "duration_amount": "10", "duration_unit": "weeks", "adherence": "most_days",
              "improvement": "lt25", "current_episode": "yes", "stopped_because": "not_helping",
              "action": "save"}
ESCITALOPRAM_UNKNOWN_DOSE = {**SERTRALINE, "medication": "escitalopram", "dose": "",
                             "dose_unknown": "on", "improvement": "25to49"}


def url(slug: str) -> str:
    """The address of a question page (the safety-now question shares the safety page's)."""
    return step_url(slug)


def load_catalog():
    call_command("load_catalog", verbosity=0)


def post(client, slug, data=None, **extra):
    return client.post(url(slug), data if data is not None else PAGES[slug], **extra)


def fill_until(client, stop: str | None = None, medicines=(SERTRALINE,),
               start: str = "consent") -> Submission | None:
    """Answer every page in order from `start` until `stop` (not included); return the draft."""
    order = ["consent", "about-you", "depression", "history", "phq9", "safety", "medicines",
             "therapy", "therapy-details", "other-treatments", "health"]
    # other-treatments-helped is asked only after a treatment tried (PAGES tries none)
    for slug in order[order.index(start):]:
        if slug == stop:
            break
        if slug == "medicines":
            for medicine in medicines:
                response = client.post(reverse("intake:medicine_add"), medicine)
                assert response.status_code == 302, response.content.decode()[:3000]
            response = client.post(reverse("intake:medicines"), {"add_another": "no"})
        else:
            response = post(client, slug)
        assert response.status_code == 302, (slug, response.content.decode()[:3000])
    return Submission.objects.order_by("-pk").first()


def needs_concurrent_writers() -> None:
    """Skip, on SQLite, a test whose threads write to the test database at the same moment.

    The in-memory test database (SQLite shared cache) fails a second writer with 'table is
    locked' instead of waiting. On a SQLite file, as served, IMMEDIATE transactions make the
    writers take turns; tests/test_concurrency_live.py races them through gunicorn on both
    databases. These in-process races run on PostgreSQL."""
    if connection.vendor == "sqlite":
        pytest.skip("threads writing at once need a database that makes them wait "
                    "(PostgreSQL); the in-memory SQLite test database fails the second")


# A date of birth as the resume page's fields post it.
DOB = {"date_of_birth_month": "3", "date_of_birth_day": "27", "date_of_birth_year": "1985"}


def resume_code(client) -> str:
    """Save the draft for later and read the resume code off the page."""
    html = client.post(reverse("intake:save")).content.decode()
    start = html.index('class="resume-code"')
    return html[html.index(">", start) + 1:html.index("</p>", start)].strip()


def form_token(html: str) -> str:
    """The one-time token of the form on this page."""
    return re.search(r'name="client_token" value="([0-9a-f]{32})"', html).group(1)
