"""The medication catalog in the staff admin: validated edits (plain messages, a minimum dose
never above the usual maximum, a reason for every change of a minimum, written into its source
with who and when), audited; rows are never deleted.

Two managers may edit one medicine at once. Each page carries the values it showed (Django's
hidden initial values); a save changes only what its manager changed, keeps what the other
saved meanwhile, and refuses a value both changed, naming the one saved first. The row is
locked from that check until the save commits.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import audit
from ..models import Medication
from .common import STAFF_CSS, local_time, user_name

CATALOG_AUDITED_FIELDS = ("min_adequate_mg_per_day", "usual_max_mg_per_day", "role",
                          "drug_class", "active")


class MedicationForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Why the minimum dose changes"), required=False, max_length=120,
        help_text=_("Needed when you change the minimum adequate dose, e.g. “2026 clinic "
                    "guideline”. It is added to the source with your name and today's date."))

    class Meta:
        model = Medication
        fields = ("slug", "generic_name", "brand_names", "drug_class", "role",
                  "min_adequate_mg_per_day", "usual_max_mg_per_day", "min_dose_source", "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        for name, field in self.fields.items():
            # a client that posts without what it saw is compared with the database instead
            if name != "change_reason" and (not self.is_bound or f"initial-{name}" in self.data):
                field.show_hidden_initial = True

    def _positive(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and value <= Decimal("0"):
            raise forms.ValidationError(
                _("Enter a dose above 0 mg/day, or leave it empty if there is none."))
        return value

    def clean_min_adequate_mg_per_day(self):
        return self._positive("min_adequate_mg_per_day")

    def clean_usual_max_mg_per_day(self):
        return self._positive("usual_max_mg_per_day")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:
            self._keep_what_others_saved(cleaned)
        low = cleaned.get("min_adequate_mg_per_day")
        high = cleaned.get("usual_max_mg_per_day")
        if low is not None and high is not None and low > high:
            self.add_error("min_adequate_mg_per_day", _(
                "The minimum adequate dose (%(low)s mg/day) cannot be above the usual maximum "
                "(%(high)s mg/day).") % {"low": _number(low), "high": _number(high)})
        if (self.instance.pk and "min_adequate_mg_per_day" in self.changed_data
                and not (cleaned.get("change_reason") or "").strip()):
            self.add_error("change_reason", _(
                "Say why the minimum dose changes (it goes into the source of the minimum)."))
        return cleaned

    def _keep_what_others_saved(self, cleaned) -> None:
        """Values saved by someone else since this page was opened: kept where this manager
        left the value as shown, an error where both changed it. Runs inside the admin's
        transaction; the row stays locked until this save commits (PostgreSQL; SQLite's
        write lock is held from the transaction's start)."""
        current = Medication.objects.select_for_update().get(pk=self.instance.pk)
        for name, field in self.fields.items():
            seen = self.data.get(f"initial-{name}")
            if not field.show_hidden_initial or seen is None:
                continue
            now = getattr(current, name)
            if not field.has_changed(now, seen):
                continue  # nobody else changed it
            if name not in self.changed_data:
                cleaned[name] = now  # theirs: this page did not touch it
            else:
                self.add_error(name, _(
                    "Someone else changed this to “%(value)s” after you opened the page. "
                    "Check it and enter your value again if it should still change."
                ) % {"value": _shown(field, now)})


def _number(value: Decimal) -> str:
    """A stored dose as staff typed it: 220, 0.025 (not 220.0000)."""
    return format(value.normalize(), "f")


def _shown(field, value) -> str:
    if value is None or value == "":
        return _("empty")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return _number(value)
    return str(dict(getattr(field, "choices", ())).get(value, value))


@admin.register(Medication)
class MedicationAdmin(admin.ModelAdmin):
    form = MedicationForm
    list_display = ("generic_name", "drug_class", "role", "min_adequate_mg_per_day",
                    "usual_max_mg_per_day", "active", "updated")
    list_filter = ("role", "active", "drug_class")
    search_fields = ("generic_name", "brand_names", "slug")
    readonly_fields = ("updated_at",)
    prepopulated_fields = {"slug": ("generic_name",)}

    class Media:
        css = STAFF_CSS

    @admin.display(description=_("updated"), ordering="updated_at")
    def updated(self, obj):
        return local_time(obj.updated_at)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": _("Medication catalog"),
                                                 **(extra_context or {})})

    def has_delete_permission(self, request, obj=None):
        return False  # histories name these rows: make one inactive instead

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f != "change_reason"]
        if obj is not None:
            at = fields.index("min_dose_source") if "min_dose_source" in fields else len(fields)
            fields.insert(at, "change_reason")
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("slug", "updated_at")  # stored answers and results refer to the slug
        return self.readonly_fields

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        """Save and audit. Catalog values are reference data, not health data, so the old and
        new values of the audited fields go into the audit row."""
        reason = (form.cleaned_data.get("change_reason") or "").strip()
        if change and "min_adequate_mg_per_day" in form.changed_data:
            stamp = timezone.localdate().isoformat()
            obj.min_dose_source = (f"{reason} (minimum changed {stamp} by "
                                   f"{user_name(request.user)})")[:255]
        super().save_model(request, obj, form, change)
        if not change:
            audit.record(request.user, audit.CATALOG_ADDED, obj, slug=obj.slug)
            return
        values = {
            name: [None if form.initial.get(name) is None else str(form.initial.get(name)),
                   None if getattr(obj, name) is None else str(getattr(obj, name))]
            for name in form.changed_data if name in CATALOG_AUDITED_FIELDS
        }
        detail = {"slug": obj.slug, "fields": sorted(set(form.changed_data) - {"change_reason"}),
                  "values": values}
        if reason:
            detail["reason"] = reason[:120]
        audit.record(request.user, audit.CATALOG_CHANGED, obj, **detail)
