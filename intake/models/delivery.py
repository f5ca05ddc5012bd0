"""Staff alerts and outgoing e-mails, each delivered by the task worker (`intake/delivery/`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .submission import Submission


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
