"""Small template helpers for the patient pages."""

from django import template
from django.forms.widgets import CheckboxSelectMultiple, RadioSelect

register = template.Library()


@register.filter
def error_anchor(field) -> str:
    """Where an error-summary link should land: the first option of a group, else the input."""
    widget = field.field.widget
    if isinstance(widget, RadioSelect | CheckboxSelectMultiple):
        return f"{field.auto_id}_0"
    if getattr(widget, "input_type", None) == "memorable-date":
        return f"{field.auto_id}_month"
    return field.auto_id


@register.filter
def field_control(field):
    """Render an input with Bootstrap classes, error state and aria-describedby."""
    attrs = {}
    classes = [field.field.widget.attrs.get("class", ""), "form-control"]
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        classes.append("is-invalid")
        described.append(f"{field.auto_id}-error")
        attrs["aria-invalid"] = "true"
    if described:
        attrs["aria-describedby"] = " ".join(described)
    attrs["class"] = " ".join(c for c in classes if c)
    return field.as_widget(attrs=attrs)
