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
# staff accounts, run by managers (intake/staff/staff_accounts.py)
STAFF_CREATED = "staff_created"
STAFF_DEACTIVATED = "staff_deactivated"
STAFF_UNLOCKED = "staff_unlocked"
ACCOUNT_OPENED = "account_opened"  # a new account chose its password
PURGED = "purged"  # by the retention job (no actor): counts of what it deleted
LATE_ANSWER_LOST = "late_answer_lost"  # a patient's safety answer for a deleted draft
# Their words, where staff read the trail: `wording.ACTION_LABELS`.


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
