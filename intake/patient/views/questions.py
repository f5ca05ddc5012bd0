"""The question pages, one per step, and the support page shown after safety answers."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from ... import services
from ...delivery import alerts
from ...models import SafetyLevel
from ..steps import BY_SLUG, QUESTION, SAFETY_STEPS, first_unfinished, is_reachable, step_at
from .drafts import (
    GONE,
    LATE_KEY,
    NEXT_KEY,
    SAFETY_PAGES,
    locked_draft,
    next_url,
    page,
    posted,
    returning_to_check,
    save_page,
)
from .stale import draft_or_start, stale_form


@require_http_methods(["GET", "POST"])
def step(request, slug):
    slug = step_at(slug, request.GET.get(QUESTION))
    step = BY_SLUG.get(slug)
    if step is None or step.form is None or step.url_name != "intake:step":
        raise Http404
    sub, elsewhere = draft_or_start(request, slug)
    if elsewhere:
        return elsewhere
    returning = returning_to_check(request)
    if not step.applies(sub) or not is_reachable(step, sub):
        return redirect(next_url(sub, returning))
    form = step.form(posted(request), submission=sub)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = locked_draft(sub.pk)
            if locked is not None:
                form.submission = locked
                form.save()
                save_page(locked, form.saves, slug)
                raised = services.refresh_safety(locked, alerts.site_base(request))
        if locked is None:  # sent (or deleted) while this page was open
            return stale_form(request, sub.pk, slug)
        if slug not in SAFETY_PAGES and not raised:
            return redirect(next_url(locked, returning))
        # Crisis contacts whenever a save raised the level (from any page, Check your answers
        # included), and after the safety questions for everyone with a level; shown at the
        # address every save of these pages goes to, so that the address tells nobody.
        support = (raised or (slug in SAFETY_STEPS and locked.safety_level != SafetyLevel.NONE)) \
            and first_unfinished(locked) is not BY_SLUG["safety-now"]
        if support:
            request.session[NEXT_KEY] = {"level": locked.safety_level}
        else:
            request.session.pop(NEXT_KEY, None)
        return redirect(reverse("intake:next") + ("?return=check" if returning else ""))
    asked_yes = slug in SAFETY_STEPS and "yes" in request.POST.values()
    templates = [f"intake/steps/{slug}.html", "intake/question.html"]
    return page(request, templates, sub=sub, step=step, form=form, asked_yes=asked_yes)


@require_safe
def support(request):
    """/intake/next/, where every save of a page with safety questions goes, flagged or not:
    the interruption page, crisis contacts first, when the save called for it (it said so in
    the session), else straight on to the next page. Answers posted after their draft left
    this browser come here too, then go on to the page that says what happened."""
    shown = request.session.get(NEXT_KEY) or {}
    level = shown.get("level") or SafetyLevel.NONE
    if shown.get("late"):
        if level == SafetyLevel.NONE:
            return redirect("intake:closed")
        return page(request, "intake/support.html", acute=level == SafetyLevel.ACUTE,
                    late=True, lost=request.session[LATE_KEY]["event"] == GONE,
                    continue_url=reverse("intake:closed"))
    sub, elsewhere = draft_or_start(request)
    if elsewhere:
        return elsewhere
    returning = returning_to_check(request)
    if level == SafetyLevel.NONE or sub.safety_level == SafetyLevel.NONE:
        return redirect(next_url(sub, returning))
    return page(request, "intake/support.html", sub=sub, step=BY_SLUG["safety"],
                acute=sub.safety_level == SafetyLevel.ACUTE,
                continue_url=next_url(sub, returning))
