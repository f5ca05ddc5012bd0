"""What a staff alert e-mail says: its subject (the kind of alert, an escalation's number,
the reference) and its body (the staff link; never a health answer)."""

from __future__ import annotations

from django.conf import settings

from .. import wording
from ..models import Alert
from ..staff.common import duration_words
from .deadlines import LIMITS


def numbered(alert: Alert, text: str) -> str:
    """The text, with an escalation's number: "... (2 of 6)"."""
    if alert.kind != Alert.Kind.ESCALATION:
        return str(text)
    limit = max(LIMITS.get(alert.submission.safety_level, 0), alert.sequence)
    return f"{text} ({alert.sequence} of {limit})"


def title(alert: Alert) -> str:
    """What the alert is about, in words: its subject line without the reference."""
    return numbered(alert, wording.alert_subject(alert.kind))


def message(alert: Alert) -> tuple[str, str]:
    sub = alert.submission
    subject = f"[{settings.CLINIC_NAME}] {title(alert)}: {sub.reference}"
    extra = ""
    if alert.kind == Alert.Kind.ESCALATION:
        waited = duration_words(alert.created_at - sub.flagged_at) if sub.flagged_at else ""
        extra = (f"Escalation {alert.sequence}: no contact with the patient has been recorded "
                 f"{waited} after the {wording.safety_level(sub.safety_level).lower()} flag. "
                 "Opening the case does not stop these e-mails; recording a contact attempt "
                 "that reached the patient does.\n\n")
    body = (
        f"{title(alert)}.\n\n{extra}Reference: {sub.reference}\n"
        f"Open it in the staff site (login required): {alert.link}\n\n"
        "This message holds no health information by design.\n"
    )
    return subject, body


