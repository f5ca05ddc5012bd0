"""Managers run reviewers' accounts on the Staff page: add one (a set-up link, no password typed
by the manager), deactivate one, lift one account's lockout, reset one authenticator app; never
a manager's or a superuser's account. "Assigned to" offers only staff who can open submissions;
staff with no role see no counts of the queue; the lock-out page names the managers."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import AuditEvent, StaffSetupLink, Submission
from tests.admin_helpers import *  # noqa: F403 (fixtures)
from tests.admin_helpers import (
    PASSWORD,
    change_url,
    make_user,
    note_post,
    staff_login,
    verified_device,
)
from tests.live import LiveSite
from tests.test_staff_setup_link import LINK, log_in, set_up_through

pytestmark = pytest.mark.django_db

STAFF = "/admin/staff/"
ADD = "/admin/staff/add/"


def action_url(user, action: str) -> str:
    return f"{STAFF}{user.pk}/{action}/"


def lock_out(username: str, client: Client | None = None):
    """Wrong passwords until django-axes locks the account; the last page."""
    client = client or Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page = client.post("/admin/login/", {"username": username, "password": "wrong"})
    assert page.status_code == 429
    return page


def actions(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def row(html: str, user) -> str:
    return re.search(rf'<tr id="staff-{user.pk}">(.*?)</tr>', html, re.S).group(1)


# --- a manager runs reviewers' accounts ---------------------------------------------------------

def test_a_manager_adds_a_reviewer_who_signs_in_through_the_link(manager_client, manager):
    form = manager_client.get(ADD)
    assert form.status_code == 200 and 'name="password' not in form.content.decode()
    response = manager_client.post(ADD, {"username": "nadia", "first_name": "Nadia",
                                         "last_name": "Novak", "email": "nadia@clinic.test"})
    html = response.content.decode()
    assert response.status_code == 200 and "shown only here, this once" in html
    assert "choose their password" in html
    nadia = get_user_model().objects.get(username="nadia")
    assert nadia.is_staff and nadia.is_active and not nadia.is_superuser
    assert not nadia.has_usable_password()
    assert list(nadia.groups.values_list("name", flat=True)) == ["reviewers"]
    [created] = actions("staff_created")
    assert created.actor == manager and created.object_repr == "nadia"
    assert StaffSetupLink.objects.get(user=nadia).created_by == manager
    trail = manager_client.get("/admin/intake/auditevent/").content.decode()
    assert "Created a staff account" in trail and "Account nadia, by manager" in trail
    # the same username again: refused with the form's message, nothing added
    again = manager_client.post(ADD, {"username": "nadia", "first_name": "N",
                                      "email": "n@clinic.test"})
    assert again.status_code == 400 and "already exists" in again.content.decode()

    link = LINK.search(html).group(1)
    newcomer = Client()
    assert log_in(newcomer).status_code == 200  # no password yet: no log-in
    page = newcomer.get(link)
    assert page.status_code == 200 and "Choose your password" in page.content.decode()
    mismatch = newcomer.post(link, {"new_password1": PASSWORD, "new_password2": "other-1234"})
    assert mismatch.status_code == 400
    chosen = newcomer.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert chosen.status_code == 302 and chosen["Location"].startswith("/admin/login/")
    assert [e.object_repr for e in actions("account_opened")] == ["nadia"]
    done = set_up_through(newcomer, link)
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert newcomer.get("/admin/").status_code == 200
    assert [e.actor for e in actions("mfa_enrolled")] == [nadia]


def test_a_manager_deactivates_a_reviewer_who_then_cannot_log_in(client, manager, reviewer):
    reviewer_client = staff_login(Client(), reviewer)
    assert reviewer_client.get("/admin/").status_code == 200
    staff_login(client, manager)
    response = client.post(action_url(reviewer, "deactivate"))
    assert response.status_code == 302 and response["Location"] == STAFF
    reviewer.refresh_from_db()
    assert not reviewer.is_active  # kept, never deleted
    [event] = actions("staff_deactivated")
    assert event.actor == manager and event.object_repr == "reviewer"
    assert reviewer_client.get("/admin/")["Location"].startswith("/admin/login/")
    assert log_in(Client(), "reviewer").status_code == 200  # the form again: not logged in
    assert "No: deactivated" in row(client.get(STAFF).content.decode(), reviewer)


def test_a_manager_lifts_one_lockout_and_not_another(client, manager, reviewer):
    other = make_user("rafa", "reviewers")
    lock_out("reviewer")
    lock_out("rafa")
    staff_login(client, manager)
    html = client.get(STAFF).content.decode()
    assert "<strong>Locked out</strong>" in row(html, reviewer)
    assert "<strong>Locked out</strong>" in row(html, other)
    response = client.post(action_url(reviewer, "unlock"))
    assert response.status_code == 302
    [event] = actions("staff_unlocked")
    assert event.actor == manager and event.object_repr == "reviewer"
    assert log_in(Client(), "reviewer").status_code == 302  # the password works again
    assert log_in(Client(), "rafa").status_code == 429  # still locked
    html = client.get(STAFF).content.decode()
    assert "<strong>Locked out</strong>" in row(html, other)


def test_a_manager_resets_one_authenticator(client, manager, reviewer):
    old = verified_device(reviewer)
    untouched = verified_device(manager)
    staff_login(client, manager)
    response = client.post(action_url(reviewer, "reset-authenticator"))
    html = response.content.decode()
    assert response.status_code == 200 and LINK.search(html)
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert TOTPDevice.objects.filter(pk=untouched.pk).exists()
    link = StaffSetupLink.objects.get(user=reviewer)
    assert link.created_by == manager and link.used_at is None
    [reset] = actions("mfa_reset")
    assert reset.actor == manager and reset.object_repr == "reviewer"
    assert reset.detail["devices"] == 1


# --- who may manage whom ------------------------------------------------------------------------

def test_a_manager_cannot_manage_a_manager_a_superuser_or_themselves(client, manager, superuser):
    other = make_user("mona", "managers")
    for user in (other, superuser):
        verified_device(user)
    lock_out("mona")
    staff_login(client, manager)
    html = client.get(STAFF).content.decode()
    for user in (other, superuser, manager):
        assert "<form" not in row(html, user)
        for action in ("deactivate", "unlock", "reset-authenticator"):
            assert client.post(action_url(user, action)).status_code == 403
    assert all(u.is_active for u in get_user_model().objects.all())
    assert TOTPDevice.objects.filter(user__in=[other, superuser]).count() == 2
    assert log_in(Client(), "mona").status_code == 429
    assert not StaffSetupLink.objects.exists()
    assert not actions("staff_deactivated") and not actions("staff_unlocked")
    # nor issue them a set-up link in the set-up links' form
    form = client.get("/admin/intake/staffsetuplink/add/").content.decode()
    assert f'value="{other.pk}"' not in form and f'value="{superuser.pk}"' not in form
    assert client.post("/admin/intake/staffsetuplink/add/", {"user": other.pk}).status_code \
        == 200  # the form again: not a choice
    assert not StaffSetupLink.objects.exists()


def test_a_superuser_manages_a_manager(client, superuser, manager):
    staff_login(client, superuser)
    assert client.post(action_url(manager, "deactivate")).status_code == 302
    manager.refresh_from_db()
    assert not manager.is_active


def test_a_reviewer_cannot_reach_the_staff_page(reviewer_client, manager):
    assert reviewer_client.get(STAFF).status_code == 403
    assert reviewer_client.get(ADD).status_code == 403
    assert reviewer_client.post(ADD, {"username": "x", "first_name": "X",
                                      "email": "x@clinic.test"}).status_code == 403
    assert reviewer_client.post(action_url(manager, "deactivate")).status_code == 403
    assert "Staff accounts" not in reviewer_client.get("/admin/").content.decode()
    assert get_user_model().objects.filter(is_active=True).count() == 2


def test_the_dashboard_links_managers_to_the_staff_page(manager_client):
    assert f'href="{STAFF}"' in manager_client.get("/admin/").content.decode()


def test_an_unknown_action_or_account_is_a_404(manager_client, reviewer):
    assert manager_client.post(action_url(reviewer, "delete")).status_code == 404
    for pk in ("999999", "99999999999999999999999"):
        assert manager_client.post(f"{STAFF}{pk}/deactivate/").status_code == 404
    assert manager_client.get(action_url(reviewer, "deactivate")).status_code == 405


# --- "Assigned to", the queue's counts ----------------------------------------------------------

def test_assigned_to_offers_active_staff_who_can_open_submissions(
        manager_client, manager, reviewer, superuser, submission):
    make_user("norole")
    gone = make_user("gone", "reviewers")
    make_user("patientuser", is_staff=False)
    html = manager_client.get(change_url(submission)).content.decode()
    select = re.search(r'<select name="assigned_to".*?</select>', html, re.S).group(0)
    offered = set(re.findall(r'<option value="(\d+)"', select))
    assert offered == {str(manager.pk), str(reviewer.pk), str(superuser.pk), str(gone.pk)}
    # whoever has a case keeps it as a choice once deactivated: the form still saves
    Submission.objects.filter(pk=submission.pk).update(assigned_to=gone)
    gone.is_active = False
    gone.save()
    html = manager_client.get(change_url(submission)).content.decode()
    assert f'<option value="{gone.pk}" selected>' in html
    assert note_post(manager_client, submission, "Called, no answer.").status_code == 302


def test_staff_without_a_role_see_no_counts(client, manager, submission):
    Submission.objects.filter(pk=submission.pk).update(  # urgent, no contact for 3 hours
        safety_level="acute", flagged_at=timezone.now() - timedelta(hours=3),
        contacted_at=None)
    staff_login(client, make_user("norole"))
    html = client.get("/admin/").content.decode()
    assert "Waiting for contact" not in html and "queue-number" not in html
    assert "staff-banner" not in html and "no role yet" in html
    manager_html = staff_login(Client(), manager).get("/admin/").content.decode()
    assert "Waiting for contact" in manager_html and "queue-number" in manager_html
    assert "1 urgent intake has no contact recorded" in manager_html


# --- whom to ask --------------------------------------------------------------------------------

def test_the_lockout_and_lost_phone_pages_name_the_managers(manager, reviewer):
    make_user("mona", "managers")
    old = make_user("old", "managers")
    old.is_active = False
    old.save()
    words = "a manager (Manager Staff or Mona Staff) or an administrator"
    assert words in lock_out("reviewer").content.decode()
    newcomer = make_user("nadia", "reviewers")
    client = Client()
    response = log_in(client, newcomer.get_username())
    page = client.get(response["Location"]).content.decode()
    assert "Ask for a set-up link" in page and words in page


# --- on gunicorn --------------------------------------------------------------------------------

LIVE_STAFF = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice
from intake.staff import roles
roles.ensure_groups()
for name, group in (("mira", roles.MANAGERS), ("rita", roles.REVIEWERS),
                    ("ravi", roles.REVIEWERS)):
    user = get_user_model().objects.create_user(name, password="live-pass-123456789",
                                                is_staff=True)
    user.groups.add(Group.objects.get(name=group))
TOTPDevice.objects.create(user=get_user_model().objects.get(username="mira"), name="app",
                          confirmed=True, key="%s")
"""
LIVE_KEY = "3132333435363738393031323334353637383930"


