"""Users, groups and submissions for the staff-side (admin) tests."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from intake import roles
from intake.demo import create_submission
from intake.models import Submission
from tests.intake_helpers import load_catalog

PASSWORD = "correct-horse-battery-staple-42"
CHANGELIST = "/admin/intake/submission/"


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


def url(name: str, sub: Submission) -> str:
    return reverse(f"admin:intake_submission_{name}", args=[sub.pk])


@pytest.fixture
def catalog(db):
    load_catalog()


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
    client.force_login(reviewer)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def submission(catalog):
    """A submitted intake: two adequate failed trials, priority safety level."""
    return create_submission(name="Demo Patient 01", safety="non_acute")


__all__ = ["catalog", "reviewer", "manager", "superuser", "reviewer_client", "manager_client",
           "submission", "make_user", "change_url", "url", "create_submission", "PASSWORD",
           "CHANGELIST"]
