"""Health answers never leave through logs, e-mails or addresses."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from tests.intake_helpers import PAGES, SERTRALINE, fill_until, load_catalog, post, url
from tests.task_helpers import run_tasks

pytestmark = pytest.mark.django_db

SECRET_ANSWERS = ("Alex Example", "alex@example.org", "sertraline", "Sertraline", "Zoloft",
                  "I hear voices at night")


def test_a_whole_intake_logs_no_answer(client, caplog, settings, mailoutbox):
    settings.CLINIC_ALERT_EMAILS = ["staff@clinic.example"]
    settings.ALERT_ON_EVERY_SUBMISSION = True
    load_catalog()
    caplog.set_level(logging.DEBUG)
    fill_until(client, stop="safety", medicines=(SERTRALINE,))
    post(client, "safety", {**PAGES["safety"], "asq_wished_dead": "yes"})
    post(client, "safety-now", {"asq_thoughts_now": "no"})
    post(client, "about-you", {**PAGES["about-you"], "email": "bad"})  # a 400 is logged
    client.post(reverse("intake:medicine_add"), SERTRALINE)
    client.post(reverse("intake:medicines"), {"add_another": "no"})
    for slug in ("therapy", "therapy-details", "other-treatments"):
        post(client, slug)
    post(client, "health", {"conditions": ["none"], "anything_else": SECRET_ANSWERS[-1]})
    response = client.post(reverse("intake:check"))
    assert response.status_code == 302
    run_tasks()  # the alerts, delivered by the task worker
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Bad Request" in logged  # the log is really captured
    sent = "\n".join(m.subject + m.body for m in mailoutbox)
    assert len(mailoutbox) == 2  # priority alert, then "new submission"
    for answer in SECRET_ANSWERS:
        assert answer not in logged
        assert answer not in sent
    assert "suicid" not in sent.lower() and "kill" not in sent.lower()


def test_no_page_address_carries_an_answer(client):
    load_catalog()
    fill_until(client)
    html = client.get(reverse("intake:check")).content.decode()
    links = [chunk.split('"', 1)[0] for chunk in html.split('href="')[1:]]
    assert links and all("Alex" not in link and "sertraline" not in link for link in links)
    assert all("?" not in link or link.endswith("?return=check") for link in links
               if link.startswith("/intake/"))
    assert url("health") + "?return=check" in links
