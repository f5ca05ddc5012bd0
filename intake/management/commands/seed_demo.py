"""Demo data for a lived-in staff admin: the two staff groups, a demo reviewer and manager (with
new random passwords, printed), and about 30 synthetic submissions covering every TRD status,
every safety level, drafts and each review status.

Development only: it refuses to run unless DJANGO_DEBUG is true. Run it again to reset the demo
passwords; the demo submissions (named "Demo Patient NN") are deleted and created afresh.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from intake.demo import (
    DEMO_NAME_PREFIX,
    ONE_FAILURE_ONE_UNKNOWN_DOSE,
    TOO_SHORT,
    TWO_FAILURES,
    create_submission,
    trial,
)
from intake.models import Medication, ReviewStatus, SafetyLevel, StaffNote, Submission
from intake.staff import roles

ACUTE, PRIORITY, NONE = SafetyLevel.ACUTE, SafetyLevel.NON_ACUTE, SafetyLevel.NONE

FOUR_FAILURES = (*TWO_FAILURES, trial("venlafaxine", 225, 12),
                 trial("bupropion", 300, 8, improvement="25to49"))
WITH_AUGMENTATION = (*TWO_FAILURES, trial("aripiprazole", 5, 8, improvement="25to49"))
RESPONDED = (trial("fluoxetine", 40, 12, improvement="50to74", stopped="other"),)
INTOLERANCE = (trial("venlafaxine", 75, 2, stopped="side_effects"),
               trial("sertraline", 100, 10))
NAMES_NOT_REMEMBERED = (trial(None, None, None, improvement="unknown", episode="unknown"),
                        trial(None, 20, 12))
OTHER_NAME = (trial(None, 30, 9, other_name="Duloxetina (bought abroad)"),
              trial("citalopram", 20, 8))
EARLIER_EPISODE = (trial("paroxetine", 20, 10, episode="no"), trial("sertraline", 100, 8))

# (safety, trials, submitted, review status, extra fields)
SCENARIOS = [
    (ACUTE, TWO_FAILURES, True, ReviewStatus.NEW, {}),
    (ACUTE, TOO_SHORT, True, ReviewStatus.NEW, {"anything_else": "I am scared of how I feel."}),
    (ACUTE, ONE_FAILURE_ONE_UNKNOWN_DOSE, True, ReviewStatus.CONTACTED, {}),
    (ACUTE, TWO_FAILURES, False, ReviewStatus.NEW, {}),
    (PRIORITY, FOUR_FAILURES, True, ReviewStatus.NEW,
     {"first_episode_age": 15, "episode_count": "6_plus", "hospital_stays": "yes"}),
    (PRIORITY, ONE_FAILURE_ONE_UNKNOWN_DOSE, True, ReviewStatus.NEW, {}),
    (PRIORITY, RESPONDED, True, ReviewStatus.IN_REVIEW, {}),
    (PRIORITY, WITH_AUGMENTATION, True, ReviewStatus.BOOKED,
     {"episode_months": 30, "trauma": "yes"}),
    (PRIORITY, TOO_SHORT, False, ReviewStatus.NEW, {}),
    (NONE, TWO_FAILURES, True, ReviewStatus.NEW, {"health": ("seizures",)}),
    (NONE, FOUR_FAILURES, True, ReviewStatus.NEW,
     {"other_treatments": {"ect": "partly", "tms": "no"}, "episode_months": 40}),
    (NONE, WITH_AUGMENTATION, True, ReviewStatus.NEW, {"health": ("thyroid_disease",)}),
    (NONE, ONE_FAILURE_ONE_UNKNOWN_DOSE, True, ReviewStatus.NEW, {}),
    (NONE, NAMES_NOT_REMEMBERED, True, ReviewStatus.NEW, {}),
    (NONE, OTHER_NAME, True, ReviewStatus.IN_REVIEW, {}),
    (NONE, TOO_SHORT, True, ReviewStatus.NEW, {}),
    (NONE, RESPONDED, True, ReviewStatus.CLOSED, {}),
    (NONE, INTOLERANCE, True, ReviewStatus.CONTACTED, {}),
    (NONE, EARLIER_EPISODE, True, ReviewStatus.BOOKED, {}),
    (NONE, TWO_FAILURES, True, ReviewStatus.CLOSED,
     {"bipolar_history": "yes", "other_diagnoses": ["anxiety", "adhd"]}),
    (NONE, FOUR_FAILURES, True, ReviewStatus.IN_REVIEW,
     {"psychotic_symptoms": "current", "health": ("substance_use", "chronic_illness")}),
    (NONE, TWO_FAILURES, True, ReviewStatus.CONTACTED, {"family_history": "yes"}),
    (NONE, (), True, ReviewStatus.NEW, {"anything_else": "I have not tried medicines yet."}),
    (NONE, ONE_FAILURE_ONE_UNKNOWN_DOSE, True, ReviewStatus.BOOKED, {}),
    (NONE, TOO_SHORT, True, ReviewStatus.CLOSED, {"episode_months": None,
                                                  "episode_months_unknown": True}),
    (NONE, INTOLERANCE, True, ReviewStatus.NEW, {"health": ("pregnancy",)}),
    (NONE, TWO_FAILURES, False, ReviewStatus.NEW, {}),
    (NONE, (), False, ReviewStatus.NEW, {}),
    (NONE, WITH_AUGMENTATION, True, ReviewStatus.NEW, {"first_episode_age": 16}),
    (NONE, RESPONDED, True, ReviewStatus.NEW, {}),
]


class Command(BaseCommand):
    help = "Create demo staff users and ~30 synthetic submissions (DJANGO_DEBUG=true only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs in development (DJANGO_DEBUG=true): it "
                               "creates users with printed passwords and fake submissions.")
        if not Medication.objects.exists():
            call_command("load_catalog", verbosity=0)
        with transaction.atomic():
            groups = roles.ensure_groups()
            passwords = {
                "reviewer": self._user("reviewer", "Riley", "Reviewer", groups[roles.REVIEWERS]),
                "manager": self._user("manager", "Morgan", "Manager", groups[roles.MANAGERS]),
            }
            users = {name: get_user_model().objects.get(username=name) for name in passwords}
            deleted, _ = Submission.objects.filter(
                full_name__startswith=DEMO_NAME_PREFIX).delete()
            created = self._submissions(users)
        self.stdout.write(f"groups: {', '.join(sorted(groups))}")
        self.stdout.write(f"demo submissions: {created} created ({deleted} old demo rows "
                          "deleted)")
        for name, password in passwords.items():
            self.stdout.write(f"user {name!r} password: {password}")
        self.stdout.write("Log in at /admin/ (createsuperuser for full access).")

    def _user(self, username, first, last, group) -> str:
        password = secrets.token_urlsafe(12)
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.first_name, user.last_name = first, last
        user.email = f"{username}@example.org"
        user.is_staff, user.is_active, user.is_superuser = True, True, False
        user.set_password(password)
        user.save()
        user.groups.set([group])
        return password

    def _submissions(self, users) -> int:
        now = timezone.now()
        for number, (safety, trials, submitted, review, extra) in enumerate(SCENARIOS, start=1):
            extra = dict(extra)
            kwargs = {key: extra.pop(key) for key in ("health", "other_treatments")
                      if key in extra}
            when = now - dt.timedelta(hours=5 * number + number % 3)
            sub = create_submission(
                name=f"{DEMO_NAME_PREFIX} {number:02d}", safety=safety, trials=trials,
                submitted=submitted, when=when, **kwargs, **extra)
            if review != ReviewStatus.NEW:
                staff = users["reviewer"] if number % 2 else users["manager"]
                Submission.objects.filter(pk=sub.pk).update(
                    review_status=review, review_status_changed_at=when + dt.timedelta(hours=2),
                    review_status_changed_by=staff, assigned_to=staff,
                    first_viewed_at=when + dt.timedelta(hours=1)
                    if safety != NONE else None,
                    first_viewed_by=staff if safety != NONE else None)
                StaffNote.objects.create(submission=sub, author=staff,
                                         text="Demo note: called, left a message.")
        return len(SCENARIOS)
