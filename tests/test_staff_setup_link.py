"""Staff sign-in: an authenticator app is set up only through a one-time set-up link issued by
a manager or a superuser (valid 24 hours, used once, stored as a hash, audited) together with
the password; the password alone never reaches the set-up. Failed logins are recorded with the
address the lockout uses."""

from __future__ import annotations

import hashlib
import re
from base64 import b32decode
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from intake.models import AuditEvent, StaffSetupLink
from tests.admin_helpers import *  # noqa: F403 (fixtures)
from tests.admin_helpers import PASSWORD, make_user, staff_login
from tests.live import LiveSite

pytestmark = pytest.mark.django_db

ADD = "/admin/intake/staffsetuplink/add/"
LIST = "/admin/intake/staffsetuplink/"
LINK = re.compile(r"(?:https?://[^/\s<]+)?(/admin/set-up/[A-Za-z0-9_-]+/)")


@pytest.fixture
def newcomer(db):
    """A new reviewer: a password, no authenticator app yet."""
    return make_user("nadia", "reviewers")


def issued_by_command(username: str, command: str = "staff_setup_link") -> str:
    from io import StringIO

    out = StringIO()
    call_command(command, username, stdout=out)
    return LINK.search(out.getvalue()).group(1)


def log_in(client, username: str = "nadia"):
    return client.post("/admin/login/?next=/admin/", {"username": username,
                                                      "password": PASSWORD, "next": "/admin/"})


def code_from(html: str) -> str:
    key = re.search(r'class="mfa-secret">([A-Z2-7]+)<', html).group(1)
    return f"{TOTP(b32decode(key + '=' * (-len(key) % 8))).token():06d}"


def set_up_through(client, link: str, username: str = "nadia"):
    """Open the link, log in, read the key off the set-up page and enter its code."""
    response = client.get(link)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = log_in(client, username)
    assert response.status_code == 302 and response["Location"].startswith("/admin/mfa/")
    page = client.get(response["Location"])
    assert page.status_code == 200, page.content.decode()[:2000]
    html = page.content.decode()
    assert "Set up your authenticator app" in html
    return client.post("/admin/mfa/", {"token": code_from(html), "next": "/admin/"})


def actions(action: str):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


# --- issuing ---------------------------------------------------------------------------------

def test_a_manager_issues_a_link_shown_once_and_kept_only_as_a_hash(manager_client, manager,
                                                                    newcomer, superuser):
    form = manager_client.get(ADD).content.decode()
    assert "nadia" in form and "boss" not in form  # a manager cannot pick a superuser
    response = manager_client.post(ADD, {"user": newcomer.pk})
    html = response.content.decode()
    assert response.status_code == 200 and "shown only here, this once" in html
    path = LINK.search(html).group(1)
    token = path.rstrip("/").rsplit("/", 1)[1]
    link = StaffSetupLink.objects.get()
    assert link.user == newcomer and link.created_by == manager and link.used_at is None
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert timedelta(hours=23, minutes=59) < link.expires_at - link.created_at <= \
        timedelta(hours=24, seconds=1)
    [issued] = actions("setup_link_issued")
    assert issued.actor == manager and issued.object_repr == "nadia"
    assert token not in str(issued.detail)
    listing = manager_client.get(LIST).content.decode()
    assert "Not used yet" in listing and token not in listing
    trail = manager_client.get("/admin/intake/auditevent/").content.decode()
    assert f"Set-up link #{link.pk} for nadia, issued by manager" in trail
    # a superuser is not offered to a manager, and cannot be chosen by posting the id
    assert manager_client.post(ADD, {"user": superuser.pk}).status_code == 200
    assert StaffSetupLink.objects.count() == 1


def test_a_reviewer_cannot_issue_a_link(reviewer_client, newcomer):
    assert reviewer_client.get(ADD).status_code == 403
    assert reviewer_client.post(ADD, {"user": newcomer.pk}).status_code == 403
    assert reviewer_client.get(LIST).status_code == 403
    assert "set-up link" not in reviewer_client.get("/admin/").content.decode().lower()
    assert not StaffSetupLink.objects.exists()


def test_a_superuser_issues_links_for_anyone_from_the_users_page(client, superuser, manager):
    staff_login(client, superuser)
    page = client.get(f"/admin/auth/user/{manager.pk}/change/").content.decode()
    assert f'href="{ADD}?user={manager.pk}">Issue a set-up link' in page
    form = client.get(f"{ADD}?user={manager.pk}").content.decode()
    assert f'<option value="{manager.pk}" selected>' in form
    assert client.post(ADD, {"user": manager.pk}).status_code == 200
    assert StaffSetupLink.objects.get().created_by == superuser


def test_the_commands_print_a_link_and_the_reset_removes_the_old_app(reviewer):
    TOTPDevice.objects.create(user=reviewer, name="lost phone", confirmed=True)
    path = issued_by_command("reviewer", "staff_mfa_reset")
    assert not TOTPDevice.objects.filter(user=reviewer).exists()
    assert [e.object_repr for e in actions("mfa_reset")] == ["reviewer"]
    [first] = StaffSetupLink.objects.all()
    assert first.created_by is None and path.startswith("/admin/set-up/")
    issued_by_command("reviewer")
    assert StaffSetupLink.objects.count() == 2
    assert Client().get(path).status_code == 404  # the newer link replaced it
    with pytest.raises(CommandError, match="No user named"):
        call_command("staff_setup_link", "nobody")


# --- using a link ----------------------------------------------------------------------------

