"""Template helpers for the patient pages and the `govuk` crispy template pack.

`field_info` (and the `govuk` filter, its default form) prepares one field for the pack's
templates in Python: which template draws its kind, its ids, the ids it is described by, its
error, its classes and aria attributes, and its options drawn with their checked state. A
radio or checkbox list is drawn in one loop, which is several times faster than Django's one
widget template per option, and keeps the ids (`id_<name>_<n>`) the error summary links to.
"""

from __future__ import annotations

import html

from django import template
from django.conf import settings
from django.forms.widgets import (
    CheckboxInput,
    CheckboxSelectMultiple,
    HiddenInput,
    RadioSelect,
    Select,
    Textarea,
)
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from intake.context_processors import clinic_settings
from intake.fields import DATE_PARTS, MemorableDateWidget, date_error_parts

register = template.Library()


_FIXED_PARTS: dict[tuple, str] = {}


@register.simple_tag
def fixed_part(template_name: str) -> str:
    """A part of every page that depends only on the clinic's settings and the language (the
    header with the crisis contacts, the footer), drawn once per process and language rather
    than at every request. Its template sees `clinic` and nothing else: not the request, not
    the patient, so what is kept is the same for everyone. Drawn anew each time in development
    (DEBUG), where templates change while the server runs."""
    clinic = clinic_settings()
    if settings.DEBUG:
        return render_to_string(template_name, {"clinic": clinic})
    key = (template_name, get_language(), *clinic.values())
    html = _FIXED_PARTS.get(key)
    if html is None:
        if len(_FIXED_PARTS) > 100:  # a few per language; only tests change the settings
            _FIXED_PARTS.clear()
        html = _FIXED_PARTS[key] = render_to_string(template_name, {"clinic": clinic})
    return html


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


def _kind(widget) -> str:
    if isinstance(widget, HiddenInput):
        return "hidden"
    if isinstance(widget, MemorableDateWidget):
        return "date"
    if isinstance(widget, CheckboxSelectMultiple):  # a subclass of RadioSelect: first
        return "checkboxes"
    if isinstance(widget, RadioSelect):
        return "radios"
    if isinstance(widget, CheckboxInput):
        return "checkbox"
    if isinstance(widget, Select):
        return "select"
    if isinstance(widget, Textarea):
        return "textarea"
    return "input"


def _as_text(value) -> str:
    return "" if value is None else str(value)


# The HTML of lazily translated labels, per language: a PHQ-9 page shows 36 option labels,
# and translating each anew costs more than drawing it. Keyed by the label object (kept in the
# value, so its id cannot be reused) and the language.
_LABELS: dict[tuple[int, str | None], tuple[Promise, str]] = {}


def _escaped(value, language: str | None = None) -> str:
    """HTML-escaped text, as Django's conditional_escape (safe strings are kept as they are)
    but without its lazy-string wrapper: option lists are the hot path of a question page."""
    if isinstance(value, Promise):
        key = (id(value), language)
        cached = _LABELS.get(key)
        if cached is None or cached[0] is not value:
            if len(_LABELS) > 10_000:  # labels are module constants; this never fills in use
                _LABELS.clear()
            cached = _LABELS[key] = (value, _escaped(str(value)))
        return cached[1]
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def safe_text(value, language: str | None = None) -> SafeString:
    """Text escaped once here, for a template to place: its {{ }} keeps a safe string as it
    is, rather than escaping it again through Django's lazy-string wrappers. The pack's
    templates get their texts so (a medicine page places about 150)."""
    if isinstance(value, Promise):
        return SafeString(_escaped(value, language or get_language()))
    return SafeString(_escaped(value)) if value else NOTHING


NOTHING = SafeString("")


DIVIDER = '<p class="choice-divider">{}</p>\n'

# The options of each radio or checkbox question drawn in pieces, per field, name, ids and
# language: only which are checked changes from one patient to the next. Keyed by the choices'
# id with the choices kept in the value (so that id cannot be reused while kept); choices made
# anew for each form (labels naming the patient's own treatments) are simply drawn anew.
_OPTIONS: dict[tuple, tuple[object, list]] = {}


def choices_html(choices, name: str, auto_id: str, input_type: str, chosen: set[str]):
    """A radio or checkbox question's options with the `chosen` values checked, drawn in one
    loop here rather than by a template node per attribute (the PHQ-9 page has 36 of them),
    once per choices, name, ids and language. The markup is the pack's
    (templates/govuk/fields/choices.html places it); "None of these" comes after an "or"."""
    key = (id(choices), name, auto_id, input_type, get_language())
    kept = _OPTIONS.get(key)
    if kept is None or kept[0] is not choices:
        if len(_OPTIONS) > 1_000:  # a few per question and language
            _OPTIONS.clear()
        kept = _OPTIONS[key] = (choices, _option_pieces(choices, name, auto_id, input_type))
    return _placed(kept[1], chosen, " checked")


