"""`manage.py seed_demo`: refuses in production; builds a lived-in admin in development."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from intake.models import ReviewStatus, SafetyLevel, Submission, TrdStatus

pytestmark = pytest.mark.django_db


def test_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo")
    assert not Submission.objects.exists()
    assert not get_user_model().objects.filter(username__in=["reviewer", "manager"]).exists()


def test_seeds_users_groups_and_every_status(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    passwords = dict(re.findall(r"user '(\w+)' password: (\S+)", out.getvalue()))
    assert set(passwords) == {"reviewer", "manager"}
    for username, password in passwords.items():
        user = get_user_model().objects.get(username=username)
        assert user.check_password(password) and user.is_staff and not user.is_superuser
        assert [g.name for g in user.groups.all()] == [f"{username}s"]

    subs = Submission.objects.all()
    assert 25 <= subs.count() <= 40
    submitted = subs.filter(status="submitted")
    assert set(submitted.values_list("trd_status", flat=True)) == set(TrdStatus.values)
    assert set(subs.values_list("safety_level", flat=True)) == set(SafetyLevel.values)
    assert set(subs.values_list("review_status", flat=True)) == set(ReviewStatus.values)
    assert subs.filter(status="draft").count() >= 2
    assert all(name.startswith("Demo Patient") for name in subs.values_list("full_name",
                                                                           flat=True))
    assert all(sub.assessments.filter(is_current=True).count() == 1 for sub in submitted)

    # again: new passwords, no duplicates
    out2 = io.StringIO()
    call_command("seed_demo", stdout=out2)
    again = dict(re.findall(r"user '(\w+)' password: (\S+)", out2.getvalue()))
    assert again["reviewer"] != passwords["reviewer"]
    assert Submission.objects.count() == subs.count()
    assert get_user_model().objects.filter(username="reviewer").count() == 1
