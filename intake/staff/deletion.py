"""Deleting drafts from the staff site ("Delete the selected drafts" and a draft's delete page).

Never deleted here: a submitted intake (a clinical record), a draft with a safety flag (a
clinician must deal with it), or a draft with an alert not yet delivered (still pending, held
or given up). Every deletion goes through a confirmation page that names the drafts that will go
and those kept back, with why; on confirmation the rule is checked again on the locked rows, so
a draft flagged in between is kept. Each deleted draft and each draft kept back is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from .. import audit, wording
from ..models import Alert, SafetyLevel, Submission

DELIVERED = (Alert.Status.SENT, Alert.Status.REPLACED)

SUBMITTED, FLAGGED, ALERT = "submitted", "flagged", "undelivered_alert"  # wording.KEPT_WORDS
CONFIRM_TEMPLATE = "admin/intake/submission/delete_drafts.html"


def why_kept(sub: Submission) -> str:
    """The code of the reason `sub` (annotated by `sort`) may not be deleted, or ""."""
    if sub.is_submitted:
        return SUBMITTED
    if sub.safety_level != SafetyLevel.NONE:
        return FLAGGED
    if sub.undelivered_alert:
        return ALERT
    return ""


def sort(queryset: QuerySet) -> tuple[list[Submission], list[tuple[Submission, str]]]:
    """The drafts that may go, and those kept back with the reason's words."""
    undelivered = Alert.objects.filter(submission=OuterRef("pk")).exclude(status__in=DELIVERED)
    go, kept = [], []
    for sub in queryset.annotate(undelivered_alert=Exists(undelivered)).order_by("pk"):
        reason = why_kept(sub)
        if reason:
            kept.append((sub, reason))
        else:
            go.append(sub)
    return go, kept


def audit_kept(request, kept) -> None:
    for sub, reason in kept:
        audit.record(request.user, audit.DELETE_REFUSED, sub, reason=reason)


def confirmation(request, model_admin, queryset, *, action: str = "") -> TemplateResponse:
    """The page that names what will be deleted and what is kept back. Its form posts back to
    this address with `post`, and for an admin action the action and the drafts that may go."""
    go, kept = sort(queryset)
    audit_kept(request, kept)
    return TemplateResponse(request, CONFIRM_TEMPLATE, {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Delete drafts?"),
        "go": go,
        "kept": [(sub, wording.KEPT_WORDS[reason]) for sub, reason in kept],
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "form_url": request.get_full_path(),
    })


def delete_confirmed(request, queryset) -> list[str]:
    """Delete the drafts of `queryset` that may still go (their rows locked while checked);
    audit each; tell the user what went and what was kept. Returns the deleted references."""
    with transaction.atomic():
        go, kept = sort(queryset.select_for_update(of=("self",)))
        for draft in go:
            audit.record(request.user, audit.DRAFT_DELETED, draft)
            draft.delete()
        audit_kept(request, kept)
    deleted = [draft.reference for draft in go]
    if deleted:
        messages.success(request, _("Deleted %(n)s draft(s): %(refs)s.") % {
            "n": len(deleted), "refs": ", ".join(deleted)})
    else:
        messages.info(request, _("No draft was deleted."))
    if kept:
        messages.warning(request, _("Kept back: %s.") % "; ".join(
            f"{sub.reference} ({wording.KEPT_WORDS[reason]})" for sub, reason in kept))
    return deleted
