"""The intake app's models, by topic; every model (and the names migrations and the rest of the
project use, such as `new_reference`) is importable from `intake.models`."""

from .catalog import Medication
from .delivery import Alert, Delivery, OutgoingEmail
from .limits import RateCounter, ResumeAttempt
from .staff import AuditEvent, ContactAttempt, StaffNote, StaffSetupLink
from .submission import (
    AWAITING_CONTACT,
    FLAGGED,
    LateAnswer,
    ReviewStatus,
    SafetyLevel,
    Submission,
    TrdStatus,
    YesNoUnknown,
    last_activity,
    new_reference,
    triage_rank,
    waiting_since,
)
from .treatments import Assessment, MedicationTrial, TherapyTried

__all__ = ["AWAITING_CONTACT", "FLAGGED", "Alert", "Assessment", "AuditEvent", "ContactAttempt",
           "Delivery", "LateAnswer", "Medication", "MedicationTrial", "OutgoingEmail",
           "RateCounter", "ResumeAttempt", "ReviewStatus", "SafetyLevel", "StaffNote",
           "StaffSetupLink", "Submission", "TherapyTried", "TrdStatus", "YesNoUnknown",
           "last_activity", "new_reference", "triage_rank", "waiting_since"]