def test_a_manager_lifts_one_lockout_on_gunicorn(tmp_path):
    from binascii import unhexlify

    from django_otp.oath import totp

    site = LiveSite.like_test_database(tmp_path).setup()
    site.manage("shell", "-c", LIVE_STAFF % LIVE_KEY)
    site.start()
    try:
        def log_in_live(browser, username):
            browser.request("/admin/login/")
            return browser.request("/admin/login/", {
                "username": username, "password": "live-pass-123456789", "next": "/admin/"})

        for name in ("rita", "ravi"):
            attacker = site.browser()
            attacker.request("/admin/login/")
            for _ in range(settings.AXES_FAILURE_LIMIT):
                status = attacker.request("/admin/login/", {"username": name,
                                                            "password": "wrong"})[0]
            assert status == 429
        mira = site.browser()
        status, location, _ = log_in_live(mira, "mira")
        assert status == 302 and "/admin/mfa/" in location
        mira.request("/admin/mfa/?next=/admin/")
        code = f"{totp(unhexlify(LIVE_KEY)):06d}"
        assert mira.request("/admin/mfa/", {"token": code, "next": "/admin/"})[:2] == \
            (302, "/admin/")
        status, _, html = mira.request(STAFF)
        assert status == 200 and html.count("<strong>Locked out</strong>") == 2
        unlock = re.search(r'action="(/admin/staff/\d+/unlock/)"', html.split("rita", 1)[1])
        assert mira.request(unlock.group(1), {})[:2] == (302, STAFF)
        assert log_in_live(site.browser(), "rita")[0] == 302
        assert log_in_live(site.browser(), "ravi")[0] == 429
    finally:
        site.teardown()
