"""What staff write and do: notes, contact attempts, the audit trail, authenticator set-up links."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .submission import Submission


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