def _option_pieces(choices, name: str, auto_id: str, input_type: str) -> list[tuple]:
    """(value, markup up to where " checked" goes, the rest) for each option; the "or"
    divider is a piece with no value."""
    pieces, language = [], get_language()
    for index, (code, label) in enumerate(choices):
        value = _as_text(code)
        if value == "none" and input_type == "checkbox":
            pieces.append((None, DIVIDER.format(_escaped(_("or"))), ""))
        pieces.append((value, *_box(f"{auto_id}_{index}", name, input_type, value,
                                    _escaped(label, language))))
    return pieces


def _box(option_id: str, name: str, input_type: str, value: str, label_html: str):
    """One option, in two pieces: up to where " checked" goes, and the rest."""
    option_id = _escaped(option_id)
    return (f'<div class="choice"><input class="choice__input" id="{option_id}" '
            f'name="{_escaped(name)}" type="{input_type}" value="{_escaped(value)}"',
            f'><label class="choice__label" for="{option_id}">{label_html}</label></div>\n')


_PAIRED: dict[tuple, tuple[object, object, list]] = {}


@register.simple_tag
def options_with_unsure_html(field, unsure):
    """The health conditions: each option with its own "I am not sure" box under it (the
    `unsure` field's option at the same place), "None of these" after an "or". Drawn once per
    choices, names, ids and language, like choices_html; only which boxes are ticked changes
    from one patient to the next. templates/govuk/health_conditions.html places it."""
    choices, unsure_choices = field.field.choices, unsure.field.choices
    key = (id(choices), id(unsure_choices), field.html_name, field.auto_id, unsure.html_name,
           unsure.auto_id, get_language())
    kept = _PAIRED.get(key)
    if kept is None or kept[0] is not choices or kept[1] is not unsure_choices:
        if len(_PAIRED) > 100:  # one per language
            _PAIRED.clear()
        kept = _PAIRED[key] = (choices, unsure_choices,
                               _paired_pieces(field, unsure, choices, unsure_choices))
    chosen = {("field", v) for v in _chosen(field)} | {("unsure", v) for v in _chosen(unsure)}
    return _placed(kept[2], chosen, " checked")


def _chosen(field) -> set[str]:
    """The values a choice field shows as chosen, as text."""
    value = field.value()
    return {_as_text(v) for v in value} if isinstance(value, list | tuple) \
        else {_as_text(value)}


def _paired_pieces(field, unsure, choices, unsure_choices) -> list[tuple]:
    language = get_language()
    not_sure = _escaped(_("I am not sure"))
    pieces = []
    for index, (code, label) in enumerate(choices):
        value, label = _as_text(code), _escaped(label, language)
        box, after = _box(f"{field.auto_id}_{index}", field.html_name, "checkbox", value, label)
        if value == "none":
            pieces.append((("field", value), DIVIDER.format(_escaped(_("or"))) + box,
                           after + "\n"))
            continue
        unsure_value = _as_text(unsure_choices[index][0])
        unsure_box, unsure_after = _box(
            f"{unsure.auto_id}_{index}", unsure.html_name, "checkbox", unsure_value,
            f'{not_sure}<span class="visually-hidden">: {label}</span>')
        pieces.append((("field", value), '<div class="choice-item">\n' + box, after))
        pieces.append((("unsure", unsure_value), '<div class="choice-unsure">' + unsure_box,
                       unsure_after[:-1] + "</div>\n</div>\n"))
    return pieces


def _placed(pieces, chosen, mark: str):
    """Markup pieces joined, with `mark` (" checked", " selected") after the chosen values."""
    return mark_safe("".join(  # noqa: S308 (every value escaped where the pieces are drawn)
        f"{head}{mark if value in chosen else ''}{tail}" for value, head, tail in pieces))


def select_html(choices, chosen: str):
    """A select's options and optgroups (the medicine list has about 50), in one loop, with
    the chosen one selected."""
    return _placed(_select_pieces(choices), {chosen}, " selected")


def _select_pieces(choices) -> list[tuple[str | None, str, str]]:
    """A select's markup drawn in pieces: (value, up to where " selected" may go, the rest);
    optgroup tags are pieces with no value. Choices that keep a `drawn` dict (the medicine
    Menu, built once per catalog) keep their pieces there, per language."""
    language = get_language()
    kept = getattr(choices, "drawn", None)
    if kept is not None and language in kept:
        return kept[language]
    pieces = []

    def option(code, label):
        value = _as_text(code)
        pieces.append((value, f'<option value="{_escaped(value)}"',
                       f'>{_escaped(label, language)}</option>'))

    for code, label in choices:
        if isinstance(label, list | tuple):
            pieces.append((None, f'<optgroup label="{_escaped(code, language)}">', ""))
            for sub_code, sub_label in label:
                option(sub_code, sub_label)
            pieces.append((None, "</optgroup>", ""))
        else:
            option(code, label)
    if kept is not None:
        kept[language] = pieces
    return pieces


# The pack's template for each kind of field (templates/govuk/fields/).
TEMPLATES = {"radios": "choices", "checkboxes": "choices", "date": "date",
             "checkbox": "checkbox", "select": "text", "textarea": "text", "input": "text"}


