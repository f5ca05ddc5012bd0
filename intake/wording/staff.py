"""Staff words for the codes of the staff site: audit actions, catalog fields, safety badges,
alert subjects, why a draft was kept, and the labels of the models' choices."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .. import audit
from ..models import (
    Alert,
    Assessment,
    ContactAttempt,
    Delivery,
    LateAnswer,
    Medication,
    MedicationTrial,
    OutgoingEmail,
    ReviewStatus,
    SafetyLevel,
    Submission,
    TrdStatus,
)
from ..staff import roles
from .base import STAFF, lookup

# What each audit action is called where staff read the trail (and its CSV export).
ACTION_LABELS = {
    audit.VIEWED: _("Opened submission"),
    audit.PRINTED: _("Opened print view"),
    audit.EXPORTED: _("Exported to CSV"),
    audit.STATUS_CHANGED: _("Changed review status"),
    audit.ASSIGNED: _("Changed assignment"),
    audit.NOTE_ADDED: _("Added a note"),
    audit.REASSESSED: _("Re-ran assessment"),
    audit.CATALOG_CHANGED: _("Changed catalog entry"),
    audit.CATALOG_ADDED: _("Added catalog entry"),
    audit.DRAFT_DELETED: _("Deleted draft"),
    audit.DELETE_REFUSED: _("Kept back from deletion"),
    audit.CONTACT_RECORDED: _("Recorded a contact attempt"),
    audit.SAFETY_LOWERED: _("Lowered the safety level"),
    audit.ANSWERS_CORRECTED: _("Corrected patient answers"),
    audit.ALERT_RETRIED: _("Asked to resend an alert"),
    audit.AUDIT_EXPORTED: _("Exported the audit trail"),
    audit.LOGGED_IN: _("Logged in"),
    audit.LOGGED_OUT: _("Logged out"),
    audit.LOGIN_FAILED: _("Failed login"),
    audit.LOCKED_OUT: _("Locked out after failed logins"),
    audit.PERMISSION_DENIED: _("Refused: no permission"),
    audit.MFA_ENROLLED: _("Set up an authenticator app"),
    audit.MFA_VERIFIED: _("Gave the sign-in code"),
    audit.MFA_FAILED: _("Wrong sign-in code"),
    audit.MFA_RESET: _("Reset an authenticator app"),
    audit.STAFF_CREATED: _("Created a staff account"),
    audit.STAFF_DEACTIVATED: _("Deactivated a staff account"),
    audit.STAFF_UNLOCKED: _("Lifted a lockout"),
    audit.ACCOUNT_OPENED: _("Chose a password with a set-up link"),
    audit.SETUP_LINK_ISSUED: _("Issued a set-up link for an authenticator app"),
    audit.PURGED: _("Deleted expired data (counts only)"),
    audit.LATE_ANSWER_LOST: _("Safety answer received for a deleted draft"),
}

# A staff account's role on the Staff page ("": no role).
ROLE_WORDS = {roles.SUPERUSER: _("Administrator"), roles.MANAGERS: _("Manager"),
              roles.REVIEWERS: _("Reviewer"), "": _("No role")}

# The catalog fields named in the audit trail's "changed" rows.
FIELD_WORDS = {
    "min_adequate_mg_per_day": _("minimum dose"),
    "usual_max_mg_per_day": _("usual maximum"), "role": _("role"),
    "drug_class": _("drug class"), "active": _("active"),
    "min_dose_source": _("source of the minimum"),
    "generic_name": _("name"), "brand_names": _("brand names"),
}

# What a flagged answer adds in the staff summary, by question.
FLAG_WORDS = {"first_episode_age": _("%(answer)s: early onset (before 18)")}

# The kinds of record the audit trail can be filtered by ("none": sign-in events).
RECORD_KINDS = {
    "intake.submission": _("Submissions"),
    "intake.medication": _("Medication catalog"),
    "none": _("Sign-in and access"),
}

# The badge beside a flagged submission; a level without one shows a dash.
SAFETY_BADGES = {SafetyLevel.ACUTE: _("Urgent"), SafetyLevel.NON_ACUTE: _("Priority")}

# The subject of each kind of staff alert e-mail (without the reference), and its title in the
# staff site. Plain strings: the e-mails go out in the clinic's language.
ALERT_SUBJECTS = {
    Alert.Kind.URGENT: "Urgent intake to review now",
    Alert.Kind.PRIORITY: "Priority intake to review",
    Alert.Kind.SUBMITTED: "New intake submitted",
    Alert.Kind.ESCALATION: "ESCALATION: no contact recorded",
}

# Why a draft was kept back when staff asked to delete it (codes of `admin.deletion`).
KEPT_WORDS = {
    "submitted": _("submitted: a submitted intake is a clinical record"),
    "flagged": _("it has a safety flag: a clinician must deal with it first"),
    "undelivered_alert": _("an alert about it has not been delivered"),
}

# The models' choices: their labels are written on the models (Django's model form fields,
# admin filters and the models' own `__str__` read them there); code and templates that word a
# stored code read them here, through `choice`.
CHOICES: dict[str, dict] = {
    "review_status": dict(ReviewStatus.choices),
    "safety_level": dict(SafetyLevel.choices),
    "trd_status": dict(TrdStatus.choices),
    "submission_status": dict(Submission.Status.choices),
    "contact_preference": dict(Submission.ContactPreference.choices),
    "contact_method": dict(ContactAttempt.Method.choices),
    "contact_outcome": dict(ContactAttempt.Outcome.choices),
    "role": dict(Medication.Role.choices),
    "trigger": dict(Assessment.Trigger.choices),
    "delivery_status": dict(Delivery.Status.choices),
    "alert_kind": dict(Alert.Kind.choices),
    "late_answer": dict(LateAnswer.Event.choices),
    "trial_kind": dict(MedicationTrial.Kind.choices),
    "email_kind": dict(OutgoingEmail.Kind.choices),
}


def action(code: str) -> str:
    """An audit action in words (an action no longer written: its code)."""
    return str(ACTION_LABELS.get(code, code))


def field(name: str) -> str:
    return str(FIELD_WORDS.get(name, name))


def choice(kind: str, code) -> str:
    """A stored code of one of the models' choices in staff words."""
    return lookup(CHOICES[kind], code, STAFF)


def alert_subject(kind: str) -> str:
    return ALERT_SUBJECTS[kind]
