"""A patient's intake: the submission with its answers, its safety level and review state, and
answers that arrived after their draft left the browser."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


def new_reference() -> str:
    """A short reference for people to quote (not a secret): TRD-XXXX-XXXX."""
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U
    body = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"TRD-{body[:4]}-{body[4:]}"


class YesNoUnknown(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("I don't know")


class SafetyLevel(models.TextChoices):
    NONE = "none", _("None")
    NON_ACUTE = "non_acute", _("Priority")
    ACUTE = "acute", _("Urgent")


class TrdStatus(models.TextChoices):
    MAY_APPLY = "may_apply", _("May apply")
    UNCLEAR = "unclear", _("Unclear: more detail needed")
    NOT_MET = "not_met", _("Does not appear to apply")


class ReviewStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_REVIEW = "in_review", _("In review")
    CONTACTED = "contacted", _("Contacted")
    BOOKED = "booked", _("Consultation booked")
    CLOSED = "closed", _("Closed")


# Review states before anyone has spoken to the patient: a flagged case in one of these is still
# waiting for a clinician and stays at the top of the staff list.
AWAITING_CONTACT = (ReviewStatus.NEW, ReviewStatus.IN_REVIEW)
FLAGGED = (SafetyLevel.ACUTE, SafetyLevel.NON_ACUTE)


def triage_rank():
    """The staff list's first sort key: 0 urgent and nobody has contacted the patient yet, 1
    priority and not yet contacted, 2 everything else (the admin orders by it; an index below
    covers it). Opening or starting a review does not move a case down: recording contact does."""
    return Case(
        # keyword order as in the migration: the autodetector compares them as written
        When(review_status__in=AWAITING_CONTACT, safety_level=SafetyLevel.ACUTE, then=Value(0)),
        When(review_status__in=AWAITING_CONTACT, safety_level=SafetyLevel.NON_ACUTE,
             then=Value(1)),
        default=Value(2),
        output_field=models.IntegerField(),
    )


def waiting_since():
    """The staff list's second sort key: when a case still awaiting contact was flagged (the
    longest wait first within urgent, then within priority); NULL for every other row."""
    return Case(
        When(review_status__in=AWAITING_CONTACT, safety_level__in=FLAGGED, then=F("flagged_at")),
        default=Value(None),
        output_field=models.DateTimeField(),
    )


def last_activity():
    """The staff list's second sort key: when it was submitted, or a draft's last save."""
    return Coalesce(F("submitted_at"), F("updated_at"))


class Submission(models.Model):
    """One patient's intake: a draft while they answer, then submitted and locked.

    The patient's answers live in the fields from `consented_at` to `anything_else` and in the
    related `MedicationTrial` and `TherapyTried` rows. `steps_done` records which question pages
    were completed, so a page whose prerequisites are missing can send the patient back.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class ContactPreference(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        EITHER = "either", _("Either")

    class EpisodeCount(models.TextChoices):
        ONE = "1", _("This is the first")
        TWO = "2", _("2")
        THREE_TO_FIVE = "3_5", _("3 to 5")
        SIX_OR_MORE = "6_plus", _("6 or more")
        UNKNOWN = "unknown", _("I don't know")

    class Psychosis(models.TextChoices):
        NEVER = "never", _("No, never")
        PAST = "past", _("Yes, in the past")
        CURRENT = "current", _("Yes, during this episode")
        UNKNOWN = "unknown", _("I don't know")

    class Trauma(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        PREFER_NOT = "prefer_not", _("I prefer not to say")

    # identity and life cycle
    reference = models.CharField(max_length=16, unique=True, default=new_reference,
                                 editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, help_text="Last saved.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    steps_done = models.JSONField(default=list, blank=True,
                                  help_text="Slugs of the question pages completed.")
    client_token = models.CharField(
        max_length=32, blank=True, editable=False,
        help_text="The random token of the consent form that created it: a repeated POST of "
                  "that form finds this draft instead of creating another.")

    # resume elsewhere: the code itself is shown once to the patient, only its hash is kept; it
    # works once, with the date of birth, and moves the draft to the browser that used it
    resume_code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    resume_expires_at = models.DateTimeField(null=True, blank=True)
    resume_failures = models.PositiveSmallIntegerField(
        default=0, help_text="Wrong dates of birth typed with the current resume code; at "
                             "RESUME_CODE_FAILURES the code is voided.")
    browser_key = models.CharField(
        max_length=32, blank=True, editable=False,
        help_text="Random; the one browser session holding the same value reaches this draft. "
                  "A resume replaces it, so any other browser loses the draft.")

    # consent and eligibility
    consented_at = models.DateTimeField(null=True, blank=True)
    privacy_notice_version = models.CharField(max_length=20, blank=True)
    age_confirmed = models.BooleanField(null=True)

    # about you
    full_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    contact_preference = models.CharField(max_length=10, choices=ContactPreference.choices,
                                          blank=True)

    # your depression (TRD risk factors for staff; never scored for the patient)
    episode_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Length of the current episode; empty if unknown.")
    episode_months_unknown = models.BooleanField(default=False)
    episode_count = models.CharField(max_length=10, choices=EpisodeCount.choices, blank=True)
    first_episode_age = models.PositiveSmallIntegerField(null=True, blank=True)
    hospital_stays = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)
    bipolar_history = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True,
                                       help_text="Mania, hypomania or a bipolar diagnosis ever.")
    psychotic_symptoms = models.CharField(max_length=10, choices=Psychosis.choices, blank=True)
    other_diagnoses = models.JSONField(default=list, blank=True,
                                       help_text="Codes from OTHER_DIAGNOSES.")
    family_history = models.CharField(max_length=10, choices=YesNoUnknown.choices, blank=True)
    trauma = models.CharField(max_length=10, choices=Trauma.choices, blank=True)

    # PHQ-9: item answers 0-3, in order; item 9 is self-harm thoughts
    phq9 = models.JSONField(default=list, blank=True, help_text="Nine answers, 0-3 each.")

    # ASQ: four questions, and the fifth only when one of them is yes
    asq_wished_dead = models.BooleanField(null=True)
    asq_better_off_dead = models.BooleanField(null=True)
    asq_thoughts_past_week = models.BooleanField(null=True)
    asq_ever_attempted = models.BooleanField(null=True)
    asq_thoughts_now = models.BooleanField(null=True)

    # other treatments tried: {code: "helped" | "partly" | "no" | "unknown"}
    other_treatments = models.JSONField(default=dict, blank=True)

    # health questions: codes answered yes or "not sure", from screening.model.HEALTH_ITEMS
    # (the rules read both as yes, so a clinician checks); those the patient was not sure of
    # are also in `health_unsure`
    health_conditions = models.JSONField(default=list, blank=True)
    health_unsure = models.JSONField(default=list, blank=True,
                                     help_text="Health codes the patient was not sure of.")
    anything_else = models.TextField(blank=True, max_length=2000)

    # safety: set as soon as the safety questions are answered, even mid-intake
    safety_level = models.CharField(max_length=10, choices=SafetyLevel.choices,
                                    default=SafetyLevel.NONE)
    flagged_at = models.DateTimeField(null=True, blank=True,
                                      help_text="When the safety level rose to its current value.")
    escalated_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the case was last escalated because no contact had been recorded in "
                  "time (CLINIC_ESCALATION_EMAILS).")
    contacted_at = models.DateTimeField(
        null=True, blank=True,
        help_text="The first recorded contact attempt that reached the patient (or sent "
                  "emergency services): escalation stops there.")
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    first_viewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")

    # staff workflow
    review_status = models.CharField(max_length=12, choices=ReviewStatus.choices,
                                     default=ReviewStatus.NEW)
    review_status_changed_at = models.DateTimeField(null=True, blank=True)
    review_status_changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                                 blank=True, on_delete=models.SET_NULL,
                                                 related_name="+")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="assigned_submissions")

    # the current assessment, copied from it for listing, sorting and filtering
    trd_status = models.CharField(max_length=10, choices=TrdStatus.choices, blank=True)
    confirmed_count = models.PositiveSmallIntegerField(null=True, blank=True)
    possible_count = models.PositiveSmallIntegerField(null=True, blank=True)
    phq9_total = models.PositiveSmallIntegerField(null=True, blank=True)
    phq9_band = models.CharField(max_length=20, blank=True)
    msm_total = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "submission"
        indexes = [
            models.Index(fields=["safety_level", "review_status", "-updated_at"],
                         name="submission_triage"),
            models.Index(fields=["status", "-submitted_at"], name="submission_status"),
            models.Index(fields=["trd_status"], name="submission_trd"),
            models.Index(fields=["review_status"], name="submission_review"),
            models.Index(fields=["-updated_at"], name="submission_updated"),
            # the staff list's default order (intake/admin.py), read in index order at any size
            models.Index(triage_rank(), waiting_since().asc(), last_activity().desc(),
                         F("id").desc(),
                         name="submission_triage_order"),
            models.Index(fields=["-submitted_at"], name="submission_submitted"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["client_token"], condition=~models.Q(client_token=""),
                                    name="submission_client_token_unique"),
        ]
        permissions = [
            ("export_submission", "Can export submissions as CSV"),
            ("reassess_submission", "Can re-run the assessment of a submission"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_submitted(self) -> bool:
        return self.status == self.Status.SUBMITTED

    @property
    def awaiting_contact(self) -> bool:
        """Flagged and no clinician has recorded contact with the patient yet."""
        return self.safety_level != SafetyLevel.NONE and self.review_status in AWAITING_CONTACT


class LateAnswer(models.Model):
    """A safety answer posted by a browser that no longer held the draft (moved to another
    device, already sent, left on this device): acted on all the same, and shown to staff."""

    class Event(models.TextChoices):
        MOVED = "moved", _("The form had been continued on another device")
        SUBMITTED = "submitted", _("The form had already been sent")
        LEFT = "left", _("The patient had left the form on that device")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE,
                                   related_name="late_answers")
    received_at = models.DateTimeField(auto_now_add=True)
    event = models.CharField(max_length=10, choices=Event.choices)
    step = models.CharField(max_length=30, help_text="The question page it was posted from.")
    answers = models.JSONField(help_text="The safety answers posted (PHQ-9 item 9, ASQ).")
    level = models.CharField(max_length=10, choices=SafetyLevel.choices,
                             help_text="The safety level those answers give.")

    class Meta:
        ordering = ["submission", "received_at", "id"]

    def __str__(self):
        return f"{self.submission.reference}: late answer ({self.received_at:%Y-%m-%d %H:%M})"
