import secrets

from django.conf import settings
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class Medication(models.Model):
    """One entry of the medication catalog, seeded from intake/data/medications.csv and edited by
    clinic staff in the admin."""

    class Role(models.TextChoices):
        ANTIDEPRESSANT = "antidepressant", _("Antidepressant")
        AUGMENTATION = "augmentation", _("Augmentation agent")

    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    generic_name = models.CharField(_("generic name"), max_length=128)
    brand_names = models.CharField(
        _("brand names"), max_length=255, blank=True, help_text=_('Separated by "; ".')
    )
    drug_class = models.CharField(_("drug class"), max_length=128)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    # mg with 4 decimals: a thyroid hormone's minimum is micrograms (25 mcg = 0.025 mg)
    min_adequate_mg_per_day = models.DecimalField(
        _("minimum adequate dose (mg/day)"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Leave empty when no minimum adequate dose is established."),
    )
    usual_max_mg_per_day = models.DecimalField(
        _("usual maximum dose (mg/day)"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    min_dose_source = models.CharField(_("source of the minimum dose"), max_length=255, blank=True)
    dose_unit = models.CharField(
        _("dose unit"), max_length=4, choices=[("mg", "mg"), ("mcg", "mcg")], default="mg",
        help_text=_("The unit patients are asked the dose in (the dose columns stay in mg)."))
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive medications are hidden from patients.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["generic_name"]
        verbose_name = _("medication")
        verbose_name_plural = _("medications")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_adequate_mg_per_day__isnull=True)
                | Q(min_adequate_mg_per_day__gt=0),
                name="medication_min_dose_null_or_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.generic_name

    @property
    def brand_list(self) -> list[str]:
        return [name.strip() for name in self.brand_names.split(";") if name.strip()]


# --- the intake -------------------------------------------------------------------------------

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


class MedicationTrial(models.Model):
    """One medicine the patient tried, as they described it."""

    class Kind(models.TextChoices):
        CATALOG = "catalog", _("From the list")
        OTHER = "other", _("Another medicine")
        UNKNOWN = "unknown", _("I don't remember the name")

    class DurationUnit(models.TextChoices):
        WEEKS = "weeks", _("weeks")
        MONTHS = "months", _("months")

    class Adherence(models.TextChoices):
        MOST_DAYS = "most_days", _("Yes, on most days")
        OFTEN_MISSED = "often_missed", _("No, I often missed doses")
        UNKNOWN = "unknown", _("I don't know")

    class Improvement(models.TextChoices):
        LT25 = "lt25", _("Not at all, or only a little")
        P25_49 = "25to49", _("Somewhat, but less than halfway better")
        P50_74 = "50to74", _("A lot: at least halfway better")
        GTE75 = "gte75", _("Very much: I felt close to my usual self")
        UNKNOWN = "unknown", _("I don't know")

    class StoppedBecause(models.TextChoices):
        SIDE_EFFECTS = "side_effects", _("Side effects")
        NOT_HELPING = "not_helping", _("It was not helping enough")
        STILL_TAKING = "still_taking", _("I am still taking it")
        OTHER = "other", _("Another reason")
        UNKNOWN = "unknown", _("I don't remember")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE,
                                   related_name="trials")
    position = models.PositiveSmallIntegerField(help_text="Order in the patient's list, from 1.")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    medication = models.ForeignKey(Medication, null=True, blank=True, on_delete=models.PROTECT,
                                   help_text="Set when the kind is 'from the list'.")
    other_name = models.CharField(max_length=200, blank=True)
    dose_mg_per_day = models.DecimalField(
        max_digits=10, decimal_places=4, null=True, blank=True,
        help_text="Highest daily dose in mg (25 mcg is 0.025); empty if not known.")
    dose_unit = models.CharField(max_length=4, choices=[("mg", "mg"), ("mcg", "mcg")],
                                 default="mg", help_text="The unit the patient gave it in.")
    duration_amount = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True,
                                          help_text="Time at the highest dose; empty if unknown.")
    duration_unit = models.CharField(max_length=6, choices=DurationUnit.choices, blank=True)
    adherence = models.CharField(max_length=15, choices=Adherence.choices)
    improvement = models.CharField(max_length=10, choices=Improvement.choices)
    current_episode = models.CharField(max_length=10, choices=YesNoUnknown.choices)
    stopped_because = models.CharField(max_length=15, choices=StoppedBecause.choices)
    client_token = models.CharField(
        max_length=32, blank=True, editable=False,
        help_text="The random token of the form that added it, against double submits.")

    class Meta:
        ordering = ["submission", "position"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "position"],
                                    name="trial_position_unique"),
            models.UniqueConstraint(fields=["submission", "client_token"],
                                    condition=~models.Q(client_token=""),
                                    name="trial_client_token_unique"),
            models.CheckConstraint(condition=models.Q(dose_mg_per_day__isnull=True)
                                   | models.Q(dose_mg_per_day__gt=0),
                                   name="trial_dose_positive"),
        ]

    def __str__(self):
        return f"{self.submission.reference} #{self.position}: {self.display_name}"

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.CATALOG and self.medication_id:
            return self.medication.generic_name[:1].upper() + self.medication.generic_name[1:]
        if self.kind == self.Kind.OTHER:
            return self.other_name
        return str(_("Name not remembered"))

    @property
    def dose_in_unit(self):
        """The dose in the unit the patient gave it in (mcg: the stored mg times 1000)."""
        if self.dose_mg_per_day is None:
            return None
        return self.dose_mg_per_day * 1000 if self.dose_unit == "mcg" else self.dose_mg_per_day

    @property
    def weeks(self) -> float | None:
        if self.duration_amount is None:
            return None
        amount = float(self.duration_amount)
        return amount * 52 / 12 if self.duration_unit == self.DurationUnit.MONTHS else amount


