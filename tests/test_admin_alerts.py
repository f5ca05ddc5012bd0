"""Staff alerts, driven by a real patient flow: one e-mail per safety level rise (and one per
submission when configured), carrying only the reference, the level and the admin link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse

from intake.delivery import alerts, outbox
from intake.demo import create_submission
from intake.models import Alert, SafetyLevel, Submission
from tests.admin_helpers import *  # noqa: F403 (fixtures)
from tests.intake_helpers import PAGES, SERTRALINE, fill_until, load_catalog, post, url
from tests.task_helpers import run_tasks

pytestmark = pytest.mark.django_db

ALERT_TO = ["triage@clinic.example.org", "duty@clinic.example.org"]

# Nothing from the patient's answers may appear in an alert.
FORBIDDEN = re.compile(
    r"alex|example\.org(?!.*clinic)|1985|sertraline|zoloft|suicid|kill|dead|harm|phq|asq|"
    r"depress|medic|dose|mg\b|score|severe|moderate|trd status|may apply|episode|cbt",
    re.IGNORECASE,
)


@pytest.fixture(autouse=True)
def alert_settings(settings):
    settings.CLINIC_ALERT_EMAILS = ALERT_TO
    settings.SITE_URL = "https://intake.clinic.test"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    load_catalog()
    return settings


def finish(client, after: str):
    """Answer the pages after `after` and submit."""
    order = ["medicines", "therapy", "therapy-details", "other-treatments", "health"]
    for slug in order[order.index(after) + 1:] if after in order else order:
        if slug == "medicines":
            assert client.post(reverse("intake:medicine_add"), SERTRALINE).status_code == 302
            response = client.post(reverse("intake:medicines"), {"add_another": "no"})
        else:
            response = post(client, slug)
        assert response.status_code == 302, (slug, response.content.decode()[:2000])
    assert client.post(reverse("intake:check")).status_code == 302


def assert_health_free(message, sub: Submission):
    text = f"{message.subject}\n{message.body}"
    assert sub.reference in message.subject and sub.reference in message.body
    link = f"https://intake.clinic.test/admin/intake/submission/{sub.pk}/change/"
    assert link in message.body
    assert message.to == ALERT_TO
    assert not message.attachments and not getattr(message, "alternatives", None)
    without_link = text.replace(link, "").replace(sub.reference, "")
    assert not FORBIDDEN.search(without_link), FORBIDDEN.search(without_link).group(0)
    for value in (sub.full_name, sub.email, sub.date_of_birth.isoformat()):
        assert value.lower() not in text.lower()


def answer_safety(client, *, four_yes: bool, now: bool | None):
    data = {**PAGES["safety"]}
    if four_yes:
        data["asq_wished_dead"] = "yes"
    response = post(client, "safety", data)
    assert response.status_code == 302
    if now is not None:
        response = client.post(url("safety-now"),
                               {"asq_thoughts_now": "yes" if now else "no"})
        assert response.status_code == 302


def test_acute_flow_sends_one_alert_for_the_highest_level(client):
    sub = fill_until(client, stop="safety")
    answer_safety(client, four_yes=True, now=True)
    sub.refresh_from_db()
    assert sub.safety_level == SafetyLevel.ACUTE
    assert mail.outbox == []  # nothing is sent inside the patient's requests
    assert run_tasks() == 2
    # the priority alert, not yet sent when the flag turned urgent, is replaced: one e-mail
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "[TRD Clinic] Urgent intake to review now"]
    assert set(sub.alerts.values_list("kind", "status")) == {
        (Alert.Kind.PRIORITY, Alert.Status.REPLACED), (Alert.Kind.URGENT, Alert.Status.SENT)}
    finish(client, after="safety")
    run_tasks()
    assert len(mail.outbox) == 1  # submitting does not alert again
    assert_health_free(mail.outbox[0], sub)


def test_priority_flow_sends_one_alert(client):
    sub = fill_until(client, stop="safety")
    answer_safety(client, four_yes=True, now=False)
    # answering the same page again does not alert twice
    answer_safety(client, four_yes=True, now=False)
    finish(client, after="safety")
    run_tasks()
    sub.refresh_from_db()
    assert sub.safety_level == SafetyLevel.NON_ACUTE
    assert len(mail.outbox) == 1
    assert "Priority" in mail.outbox[0].subject
    assert_health_free(mail.outbox[0], sub)


def test_phq9_item9_alone_raises_priority(client):
    fill_until(client, stop="phq9")
    data = {**PAGES["phq9"], "item9": "1"}
    assert post(client, "phq9", data).status_code == 302
    run_tasks()
    sub = Submission.objects.get()
    assert sub.safety_level == SafetyLevel.NON_ACUTE
    assert len(mail.outbox) == 1
    assert_health_free(mail.outbox[0], sub)


def test_no_flag_no_alert_unless_every_submission(client, settings):
    sub = fill_until(client)
    assert client.post(reverse("intake:check")).status_code == 302
    assert run_tasks() == 0
    assert mail.outbox == []

    settings.ALERT_ON_EVERY_SUBMISSION = True
    client.cookies.clear()
    sub = fill_until(client)
    assert client.post(reverse("intake:check")).status_code == 302
    assert client.post(reverse("intake:check")).status_code == 302  # double submit
    run_tasks()
    sub.refresh_from_db()
    assert sub.is_submitted
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == f"[TRD Clinic] New intake submitted: {sub.reference}"
    assert_health_free(mail.outbox[0], sub)


def dashboard_undelivered(staff_client) -> int:
    """The dashboard's count of undelivered alerts (the banner's count is the same)."""
    html = staff_client.get("/admin/").content.decode()
    return int(re.search(r'queue-number">(\d+)</span> undelivered alerts', html).group(1))


def test_an_alert_not_delivered_two_minutes_after_it_was_raised_is_counted_tried_or_not(
        reviewer_client):
    """No worker runs, so the alert is never tried: the dashboard counts it as undelivered
    from two minutes after it was raised, until it is sent. A given-up alert counts at once."""
    sub = create_submission(name="Demo Patient 01", safety=SafetyLevel.ACUTE)
    with transaction.atomic():
        alert = alerts.queue(sub, Alert.Kind.URGENT, "https://intake.clinic.test")
    late = alert.created_at + outbox.UNDELIVERED_AFTER
    with time_machine.travel(late - timedelta(seconds=5), tick=False):
        assert dashboard_undelivered(reviewer_client) == 0
    with time_machine.travel(late, tick=False):
        assert dashboard_undelivered(reviewer_client) == 1
        assert "1 staff alert e-mail is not delivered" in \
            reviewer_client.get("/admin/intake/submission/").content.decode()
    with time_machine.travel(late + timedelta(minutes=20), tick=False):
        assert dashboard_undelivered(reviewer_client) == 1
        assert run_tasks() == 1
        assert dashboard_undelivered(reviewer_client) == 0
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.FAILED)
    assert dashboard_undelivered(reviewer_client) == 1
