"""Page layouts for django-crispy-forms with the project's own template pack, `govuk`
(templates/govuk/): GOV.UK question-page markup (label or legend, hint, error with "Error:",
inputs tied by aria-describedby, radio ids the error summary links to, no asterisks).

A form declares its layout in `helper`; the page template renders it with `{% crispy form %}`
inside its own <form> element (which carries the CSRF token, the one-time token and the
buttons). Radios and checkboxes are drawn in one template loop, not one widget template each.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from .templatetags.intake_tags import field_info, safe_text

__all__ = ["Field", "Group", "Question", "Revealed", "helper", "Layout"]


class Question(Field):
    """One field as a GOV.UK question. Options: `inline` (radios side by side), `small`
    (legend in body size, for a question inside a group), `hidden_label` (the label is read
    out but not shown), `wrapper_class` (classes on the form group), `template` (a template
    of the pack's own for this field instead of the one for its kind).

    The field is drawn by the pack's template for its kind (govuk/fields/choices.html,
    date.html, checkbox.html, text.html), chosen by `field_info`, with a context of just the
    field, its form and what field_info makes of it with the options above (classes, ids,
    aria attributes, options drawn). crispy's generic render_field would copy the whole page
    context into every field's template; a PHQ-9 page has nine of them.
    """

    def __init__(self, *fields, inline=False, small=False, hidden_label=False, page_heading=False,
                 **kwargs):
        super().__init__(*fields, **kwargs)
        self.options = {"inline": inline, "small": small, "hidden_label": hidden_label,
                        "wrapper_class": self.wrapper_class or ""}
        self.page_heading = page_heading

    def render(self, form, context, template_pack=TEMPLATE_PACK, extra_context=None, **kwargs):
        own_template = self.template if self.template != Field.template else None
        html = []
        for name in self.fields:
            if name in form.rendered_fields:
                continue  # crispy's rule: a field is drawn once
            form.rendered_fields.add(name)
            bound = form[name]
            info = field_info(bound, **self.options)
            if info["kind"] == "hidden":
                html.append(str(bound))
                continue
            html.append(get_template(own_template or info["template"]).render(
                {**(extra_context or {}), "field": bound, "form": form, "f": info,
                 "page_heading": self.page_heading}))
        return SafeString("".join(html))


def _questions(fields) -> list:
    """Layout entries with every bare field name made a Question (the pack's fast path)."""
    return [Question(f) if isinstance(f, str) else f for f in fields]


class Group(LayoutObject):
    """Several fields answering one question (a number and its unit, a number and "I don't
    know"): a fieldset with a legend and a hint; each field inside keeps its own error."""

    template = "%s/layout/group.html"

    def __init__(self, legend, *fields, hint="", css_id="", css_class=""):
        self.legend, self.hint, self.css_id, self.css_class = legend, hint, css_id, css_class
        self.fields = _questions(fields)

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        html = self.get_rendered_fields(form, context, template_pack, **kwargs)
        names = [getattr(f, "fields", [f])[0] for f in self.fields]
        errors = [form[name].errors for name in names if name in form.fields]
        language = get_language()
        return render_to_string(self.get_template_name(template_pack), {
            "group": {"legend": safe_text(self.legend, language),
                      "hint": safe_text(self.hint, language),
                      "css_id": safe_text(self.css_id), "css_class": safe_text(self.css_class)},
            "fields": html, "has_error": any(errors),
        })


class Revealed(LayoutObject):
    """Fields shown only when an answer is chosen (CSS :has(), no script); browsers without
    it show them always, with their hint saying when to answer."""

    template = "%s/layout/revealed.html"

    def __init__(self, *fields, css_class=""):
        self.fields = _questions(fields)
        self.css_class = css_class

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        html = self.get_rendered_fields(form, context, template_pack, **kwargs)
        return render_to_string(self.get_template_name(template_pack),
                                {"css_class": safe_text(self.css_class), "fields": html})


def helper(*fields) -> FormHelper:
    """A FormHelper for a page: no <form> tag (the page template has it), the layout given."""
    h = FormHelper()
    h.form_tag = False
    h.disable_csrf = True
    if fields:
        h.layout = Layout(*_questions(fields))
    return h
