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
ANSWERS_CORRECTED = "answers_corrected"
PURGED = "purged"  # by the retention job (no actor): counts of what it deleted


def record(actor, action: str, obj: models.Model | None = None, **detail) -> AuditEvent:
    """Write one audit row: who (`actor`, a user or None), what (`action`), which record."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:100] if obj is not None else "",
        detail=detail,
    )