def test_the_password_alone_never_reaches_the_set_up(client, newcomer):
    response = log_in(client)
    assert response.status_code == 302 and response["Location"].startswith("/admin/mfa/")
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 403
    assert "Ask for a set-up link" in html and "a manager of the clinic or an administrator" in html
    assert "data:image/svg+xml" not in html and "mfa-secret" not in html
    assert client.post("/admin/mfa/", {"token": "123456"}).status_code == 403
    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    assert client.get("/admin/").status_code == 302


def test_a_link_and_the_password_set_up_the_app_once(client, newcomer):
    path = issued_by_command("nadia")
    late = Client()
    late.get(path)  # opened in a second browser, not finished there
    response = set_up_through(client, path)
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert client.get("/admin/").status_code == 200
    device = TOTPDevice.objects.get(user=newcomer)
    assert device.confirmed
    link = StaffSetupLink.objects.get()
    assert link.used_at is not None
    [enrolled] = actions("mfa_enrolled")
    assert enrolled.actor == newcomer and enrolled.detail["link"] == link.pk
    # used: the link is refused, and the other browser that opened it gets no set-up page
    again = Client().get(path)
    assert again.status_code == 404 and "This set-up link does not work" in again.content.decode()
    log_in(late)
    html = late.get("/admin/mfa/").content.decode()
    assert "mfa-secret" not in html and "Enter your sign-in code" in html
    assert TOTPDevice.objects.filter(user=newcomer).count() == 1


def test_a_link_works_for_24_hours(client, newcomer):
    path = issued_by_command("nadia")
    now = timezone.now()
    with time_machine.travel(now + timedelta(hours=24, minutes=1)):
        response = Client().get(path)
        assert response.status_code == 404
        assert "more than 24 hours old" in response.content.decode()
    with time_machine.travel(now + timedelta(hours=23, minutes=58)):
        client.get(path)
        log_in(client)
        html = client.get("/admin/mfa/").content.decode()
        assert "Set up your authenticator app" in html
    with time_machine.travel(now + timedelta(hours=24, minutes=1)):  # the code typed too late
        response = client.post("/admin/mfa/", {"token": code_from(html)})
        assert response.status_code == 403 and "Ask for a set-up link" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=newcomer, confirmed=True).exists()
    assert StaffSetupLink.objects.get().used_at is None


def test_a_link_opened_by_someone_else_sets_nothing_up_for_them(client, newcomer, reviewer):
    path = issued_by_command("nadia")
    client.get(path)
    log_in(client, "reviewer")  # another account, in the browser that opened the link
    html = client.get("/admin/mfa/").content.decode()
    assert "mfa-secret" not in html
    assert StaffSetupLink.objects.get().used_at is None
    assert not TOTPDevice.objects.filter(user=newcomer).exists()


def test_a_new_phone_replaces_the_old_app(client, newcomer):
    old = TOTPDevice.objects.create(user=newcomer, name="old phone", confirmed=True)
    set_up_through(client, issued_by_command("nadia"))
    assert list(TOTPDevice.objects.filter(user=newcomer)) != [old]
    assert TOTPDevice.objects.filter(user=newcomer).count() == 1


# --- the address a failed login is recorded with ------------------------------------------------

def test_failed_logins_and_the_lockout_name_the_same_client_address(client, reviewer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": "reviewer", "password": "wrong"},
                    REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    [attempt] = AccessAttempt.objects.all()
    assert attempt.ip_address == "203.0.113.7"
    failed = actions("login_failed")
    assert failed and {e.detail["client"] for e in failed} == {"203.0.113.7"}
    assert [e.detail["client"] for e in actions("locked_out")] == ["203.0.113.7"]


# --- on the production server ----------------------------------------------------------------

NEW_STAFF = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from intake.staff import roles
roles.ensure_groups()
for name in ("lina", "omar"):
    user = get_user_model().objects.create_user(name, password="live-pass-123456789",
                                                is_staff=True)
    user.groups.add(Group.objects.get(name=roles.REVIEWERS))
"""


def test_signing_in_with_a_set_up_link_on_gunicorn(tmp_path):
    site = LiveSite.like_test_database(tmp_path).setup()
    site.manage("shell", "-c", NEW_STAFF)
    path = LINK.search(site.manage("staff_setup_link", "lina")).group(1)
    site.start()
    try:
        lina, omar = site.browser(), site.browser()
        status, location, _ = lina.request(path)
        assert status == 302 and location.startswith("/admin/login/")
        lina.request("/admin/login/")
        status, location, _ = lina.request("/admin/login/", {
            "username": "lina", "password": "live-pass-123456789", "next": "/admin/"})
        assert status == 302 and "/admin/mfa/" in location, (status, location)
        status, _, html = lina.request("/admin/mfa/?next=/admin/")
        assert status == 200 and "Set up your authenticator app" in html
        assert lina.request("/admin/mfa/", {"token": code_from(html), "next": "/admin/"})[:2] \
            == (302, "/admin/")
        assert lina.request("/admin/")[0] == 200
        assert site.browser().request(path)[0] == 404  # used once
        # the password alone: told to ask for a link
        omar.request("/admin/login/")
        status, location, _ = omar.request("/admin/login/", {
            "username": "omar", "password": "live-pass-123456789", "next": "/admin/"})
        assert status == 302 and "/admin/mfa/" in location
        status, _, html = omar.request("/admin/mfa/?next=/admin/")
        assert status == 403 and "Ask for a set-up link" in html and "mfa-secret" not in html
    finally:
        site.teardown()
