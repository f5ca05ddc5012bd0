"""Who may see and do what in the staff admin: anonymous, non-staff, reviewer, manager."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group

from intake.models import AuditEvent, Medication, Submission
from intake.staff import roles
from tests.admin_helpers import *  # noqa: F403 (fixtures)
from tests.admin_helpers import (
    CHANGELIST,
    PASSWORD,
    change_url,
    make_user,
    staff_login,
    totp_now,
    url,
)

pytestmark = pytest.mark.django_db

ADMIN_PAGES = ["/admin/", CHANGELIST, "/admin/intake/medication/", "/admin/intake/auditevent/"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_anonymous_visitors_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_anonymous_visitors_never_see_a_submission(client, submission):
    for path in (change_url(submission), url("print", submission)):
        response = client.get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        assert submission.full_name.encode() not in response.content
    response = client.post(change_url(submission), {"review_status": "new", "note": "hello"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not submission.notes.exists()


def test_non_staff_users_are_sent_to_login(client, submission):
    user = make_user("patient-ish", is_staff=False)
    client.force_login(user)
    for path in (*ADMIN_PAGES, change_url(submission)):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/admin/login/")
        assert submission.reference.encode() not in response.content


def test_reviewer_sees_submissions_but_not_the_audit_trail(reviewer_client, submission):
    assert reviewer_client.get(CHANGELIST).status_code == 200
    assert reviewer_client.get(change_url(submission)).status_code == 200
    assert reviewer_client.get(url("print", submission)).status_code == 200
    assert reviewer_client.get("/admin/intake/medication/").status_code == 200
    assert reviewer_client.get("/admin/intake/auditevent/").status_code == 403


def test_reviewer_gets_403_on_manager_actions(reviewer_client, submission, catalog):
    draft = __import__("intake.demo", fromlist=["x"]).create_submission(
        name="Demo Patient 02", submitted=False)
    for action, target in (("export_csv", submission), ("reassess_selected", submission),
                           ("delete_drafts", draft), ("delete_selected", draft)):
        response = reviewer_client.post(CHANGELIST, {
            "action": action, "_selected_action": [target.pk], "index": 0})
        assert response.status_code == 403, action
    assert reviewer_client.post(url("reassess", submission)).status_code == 403
    assert submission.assessments.count() == 1
    assert Submission.objects.filter(pk=draft.pk).exists()
    medication = Medication.objects.get(slug="sertraline")
    response = reviewer_client.post(f"/admin/intake/medication/{medication.pk}/change/", {
        "generic_name": "sertraline", "drug_class": "SSRI", "role": "antidepressant",
        "min_adequate_mg_per_day": "1"})
    assert response.status_code == 403
    medication.refresh_from_db()
    assert medication.min_adequate_mg_per_day == 50
    assert not AuditEvent.objects.filter(action__in=["exported", "reassessed",
                                                     "catalog_changed"]).exists()


def test_manager_can_reach_manager_pages(manager_client, submission):
    for path in ADMIN_PAGES + [change_url(submission)]:
        assert manager_client.get(path).status_code == 200, path
    medication = Medication.objects.get(slug="sertraline")
    assert manager_client.get(
        f"/admin/intake/medication/{medication.pk}/change/").status_code == 200


def test_nobody_adds_submissions_in_the_admin(manager_client, superuser, client):
    assert manager_client.get(CHANGELIST + "add/").status_code == 403
    staff_login(client, superuser)
    assert client.get(CHANGELIST + "add/").status_code == 403


def test_groups_are_created_by_migration_and_idempotent():
    before = {g.name: set(g.permissions.values_list("codename", flat=True))
              for g in Group.objects.filter(name__in=[roles.REVIEWERS, roles.MANAGERS])}
    assert set(before) == {roles.REVIEWERS, roles.MANAGERS}
    roles.ensure_groups()
    roles.ensure_groups()
    after = {g.name: set(g.permissions.values_list("codename", flat=True))
             for g in Group.objects.filter(name__in=[roles.REVIEWERS, roles.MANAGERS])}
    assert after == before
    assert Group.objects.filter(name=roles.MANAGERS).count() == 1
    assert "export_submission" in after[roles.MANAGERS]
    assert "export_submission" not in after[roles.REVIEWERS]
    assert {"change_submission", "add_staffnote"} <= after[roles.REVIEWERS]
    assert not any(code.startswith(("change_auditevent", "delete_auditevent", "delete_staffnote",
                                    "change_staffnote")) for codes in after.values()
                   for code in codes)


def test_staff_session_expires_after_idle_minutes(client, reviewer):
    response = client.post("/admin/login/?next=/admin/", {"username": "reviewer",
                                                           "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith("/admin/mfa/")
    assert client.post("/admin/mfa/", {"token": totp_now(reviewer),
                                       "next": "/admin/"}).status_code == 302
    assert client.session.get_expiry_age() <= settings.STAFF_SESSION_MINUTES * 60
    assert client.get("/admin/").status_code == 200


def test_staff_session_is_renewed_on_every_request(client, reviewer):
    """An idle timeout, not an absolute one: each staff request moves the expiry on (sessions
    are not saved on every request; StaffSessionMiddleware marks staff ones)."""
    import time_machine
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    staff_login(client, reviewer)  # password and second factor
    assert client.get("/admin/").status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(session_key=key).expire_date
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert client.get("/admin/").status_code == 200
    assert Session.objects.get(session_key=key).expire_date >= first + timedelta(minutes=19)


def test_a_patient_session_signed_into_by_staff_gets_the_short_expiry(client, reviewer, catalog):
    from tests.intake_helpers import post

    post(client, "consent")  # binds a draft: the patient session lasts RESUME_CODE_DAYS
    assert client.session.get_expiry_age() > settings.STAFF_SESSION_MINUTES * 60
    response = client.post("/admin/login/?next=/admin/", {"username": "reviewer",
                                                           "password": PASSWORD})
    assert response.status_code == 302
    client.get("/admin/")
    assert client.session.get_expiry_age() <= settings.STAFF_SESSION_MINUTES * 60


def test_login_is_locked_after_five_failures(client, reviewer):
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = client.post("/admin/login/", {"username": "reviewer", "password": "wrong"})
        # the form again with an error; the failure that reaches the limit locks at once
        assert response.status_code == (200 if attempt < settings.AXES_FAILURE_LIMIT else 429)
    # the 6th try is refused even with the right password
    response = client.post("/admin/login/", {"username": "reviewer", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username="reviewer").exists()
    assert client.get("/admin/").status_code == 302  # still not logged in
