"""Users, groups and submissions for the staff-side (admin) tests."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from intake.demo import create_submission
from intake.models import Submission
from intake.staff import roles

PASSWORD = "correct-horse-battery-staple-42"
CHANGELIST = "/admin/intake/submission/"


def verified_device(user):
    """A confirmed authenticator app (TOTP device) for this user."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return (TOTPDevice.objects.filter(user=user, confirmed=True).first()
            or TOTPDevice.objects.create(user=user, name="Test app", confirmed=True))


def staff_login(client, user):
    """Log a staff user in as after password and second factor (the suite runs with
    STAFF_MFA_REQUIRED on, as in production): a session bound to a confirmed TOTP device."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = verified_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def totp_now(user) -> str:
    """The code the user's authenticator app shows now."""
    from django_otp.oath import TOTP

    device = verified_device(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def make_user(username: str, group: str | None = None, *, is_staff: bool = True,
              is_superuser: bool = False):
    groups = roles.ensure_groups()
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, is_staff=is_staff, is_superuser=is_superuser,
        first_name=username.capitalize(), last_name="Staff")
    if group:
        user.groups.add(groups[group])
    return user


def change_url(sub: Submission) -> str:
    return reverse("admin:intake_submission_change", args=[sub.pk])


def note_post(client, sub: Submission, text: str, **fields):
    """Press Save on the review form with a note typed (status and assignment as they are)."""
    sub.refresh_from_db()
    data = {"review_status": sub.review_status, "assigned_to": sub.assigned_to_id or "",
            "initial-review_status": sub.review_status,
            "initial-assigned_to": sub.assigned_to_id or "", "note": text, **fields}
    return client.post(change_url(sub), data)


def answers_data(sub: Submission, **changes) -> dict:
    """A superuser's review form with every patient answer as stored, and `changes` typed over
    them (status and assignment as they are)."""
    data = {"review_status": sub.review_status, "assigned_to": sub.assigned_to_id or ""}
    for name in ("privacy_notice_version", "email", "phone", "contact_preference",
                 "episode_count", "hospital_stays", "bipolar_history", "psychotic_symptoms",
                 "family_history", "trauma", "anything_else", "full_name"):
        data[name] = getattr(sub, name)
    for name in ("other_diagnoses", "phq9", "other_treatments", "health_conditions"):
        data[name] = json.dumps(getattr(sub, name))
    for name in ("episode_months", "first_episode_age"):
        data[name] = getattr(sub, name)
    data["date_of_birth"] = sub.date_of_birth.isoformat()
    data["consented_at_0"] = sub.consented_at.date().isoformat()
    data["consented_at_1"] = "10:00:00"
    for name in ("age_confirmed", "asq_wished_dead", "asq_better_off_dead",
                 "asq_thoughts_past_week", "asq_ever_attempted", "asq_thoughts_now"):
        value = getattr(sub, name)
        data[name] = "unknown" if value is None else ("true" if value else "false")
    return {**data, **changes}


def url(name: str, sub: Submission) -> str:
    return reverse(f"admin:intake_submission_{name}", args=[sub.pk])


@pytest.fixture
def reviewer(db):
    return make_user("reviewer", roles.REVIEWERS)


@pytest.fixture
def manager(db):
    return make_user("manager", roles.MANAGERS)


@pytest.fixture
def superuser(db):
    return make_user("boss", is_superuser=True)


@pytest.fixture
def reviewer_client(client, reviewer):
    return staff_login(client, reviewer)


@pytest.fixture
def manager_client(client, manager):
    return staff_login(client, manager)


@pytest.fixture
def submission(catalog):
    """A submitted intake: two adequate failed trials, priority safety level."""
    return create_submission(name="Demo Patient 01", safety="non_acute")


__all__ = ["reviewer", "manager", "superuser", "reviewer_client", "manager_client",
           "submission", "make_user", "change_url", "url", "create_submission", "PASSWORD",
           "CHANGELIST", "note_post", "staff_login", "verified_device", "totp_now",
           "answers_data"]
