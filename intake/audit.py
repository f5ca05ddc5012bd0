"""The staff audit trail: one append-only `AuditEvent` row per thing staff did.

`detail` holds codes, ids and counts only (a status code, field names, references), never a
patient's answers or a note's text.
"""

from __future__ import annotations

from django.db import models

from .models import AuditEvent

# The actions written, for the admin filter and for readers of the table.
VIEWED = "viewed"
PRINTED = "printed"
EXPORTED = "exported"
STATUS_CHANGED = "status_changed"
ASSIGNED = "assigned"
NOTE_ADDED = "note_added"
REASSESSED = "reassessed"
CATALOG_CHANGED = "catalog_changed"
CATALOG_ADDED = "catalog_added"
DRAFT_DELETED = "draft_deleted"
DELETE_REFUSED = "delete_refused"
CONTACT_RECORDED = "contact_recorded"
SAFETY_LOWERED = "safety_lowered"
ANSWERS_CORRECTED = "answers_corrected"
ALERT_RETRIED = "alert_retried"
AUDIT_EXPORTED = "audit_exported"
# sign-in and access
LOGGED_IN = "logged_in"
LOGGED_OUT = "logged_out"
LOGIN_FAILED = "login_failed"
LOCKED_OUT = "locked_out"
PERMISSION_DENIED = "permission_denied"
MFA_ENROLLED = "mfa_enrolled"
MFA_VERIFIED = "mfa_verified"
MFA_FAILED = "mfa_failed"
MFA_RESET = "mfa_reset"
SETUP_LINK_ISSUED = "setup_link_issued"
# staff accounts, run by managers (intake/admin/staff_accounts.py)
STAFF_CREATED = "staff_created"
STAFF_DEACTIVATED = "staff_deactivated"
STAFF_UNLOCKED = "staff_unlocked"
ACCOUNT_OPENED = "account_opened"  # a new account chose its password
PURGED = "purged"  # by the retention job (no actor): counts of what it deleted
LATE_ANSWER_LOST = "late_answer_lost"  # a patient's safety answer for a deleted draft

# What each action is called where staff read the trail.
ACTION_LABELS = {
    VIEWED: "Opened submission",
    PRINTED: "Opened print view",
    EXPORTED: "Exported to CSV",
    STATUS_CHANGED: "Changed review status",
    ASSIGNED: "Changed assignment",
    NOTE_ADDED: "Added a note",
    REASSESSED: "Re-ran assessment",
    CATALOG_CHANGED: "Changed catalog entry",
    CATALOG_ADDED: "Added catalog entry",
    DRAFT_DELETED: "Deleted draft",
    DELETE_REFUSED: "Kept back from deletion",
    CONTACT_RECORDED: "Recorded a contact attempt",
    SAFETY_LOWERED: "Lowered the safety level",
    ANSWERS_CORRECTED: "Corrected patient answers",
    ALERT_RETRIED: "Asked to resend an alert",
    AUDIT_EXPORTED: "Exported the audit trail",
    LOGGED_IN: "Logged in",
    LOGGED_OUT: "Logged out",
    LOGIN_FAILED: "Failed login",
    LOCKED_OUT: "Locked out after failed logins",
    PERMISSION_DENIED: "Refused: no permission",
    MFA_ENROLLED: "Set up an authenticator app",
    MFA_VERIFIED: "Gave the sign-in code",
    MFA_FAILED: "Wrong sign-in code",
    MFA_RESET: "Reset an authenticator app",
    STAFF_CREATED: "Created a staff account",
    STAFF_DEACTIVATED: "Deactivated a staff account",
    STAFF_UNLOCKED: "Lifted a lockout",
    ACCOUNT_OPENED: "Chose a password with a set-up link",
    SETUP_LINK_ISSUED: "Issued a set-up link for an authenticator app",
    PURGED: "Deleted expired data (counts only)",
    LATE_ANSWER_LOST: "Safety answer received for a deleted draft",
}


def record(actor, action: str, obj: models.Model | None = None, **detail) -> AuditEvent:
    """Write one audit row: who (`actor`, a user or None), what (`action`), which record.

    Without a record, a `username` in the detail (sign-in events) becomes the searchable
    description."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:100] if obj is not None else str(detail.get("username", ""))[:100],
        detail=detail,
    )
