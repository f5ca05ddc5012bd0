"""Contact with the patient, and a clinician lowering a safety level, on a submission's page.

- **Contact attempts** (`ContactAttemptForm`, `record_attempt`): anyone who can change a
  submission records each try to reach the patient (when, how, the outcome, a note). An attempt
  that reached the patient (`ContactAttempt.made_contact`) sets `Submission.contacted_at` to the
  earliest such attempt and moves a case still "New" or "In review" to "Contacted", each by a
  conditional UPDATE, so two staff recording at once cannot undo each other.
- **The status rule** (`contact_needed`, `MAY_LEAVE_AWAITING`): a flagged case goes past "In
  review" only once a contact has been recorded, or after a clinician lowered its level to none.
- **Lowering a safety level** (`LowerSafetyForm`, `lower_safety`): the flag only ever rises by
  itself; lowering it is a clinician's decision with a reason. The reason is kept as their staff
  note (it may hold health details), the audit row holds the level codes and the note's id.

Everything here is audited.
"""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import audit, wording
from ..models import (
    AWAITING_CONTACT,
    FLAGGED,
    ContactAttempt,
    ReviewStatus,
    SafetyLevel,
    StaffNote,
    Submission,
)
from ..services import SAFETY_RANK

INPUT_FORMAT = "%Y-%m-%dT%H:%M"  # what a datetime-local input sends
REASON_MAX_LENGTH = 2000

# A status past "In review" may be written only where this holds (the conditional UPDATE).
MAY_LEAVE_AWAITING = Q(safety_level=SafetyLevel.NONE) | Q(contacted_at__isnull=False)


def contact_needed(sub: Submission, new_status: str) -> bool:
    """True if moving `sub` to `new_status` must wait for a recorded contact."""
    return (new_status not in AWAITING_CONTACT and sub.safety_level in FLAGGED
            and sub.contacted_at is None)


def contact_needed_message(sub: Submission, new_status: str) -> str:
    return _(
        "This case is flagged “%(level)s” and no contact with the patient has been recorded: "
        "record a contact attempt that reached them (or sent emergency services) before "
        "moving it to “%(status)s”. If the flag itself is wrong, lower the safety level with "
        "a reason first.") % {"level": wording.safety_level(sub.safety_level),
                              "status": ReviewStatus(new_status).label}


# --- contact attempts -----------------------------------------------------------------------

class ContactAttemptForm(forms.ModelForm):
    prefix = "contact"

    class Meta:
        model = ContactAttempt
        fields = ("at", "method", "outcome", "note")
        labels = {"at": gettext_lazy("When"), "method": gettext_lazy("How"),
                  "outcome": gettext_lazy("Outcome"), "note": gettext_lazy("Note (optional)")}
        help_texts = {"at": "", "note": ""}
        widgets = {
            "at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=INPUT_FORMAT),
            "note": forms.Textarea(attrs={"rows": 2, "cols": 40}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"at": timezone.localtime().replace(second=0,
                                                                          microsecond=0)})
        super().__init__(*args, **kwargs)

    def clean_at(self):
        at = self.cleaned_data["at"]
        if at > timezone.now():
            raise forms.ValidationError(_("That time is in the future: give the time the "
                                          "attempt was made."))
        return at


def record_attempt(sub: Submission, form: ContactAttemptForm, user) -> tuple[ContactAttempt,
                                                                              str | None]:
    """Save one attempt; if it reached the patient, set the first contact time and move the
    case to "Contacted". Returns the attempt and the review status it moved from (or None)."""
    moved_from = None
    with transaction.atomic():
        attempt = form.save(commit=False)
        attempt.submission, attempt.recorded_by = sub, user
        attempt.save()
        audit.record(user, audit.CONTACT_RECORDED, sub, attempt_id=attempt.pk,
                     method=attempt.method, outcome=attempt.outcome)
        if attempt.made_contact:
            Submission.objects.filter(
                Q(contacted_at__isnull=True) | Q(contacted_at__gt=attempt.at), pk=sub.pk,
            ).update(contacted_at=attempt.at)
            now = timezone.now()
            for status in AWAITING_CONTACT:
                if Submission.objects.filter(pk=sub.pk, review_status=status).update(
                        review_status=ReviewStatus.CONTACTED, review_status_changed_at=now,
                        review_status_changed_by=user):
                    audit.record(user, audit.STATUS_CHANGED, sub, old=status,
                                 new=ReviewStatus.CONTACTED, attempt_id=attempt.pk)
                    moved_from = status
                    break
    return attempt, moved_from


# --- lowering a safety level ----------------------------------------------------------------

def levels_below(level: str) -> list[tuple[str, str]]:
    return [(code, label) for code, label in SafetyLevel.choices
            if SAFETY_RANK[code] < SAFETY_RANK[level]]


class LowerSafetyForm(forms.Form):
    level = forms.ChoiceField(label=gettext_lazy("Lower it to"), widget=forms.RadioSelect)
    seen = forms.ChoiceField(choices=SafetyLevel.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Why (required)"), max_length=REASON_MAX_LENGTH, strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=gettext_lazy("Kept as your staff note on this submission."))

    def __init__(self, sub: Submission, *args, **kwargs):
        super().__init__(*args, initial={"seen": sub.safety_level}, **kwargs)
        self.sub = sub
        self.fields["level"].choices = levels_below(sub.safety_level)

    def clean_seen(self):
        seen = self.cleaned_data["seen"]
        if seen != self.sub.safety_level:
            raise forms.ValidationError(_(
                "The safety level changed to “%(level)s” after you opened this page: check the "
                "case again.") % {"level": wording.safety_level(self.sub.safety_level)})
        return seen


def lower_safety(sub: Submission, form: LowerSafetyForm, user) -> bool:
    """Lower the level from the one the clinician saw, with their reason as a note; False if it
    changed in the meantime (a new answer raised it): nothing is written then."""
    old, new = form.cleaned_data["seen"], form.cleaned_data["level"]
    with transaction.atomic():
        if not Submission.objects.filter(pk=sub.pk, safety_level=old).update(safety_level=new):
            return False
        note = StaffNote.objects.create(
            submission=sub, author=user,
            text=_("Safety level lowered from “%(old)s” to “%(new)s”. Reason: %(reason)s") % {
                "old": SafetyLevel(old).label, "new": SafetyLevel(new).label,
                "reason": form.cleaned_data["reason"]})
        audit.record(user, audit.SAFETY_LOWERED, sub, old=old, new=new, note_id=note.pk)
    sub.safety_level = new
    return True