class TherapyTried(models.Model):
    """One kind of talk therapy the patient had."""

    class Helped(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("A little")
        NO = "no", _("No")
        UNKNOWN = "unknown", _("I don't know")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE,
                                   related_name="therapies")
    type = models.CharField(max_length=30)  # screening.model.PSYCHOTHERAPY_TYPES
    sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    helped = models.CharField(max_length=10, choices=Helped.choices, blank=True)

    class Meta:
        ordering = ["submission", "id"]
        constraints = [models.UniqueConstraint(fields=["submission", "type"],
                                               name="therapy_type_unique")]

    def __str__(self):
        return f"{self.submission_id}: {self.type}"


class Assessment(models.Model):
    """A stored result of the screening rules, with the version and thresholds it used.

    A new row is added for every run (at submission, or when staff re-run it after a catalog
    change); none is overwritten. The submission shows the one marked current.
    """

    class Trigger(models.TextChoices):
        SUBMITTED = "submitted", _("Patient submitted")
        RERUN = "rerun", _("Re-run by staff")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE,
                                   related_name="assessments")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    is_current = models.BooleanField(default=True)
    rules_version = models.CharField(max_length=10)
    thresholds = models.JSONField(help_text="Weeks thresholds and the catalog minimum doses used.")
    answers = models.JSONField(help_text="The answers as the rules read them.")
    result = models.JSONField(help_text="The full result, as `assess` prints it.")

    class Meta:
        ordering = ["submission", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["submission"], condition=models.Q(is_current=True),
                                    name="one_current_assessment"),
        ]

    def __str__(self):
        return f"{self.submission.reference} ({self.created_at:%Y-%m-%d %H:%M})"


class StaffNote(models.Model):
    """Append-only notes on a submission."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField(max_length=5000)

    class Meta:
        ordering = ["submission", "created_at", "id"]

    def __str__(self):
        return f"Note by {self.author} at {self.created_at:%Y-%m-%d %H:%M}"


class AuditEvent(models.Model):
    """An append-only record of what staff did: who, when, what, which record.

    `detail` never holds health answers: only codes such as the new status.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=40, db_index=True)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40)
    object_repr = models.CharField(max_length=100, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class RateCounter(models.Model):
    """Hits in one fixed time window for one limited action and client
    (intake/patient/ratelimit.py).

    `key` is a keyed hash of the client address, never the address itself.
    """

    scope = models.CharField(max_length=30)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key", "window_start"],
                                               name="rate_counter_window_unique")]

    def __str__(self):
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"


