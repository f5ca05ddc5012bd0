"""Check your answers, submit, and the results page."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from ... import services
from ...delivery import alerts
from ...screening.parse import MAX_ITEMS as MAX_MEDICINES  # what the screening rules take
from ..check_answers import answer_rows
from ..results import results_context
from ..steps import STEPS, first_unfinished, step_url
from .drafts import current_draft, next_url, page
from .stale import draft_or_start


@require_http_methods(["GET", "POST"])
def check(request):
    sub, elsewhere = draft_or_start(request, "check")
    if elsewhere:
        return elsewhere
    if first_unfinished(sub) is not None:
        return redirect(next_url(sub))
    if request.method == "POST":
        if sub.trials.count() > MAX_MEDICINES:  # listed before the cap: the rules take no more
            return redirect("intake:medicines")
        services.submit(sub.pk, alerts.site_base(request))  # a second POST changes nothing
        return redirect("intake:results", reference=sub.reference)
    last = next(step for step in reversed(STEPS) if step.applies(sub))
    return page(request, "intake/check.html", sub=sub, rows=answer_rows(sub),
                back_url=step_url(last.slug))


@require_safe
def results(request, reference):
    sub = current_draft(request)
    if sub is None or sub.reference != reference or not sub.is_submitted:
        raise Http404
    assessment = sub.assessments.filter(trigger="submitted").order_by("created_at").first()
    if assessment is None:
        raise Http404
    return page(request, "intake/results.html", sub=sub, **results_context(sub, assessment))
