"""The medicines tried: an "add another" list, each medicine on a page of its own."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ...models import MedicationTrial, Submission
from ...reference import page_catalog
from ...screening.parse import MAX_ITEMS as MAX_MEDICINES  # what the screening rules take
from ..check_answers import medicine_summary
from ..forms import MedicineForm, MoreMedicinesForm
from ..medicine_choices import Menu, catalog_choices, full_menu, search_catalog
from ..steps import BY_SLUG, is_reachable
from .drafts import (
    client_token,
    locked_draft,
    next_url,
    page,
    posted,
    returning_to_check,
    save_page,
)
from .stale import draft_or_start, sent_elsewhere


def medicine_step_guard(request):
    sub, elsewhere = draft_or_start(request)
    if elsewhere:
        return None, elsewhere
    if not is_reachable(BY_SLUG["medicines"], sub):
        return None, redirect(next_url(sub))
    return sub, None


@require_http_methods(["GET", "POST"])
def medicines(request):
    sub, elsewhere = medicine_step_guard(request)
    if elsewhere:
        return elsewhere
    trials = list(sub.trials.select_related("medication"))
    form = MoreMedicinesForm(posted(request), first=not trials)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["add_another"] == "yes":
            return redirect("intake:medicine_add")
        with transaction.atomic():
            locked = locked_draft(sub.pk)
            if locked is not None:
                save_page(locked, (), "medicines")
        if locked is None:
            return sent_elsewhere(request)
        return redirect(next_url(locked, returning_to_check(request)))
    return page(request, "intake/medicines.html", sub=sub, step=BY_SLUG["medicines"], form=form,
                trials=[(trial, medicine_summary(trial)) for trial in trials],
                returning=returning_to_check(request), limit=MAX_MEDICINES,
                over=max(len(trials) - MAX_MEDICINES, 0))


def medicines_full(request, sub: Submission):
    """The add page of a list that holds MAX_MEDICINES already: a message, nothing saved."""
    return page(request, "intake/medicine_limit.html", sub=sub, step=BY_SLUG["medicines"],
                limit=MAX_MEDICINES, status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
def medicine_edit(request, position=None):
    sub, elsewhere = medicine_step_guard(request)
    if elsewhere:
        return elsewhere
    if position is None and sub.trials.count() >= MAX_MEDICINES:
        return medicines_full(request, sub)
    catalog = page_catalog()
    trial = None
    if position is not None:
        trial = sub.trials.filter(position=position).first()
        if trial is None:
            raise Http404
        if trial.medication_id is not None:  # its catalog row, from the catalog in hand
            row = next((m for m in catalog.values() if m.pk == trial.medication_id), None)
            if row is not None:
                trial.medication = row
    query = request.POST.get("search", "")[:100] if request.method == "POST" else ""
    searching = request.method == "POST" and request.POST.get("action") == "search"
    search = search_catalog(catalog.values(), query) if searching else None
    kept = trial.medication if trial else None  # offered even if staff made it inactive
    if search is None and (kept is None or kept.active):
        menu = full_menu(catalog)
    else:
        menu = Menu(catalog_choices(catalog.values(), search.slugs if search else None, keep=kept))
    data = request.POST if request.method == "POST" and not searching else None
    if searching:
        initial = request.POST.dict()
        if search is not None and len(search.slugs) == 1:  # one match: chosen, in its unit
            (slug,) = search.slugs
            initial.update(medication=slug, dose_unit=catalog[slug].dose_unit)
    else:
        initial = MedicineForm.initial_for(trial)
    form = MedicineForm(data, menu=menu, catalog=catalog, initial=initial)
    returning = returning_to_check(request)
    if data is not None and form.is_valid():
        token = client_token(request)
        with transaction.atomic():
            # Under the draft's lock: the next position, and whether this very form (same
            # one-time token) was saved already, cannot change until this one is stored.
            locked = locked_draft(sub.pk)
            if locked is None:
                return sent_elsewhere(request)
            if trial is not None:
                trial = locked.trials.filter(pk=trial.pk).first()  # removed in another tab?
            elif not (token and locked.trials.filter(client_token=token).exists()):
                if locked.trials.count() >= MAX_MEDICINES:  # filled in another tab meanwhile
                    return medicines_full(request, locked)
                last = locked.trials.order_by("-position").first()
                trial = MedicationTrial(submission=locked, client_token=token,
                                        position=last.position + 1 if last else 1)
            if trial is not None:
                form.apply_to(trial, catalog).save()
                locked.save(update_fields=["updated_at"])
        if returning:  # changed from Check your answers: straight back there
            return redirect(next_url(sub, returning=True))
        return redirect("intake:medicines")
    back = reverse("intake:check") if returning else reverse("intake:medicines")
    return page(request, "intake/medicine.html", sub=sub, step=BY_SLUG["medicines"], form=form,
                trial=trial, query=query, searching=searching, search=search, back_url=back,
                client_token=client_token(request) or uuid.uuid4().hex)


@require_http_methods(["GET", "POST"])
def medicine_remove(request, position):
    sub, elsewhere = medicine_step_guard(request)
    if elsewhere:
        return elsewhere
    trial = get_object_or_404(MedicationTrial.objects.select_related("medication"),
                              submission=sub, position=position)
    if request.method == "POST":
        with transaction.atomic():
            locked = locked_draft(sub.pk)
            if locked is None:
                return sent_elsewhere(request)
            locked.trials.filter(pk=trial.pk).delete()
            locked.save(update_fields=["updated_at"])
        return redirect("intake:medicines")
    return page(request, "intake/medicine_remove.html", sub=sub, step=BY_SLUG["medicines"],
                trial=trial)
