"""Escalation until contact: a flagged case with no contact recorded is escalated, and again,
until someone records contact.

Opening a case is not handling it: only a contact attempt that reached the patient (or sent
emergency services) stops escalation (`Submission.contacted_at`, set by the staff contact log).
An urgent case is escalated `URGENT_CONTACT_MINUTES` after its flag and again every
`URGENT_CONTACT_MINUTES` after the previous escalation, at most `LIMITS` times; a priority case
once, `PRIORITY_CONTACT_HOURS` after its flag. Each escalation is an `Alert` of kind escalation
numbered by `sequence` (1, 2, ...: unique per case), e-mailed to `CLINIC_ESCALATION_EMAILS`;
`Submission.escalated_at` is the last one. A case whose level rises is flagged again and keeps
its count: a priority case escalated once goes on from 2 of 6 when it becomes urgent.

The worker's periodic sweep calls `queue_due` every minute; it is safe to call from several
processes at once (each escalation is claimed by a conditional update of the case).
"""

from __future__ import annotations

import operator
from datetime import datetime
from functools import reduce

from django.db import transaction
from django.db.models import Case, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce

from ..models import Alert, Submission
from . import alerts
from .deadlines import LIMITS, contact_deadline


def any_of(conditions) -> Q:
    return reduce(operator.or_, conditions)


def overdue(now: datetime):
    """Flagged cases with no contact recorded past their level's deadline, opened or not: the
    staff banner counts them, and they are the ones escalated."""
    return Submission.objects.filter(contacted_at__isnull=True).filter(any_of(
        Q(safety_level=level, flagged_at__lt=now - contact_deadline(level)) for level in LIMITS))


def due(now: datetime):
    """The cases whose next escalation is due now, each with `escalations` (how many it had)."""
    escalations = Alert.objects.filter(submission=OuterRef("pk"), kind=Alert.Kind.ESCALATION)
    since = Case(When(escalated_at__gte=F("flagged_at"), then=F("escalated_at")),
                 default=F("flagged_at"))
    return (Submission.objects.filter(contacted_at__isnull=True, flagged_at__isnull=False)
            .annotate(
                escalations=Coalesce(
                    Subquery(escalations.order_by("-sequence").values("sequence")[:1]), 0),
                since=since)
            .filter(any_of(Q(safety_level=level, since__lte=now - contact_deadline(level),
                             escalations__lt=limit) for level, limit in LIMITS.items()))
            .order_by("flagged_at", "pk"))


def queue_due(now: datetime) -> int:
    """Queue every escalation due at `now`; returns how many were queued.

    Each case's escalation is claimed by moving its `escalated_at` from the value read to `now`
    (a conditional update), so two sweeps running at once queue it once; the alert's unique
    (case, kind, sequence) is the second guard. Alerts held back by a burst then go out in one
    digest (`alerts.queue_digest`).
    """
    queued = 0
    for sub in due(now):
        with transaction.atomic():
            won = Submission.objects.filter(
                pk=sub.pk, safety_level=sub.safety_level, flagged_at=sub.flagged_at,
                escalated_at=sub.escalated_at, contacted_at__isnull=True,
            ).update(escalated_at=now)
            if won and alerts.queue(sub, Alert.Kind.ESCALATION, alerts.site_base(),
                                    sequence=sub.escalations + 1):
                queued += 1
    alerts.queue_digest(now)
    return queued
