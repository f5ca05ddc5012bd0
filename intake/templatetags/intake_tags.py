"""Template helpers for the patient pages and the `govuk` crispy template pack
(templates/govuk/; its fields are drawn from intake.patient.layout.GovukBoundField)."""

from __future__ import annotations

from itertools import zip_longest

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def section_caption(context) -> str:
    """"Question section 2 of 5: Your treatments", above a question page's heading (a tag
    rather than an include: every question page draws it)."""
    section, step = context.get("section"), context.get("step")
    if not section:
        return ""
    return format_html('<p class="section-caption">{}</p>', _(
        "Question section %(n)s of %(total)s: %(name)s") % {
        "n": section, "total": context.get("sections_total"), "name": step.section_title})


@register.simple_tag(takes_context=True)
def save_later_link(context) -> str:
    """The "Save and come back later" link, on the pages of a draft not yet submitted."""
    sub = context.get("submission")
    if sub is None or not sub.pk or sub.is_submitted:
        return ""
    return format_html('<p><a href="{}">{}</a></p>', reverse("intake:save"),
                       _("Save and come back later"))


@register.filter
def paired(options, others) -> list[tuple]:
    """Two option lists side by side, (option, the other list's option at the same place or
    None): the health conditions and their "I am not sure" boxes."""
    return list(zip_longest(options, others or ()))
