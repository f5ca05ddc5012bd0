"""What the patient tried (medicines, therapies) and the assessments stored from them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .catalog import Medication
from .submission import Submission, YesNoUnknown


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