class ResumeAttempt(models.Model):
    """A try at a resume code, kept to rate-limit guessing (by a hash of the client address)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    client = models.CharField(max_length=64, db_index=True)
    succeeded = models.BooleanField(default=False)

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'wrong code'}"


class Delivery(models.Model):
    """An e-mail waiting in the database to be sent by the task worker, and the record of its
    delivery (an outbox row): `Alert` for staff e-mails about a case, `OutgoingEmail` for the
    rest. The worker's periodic sweep queues a delivery for any pending row whose task is not
    waiting (a dead worker, a dropped database connection), so none is stranded.

    `message_id` is fixed before the first try: a retry after a crash between the send and its
    record sends the same message again, which mail programs show once.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        HELD = "held", _("Held for the digest")
        SENT = "sent", _("Sent")
        REPLACED = "replaced", _("Replaced by a later alert")
        FAILED = "failed", _("Not delivered: gave up retrying")

    recipients = models.JSONField(default=list, help_text="Addresses, from the settings at the "
                                                          "time it was queued.")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True,
                                  help_text="The mail server's error (never message content).")
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=200, blank=True,
                                  help_text="The Message-ID of every try of this e-mail.")
    task_id = models.CharField(max_length=64, blank=True,
                               help_text="The id of the task queued to deliver it.")
    claimed_until = models.DateTimeField(
        null=True, blank=True,
        help_text="A try is under way until then: no other try starts before.")

    class Meta:
        abstract = True


class Alert(Delivery):
    """An e-mail to staff about a submission, and the record of its delivery.

    Written in the same transaction as the change that calls for it (a raised safety flag, a
    submission, an escalation), so a crash between the two loses nothing; the task worker sends
    it and retries with back-off. One row per submission, kind and sequence (escalations are
    numbered), so no alert goes out twice. It names the reference, the kind and the staff link
    only: never a health answer.

    Status: *pending* until its own e-mail is sent (*sent*) or the retries give up (*failed*).
    Beyond the 10th alert queued within 10 minutes it is *held* instead, and the worker's next
    sweep puts every held alert into one digest e-mail (`OutgoingEmail`, kind digest), which
    makes them *sent* (`sent_at`: when the digest was queued; its delivery is the digest's). A
    priority alert not yet sent when the case turns urgent becomes *replaced*: one e-mail per
    case and level. An escalation waits, pending and without counting a try, while an earlier
    alert of its case is pending or held.
    """

    class Kind(models.TextChoices):
        URGENT = "urgent", _("Urgent intake")
        PRIORITY = "priority", _("Priority intake")
        SUBMITTED = "submitted", _("New submission")
        ESCALATION = "escalation", _("No contact recorded in time")

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    sequence = models.PositiveSmallIntegerField(
        default=0, help_text="For escalations: 1 for the first, 2 for the second...")
    link = models.URLField(max_length=300, help_text="The staff page of the submission.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "kind", "sequence"],
                                    name="alert_once_per_kind_and_sequence"),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="alert_status")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.submission.reference}"


class OutgoingEmail(Delivery):
    """An e-mail that is not about one case: the patient's "your saved answers" e-mail (which
    holds their resume code), a digest of many alerts, an alarm about resume-code guessing.
    `body` is wiped once it is sent or given up, and the retention purge deletes the row."""

    class Kind(models.TextChoices):
        RESUME = "resume", _("Your saved answers (to the patient)")
        DIGEST = "digest", _("Digest of alerts")
        GUESSING = "guessing", _("Resume codes being guessed")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="outgoing_status")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class ContactAttempt(models.Model):
    """One try by staff to reach a flagged (or any) patient, recorded on the case."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        TEXT = "text", _("Text message")
        EMAIL = "email", _("E-mail")
        IN_PERSON = "in_person", _("In person")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached the patient")
        VOICEMAIL = "voicemail", _("Left a voicemail")
        NO_ANSWER = "no_answer", _("No answer")
        WRONG_NUMBER = "wrong_number", _("Wrong number or address")
        EMERGENCY = "emergency", _("Sent to emergency services")

    # outcomes that count as contact: escalation stops and the case counts as contacted
    CONTACT_MADE = (Outcome.REACHED, Outcome.EMERGENCY)

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE,
                                   related_name="contact_attempts")
    at = models.DateTimeField(help_text="When the attempt was made.")
    method = models.CharField(max_length=10, choices=Method.choices)
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    note = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["submission", "at", "id"]

    def __str__(self):
        return f"{self.submission.reference}: {self.get_outcome_display()} ({self.at:%Y-%m-%d})"

    @property
    def made_contact(self) -> bool:
        return self.outcome in self.CONTACT_MADE


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


class StaffSetupLink(models.Model):
    """A one-time link to set up a staff member's authenticator, issued by a manager or a
    superuser: valid 24 hours, used once. Only the token's hash is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="setup_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Set-up link for {self.user} ({self.created_at:%Y-%m-%d %H:%M})"