def _attributes(attrs: dict) -> SafeString:
    """An input's attributes as Django's flatatt draws them (sorted, booleans last and bare,
    None and False left out), without its lazy-string wrappers: every text box draws them."""
    pairs = sorted((k, v) for k, v in attrs.items() if v is not None and not isinstance(v, bool))
    bare = sorted(k for k, v in attrs.items() if v is True)
    return SafeString("".join(f' {_escaped(k)}="{_escaped(v)}"' for k, v in pairs)
                      + "".join(f" {_escaped(k)}" for k in bare))


def _classes(*names) -> str:
    return " ".join(name for name in names if name)


@register.filter
def govuk(field) -> dict:
    """Everything the pack's field templates need about one bound field, as the default
    layout draws it."""
    return field_info(field)


def field_info(field, *, inline=False, small=False, hidden_label=False,
               wrapper_class="") -> dict:
    """Everything the pack's field templates (templates/govuk/fields/) need about one bound
    field, with the layout's options (intake/layout.py, Question) applied: ids, label, hint,
    error, the classes and aria attributes ready to place, and its options drawn."""
    widget = field.field.widget
    kind = _kind(widget)
    language = get_language()

    def text(value):
        return safe_text(value, language)

    auto_id = field.auto_id
    hint_id = f"{auto_id}-hint" if field.help_text else ""
    error = field.errors[0] if field.errors else ""
    error_id = f"{auto_id}-error" if error else ""
    described = " ".join(i for i in (hint_id, error_id) if i)
    described_attr = f' aria-describedby="{_escaped(described)}"' if described else ""
    info = {"kind": kind, "template": f"govuk/fields/{TEMPLATES.get(kind, 'text')}.html",
            "id": text(auto_id), "name": text(field.html_name), "label": text(field.label),
            "hint": text(field.help_text), "hint_id": text(hint_id), "error": text(error),
            "error_id": text(error_id), "describedby": text(described),
            "group_class": text(_classes("form-group", error and "form-group--error",
                                         wrapper_class)),
            # aria-describedby on a fieldset or a checkbox; on a box, aria-invalid as well
            "described_attr": SafeString(described_attr),
            "control_attrs": SafeString(described_attr
                                        + (' aria-invalid="true"' if error else ""))}
    if kind in ("radios", "checkboxes", "date"):  # a fieldset: the label is its legend
        info["legend_class"] = text(_classes("legend", small and "legend--s",
                                             hidden_label and "visually-hidden"))
    else:
        info["label_class"] = text(_classes("label", small and "label--s",
                                            hidden_label and "visually-hidden"))
    value = field.value()
    if kind in ("radios", "checkboxes"):
        info["options_class"] = text(_classes(kind, inline and "radios--inline"))
        info["options_html"] = choices_html(field.field.choices, field.html_name, auto_id,
                                            "radio" if kind == "radios" else "checkbox",
                                            _chosen(field))
    elif kind == "select":
        info["options_html"] = select_html(field.field.choices, _as_text(value))
        info["control_class"] = text(_classes("select", error and "input--error"))
    elif kind == "date":
        values = value if isinstance(value, list | tuple) else widget.decompress(value)
        wrong = date_error_parts(field)
        info["parts"] = [
            {"name": f"{field.html_name}_{name}", "id": f"{auto_id}_{name}", "label": label,
             "autocomplete": autocomplete, "width": width,
             "value": _as_text(values[index] if index < len(values) else ""),
             "error": name in wrong}
            for index, (name, label, autocomplete, width) in enumerate(MemorableDateWidget.PARTS)]
        info["first_wrong"] = f"{auto_id}_{next((p for p in DATE_PARTS if p in wrong), 'month')}"
    elif kind == "checkbox":
        info["checked"] = bool(value)
    else:
        attrs = dict(widget.attrs)
        info["control_class"] = text(_classes(kind if kind == "textarea" else "input",
                                              attrs.pop("class", ""), error and "input--error"))
        if kind == "input":
            attrs["type"] = getattr(widget, "input_type", "text") or "text"
            if value not in (None, ""):
                attrs["value"] = field.field.widget.format_value(value)
        max_length = getattr(field.field, "max_length", None)
        if max_length and kind == "input":
            attrs.setdefault("maxlength", max_length)
        info["attrs"] = _attributes(attrs)
        info["value"] = _as_text(value) if kind == "textarea" else ""
    return info


@register.filter
def error_anchor(field) -> str:
    """Where an error-summary link should land: the first option of a group, the first wrong
    box of a date, else the input."""
    widget = field.field.widget
    if isinstance(widget, RadioSelect | CheckboxSelectMultiple):
        return f"{field.auto_id}_0"
    if isinstance(widget, MemorableDateWidget):
        wrong = date_error_parts(field)
        return f"{field.auto_id}_{next((p for p in DATE_PARTS if p in wrong), 'month')}"
    return field.auto_id


@register.filter
def index(sequence, position):
    """sequence[position], or None."""
    try:
        return sequence[position]
    except (IndexError, TypeError, KeyError):
        return None
