"""Page layouts for django-crispy-forms with the project's own template pack, `govuk`
(templates/govuk/): GOV.UK question-page markup (label or legend, hint, error with "Error:",
inputs tied by aria-describedby, radio ids the error summary links to, no asterisks).

A form declares its layout in `helper`; the page template renders it with `{% crispy form %}`
inside its own <form> element (which carries the CSRF token, the one-time token and the
buttons).

Each field is drawn by the pack's template for its kind (templates/govuk/fields/) from Django's
own BoundField: the forms set `bound_field_class = GovukBoundField`, which adds what the
templates need (ids, the error and hint it is described by) to the widget's own context
(`Widget.get_context`), so the attributes a form sets on a widget reach the page whatever the
kind of field. A radio, checkbox or select list is drawn in one template loop.
"""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.template.loader import get_template, render_to_string
from django.utils.functional import cached_property
from django.utils.safestring import SafeString

from .fields import DATE_PARTS, MemorableDateWidget, date_error_parts

__all__ = ["Field", "GovukBoundField", "Group", "Question", "Revealed", "helper", "Layout"]


def _kind(widget) -> str:
    """The pack's name for a widget's kind of field (its template in govuk/fields/)."""
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, MemorableDateWidget):
        return "date"
    if isinstance(widget, forms.CheckboxSelectMultiple):  # a subclass of RadioSelect: first
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


TEMPLATES = {"radios": "choices", "checkboxes": "choices", "date": "date",
             "checkbox": "checkbox", "select": "text", "textarea": "text", "input": "text"}
# The pack's class for each kind's control, before the widget's own classes.
CONTROL_CLASS = {"radios": "choice__input", "checkboxes": "choice__input",
                 "checkbox": "choice__input", "select": "select", "textarea": "textarea",
                 "input": "input"}


class GovukBoundField(forms.BoundField):
    """A form field as the govuk pack draws it: Django's BoundField with the ids its hint and
    error take, and the widget's own context with the pack's classes and aria attributes
    added to the widget's attributes (`widget_context`)."""

    @cached_property
    def kind(self) -> str:
        return _kind(self.field.widget)

    @cached_property
    def template(self) -> str:
        return f"govuk/fields/{TEMPLATES[self.kind]}.html"

    @cached_property
    def error(self):
        return self.errors[0] if self.errors else ""

    @cached_property
    def hint_id(self) -> str:
        return f"{self.auto_id}-hint" if self.help_text else ""

    @cached_property
    def error_id(self) -> str:
        return f"{self.auto_id}-error" if self.errors else ""

    @cached_property
    def describedby(self) -> str:
        """The ids of its hint and error, for aria-describedby."""
        return " ".join(i for i in (self.hint_id, self.error_id) if i)

    @cached_property
    def wrong_parts(self) -> tuple[str, ...]:
        """The boxes of a memorable date to mark as wrong."""
        return date_error_parts(self)

    @cached_property
    def error_anchor(self) -> str:
        """Where an error-summary link lands: the first option of a group, the first wrong
        box of a date, else the control."""
        if self.kind in ("radios", "checkboxes"):
            return f"{self.auto_id}_0"
        if self.kind == "date":
            first = next((p for p in DATE_PARTS if p in self.wrong_parts), "month")
            return f"{self.auto_id}_{first}"
        return self.auto_id

    @cached_property
    def widget_context(self) -> dict:
        """The widget's own context (`Widget.get_context`, as `as_widget` draws it) with the
        pack's attributes: its class before the widget's own, the id, and on a box the
        aria attributes (a group's go on its fieldset)."""
        widget, kind = self.field.widget, self.kind
        attrs = {"id": self.auto_id} if self.auto_id else {}
        if kind in CONTROL_CLASS:
            error = kind in ("select", "textarea", "input") and self.errors
            attrs["class"] = " ".join(c for c in (CONTROL_CLASS[kind], widget.attrs.get("class"),
                                                  error and "input--error") if c)
        if kind in ("checkbox", "select", "textarea", "input") and self.describedby:
            attrs["aria-describedby"] = self.describedby
        if kind in ("select", "textarea", "input") and self.errors:
            attrs["aria-invalid"] = "true"
        return widget.get_context(self.html_name, self.value(), attrs)["widget"]

    @cached_property
    def own_attrs(self) -> dict:
        """The attributes the form set on the widget, besides the class (which joins the
        pack's) and the id: drawn on each option of a list, as Django's own templates do."""
        return {name: value for name, value in self.field.widget.attrs.items()
                if name not in ("class", "id")}

    @cached_property
    def options(self) -> list[dict]:
        """A radio or checkbox list's options, each as its widget makes it (name, value,
        label, attrs with its id and checked state)."""
        return [option for _group, options, _index in self.widget_context["optgroups"]
                for option in options]


class Question(Field):
    """One field as a GOV.UK question. Options: `inline` (radios side by side), `small`
    (legend in body size, for a question inside a group), `hidden_label` (the label is read
    out but not shown), `wrapper_class` (classes on the form group), `template` (a template
    of the pack's own for this field instead of the one for its kind).

    The field (a GovukBoundField) is drawn by the pack's template for its kind
    (govuk/fields/choices.html, date.html, checkbox.html, text.html) with a context of its
    own (`BoundField.get_context`), its form and the options above. crispy's generic
    render_field would copy the whole page context into every field's template; a PHQ-9 page
    has nine of them.
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
            if bound.kind == "hidden":
                html.append(str(bound))
                continue
            html.append(get_template(own_template or bound.template).render(
                {**(extra_context or {}), **bound.get_context(), "form": form, **self.options,
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
        return render_to_string(self.get_template_name(template_pack), {
            "group": {"legend": self.legend, "hint": self.hint, "css_id": self.css_id,
                      "css_class": self.css_class},
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
                                {"css_class": self.css_class, "fields": html})


def helper(*fields) -> FormHelper:
    """A FormHelper for a page: no <form> tag (the page template has it), the layout given."""
    h = FormHelper()
    h.form_tag = False
    h.disable_csrf = True
    if fields:
        h.layout = Layout(*_questions(fields))
    return h
