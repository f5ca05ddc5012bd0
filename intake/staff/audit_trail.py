"""The audit trail for managers: read-only, in words (names, local times, what happened), with
a CSV export of what the filters show."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trdintake.errors import staff_bad_request

from .. import audit, wording
from ..models import AuditEvent
from .common import STAFF_CSS, csv_cell, csv_response, csv_time, local_time, user_name


def _words(kind: str, code) -> str:
    return wording.choice(kind, code) if code else "—"


def describe(event: AuditEvent) -> str:
    """The details of one event in plain words (never a health answer: none is stored)."""
    d = event.detail or {}
    a = event.action
    if a == audit.STATUS_CHANGED:
        return _("From “%(old)s” to “%(new)s”") % {"old": _words("review_status", d.get("old")),
                                                  "new": _words("review_status", d.get("new"))}
    if a == audit.ASSIGNED:
        return _("From %(old)s to %(new)s") % {
            "old": d.get("old_name") or (_("nobody") if d.get("old") is None
                                         else _("user #%s") % d["old"]),
            "new": d.get("new_name") or (_("nobody") if d.get("new") is None
                                         else _("user #%s") % d["new"])}
    if a == audit.NOTE_ADDED:
        return _("Note #%s (its text is on the submission)") % d.get("note_id")
    if a == audit.EXPORTED:
        if "count" in d:  # rows written before one row per submission
            return _("%(n)s submissions: %(refs)s") % {
                "n": d["count"], "refs": ", ".join(d.get("references", []))}
        return _("One of %(n)s submissions exported together") % {"n": d.get("batch_size")}
    if a == audit.REASSESSED:
        return _("New result (rules version %(v)s); the earlier one is kept") % {
            "v": d.get("rules_version")}
    if a == audit.CATALOG_CHANGED:
        parts = []
        for name, (old, new) in (d.get("values") or {}).items():
            parts.append(_("%(field)s %(old)s → %(new)s") % {
                "field": wording.field(name), "old": old or "—", "new": new or "—"})
        others = [wording.field(f) for f in d.get("fields", [])
                  if f not in (d.get("values") or {})]
        if others:
            parts.append(_("also changed: %s") % ", ".join(others))
        if d.get("reason"):
            parts.append(_("reason: %s") % d["reason"])
        return "; ".join(parts) or _("No audited field changed")
    if a == audit.CATALOG_ADDED:
        return _("Added “%s”") % d.get("slug", "")
    if a == audit.CONTACT_RECORDED:
        return _("%(method)s: %(outcome)s (attempt #%(id)s)") % {
            "method": _words("contact_method", d.get("method")),
            "outcome": _words("contact_outcome", d.get("outcome")),
            "id": d.get("attempt_id")}
    if a == audit.SAFETY_LOWERED:
        return _("From “%(old)s” to “%(new)s”; the reason is note #%(note)s") % {
            "old": _words("safety_level", d.get("old")),
            "new": _words("safety_level", d.get("new")), "note": d.get("note_id")}
    if a == audit.DELETE_REFUSED:
        return _("Not deleted: %s") % wording.lookup(wording.KEPT_WORDS, d.get("reason"))
    if a == audit.ANSWERS_CORRECTED:
        return _("Fields corrected: %s") % ", ".join(d.get("fields", []))
    if a in (audit.LOGIN_FAILED, audit.LOCKED_OUT):
        return _("Username typed: %(u)s, from %(c)s") % {"u": d.get("username", ""),
                                                        "c": d.get("client") or _("unknown")}
    if a == audit.PERMISSION_DENIED:
        return _("Page: %s") % d.get("path", "")
    if a == audit.ALERT_RETRIED:
        return _("Alert: %s") % d.get("kind", "")
    if a == audit.AUDIT_EXPORTED:
        return _("%(n)s rows; filters: %(f)s") % {
            "n": d.get("rows"), "f": ", ".join(d.get("filters", [])) or _("none")}
    if a == audit.MFA_RESET:
        return _("Devices removed: %s") % d.get("devices", 0)
    if a in (audit.STAFF_CREATED, audit.STAFF_DEACTIVATED, audit.STAFF_UNLOCKED):
        return _("Account %(u)s, by %(by)s") % {"u": d.get("username", ""),
                                               "by": d.get("by", "")}
    if a == audit.ACCOUNT_OPENED:
        return _("With set-up link #%s") % d.get("link")
    if a == audit.SETUP_LINK_ISSUED:
        return _("Set-up link #%(id)s for %(u)s, issued by %(by)s") % {
            "id": d.get("link"), "u": d.get("username", ""), "by": d.get("by", "")}
    if a == audit.MFA_ENROLLED and d.get("link"):
        return _("With set-up link #%s") % d["link"]
    return ""


def export_audit_csv(request, queryset) -> HttpResponse:
    response, writer = csv_response("audit-trail")
    tz = timezone.get_current_timezone_name()
    writer.writerow([f"when ({tz})", "who", "username", "action", "record", "details"])
    count = 0
    for event in queryset.select_related("actor").iterator(chunk_size=500):
        count += 1
        writer.writerow([csv_cell(v) for v in (
            csv_time(event.at), user_name(event.actor) or "—",
            event.actor.get_username() if event.actor else "",
            wording.action(event.action), event.object_repr,
            describe(event))])
    # the filters used, never a search term (it may be a name)
    filters = sorted(k for k in request.GET if k not in ("q", "o", "p"))
    audit.record(request.user, audit.AUDIT_EXPORTED, None, rows=count, filters=filters)
    return response


class ActionFilter(admin.SimpleListFilter):
    title = gettext_lazy("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return list(wording.ACTION_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


class RecordFilter(admin.SimpleListFilter):
    title = gettext_lazy("record")
    parameter_name = "record"
    def lookups(self, request, model_admin):
        return list(wording.RECORD_KINDS.items())

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(object_type="")
        return queryset.filter(object_type=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("when", "who", "what", "object_repr", "details")
    list_display_links = None
    list_filter = (ActionFilter, "actor", "at", RecordFilter)
    search_fields = ("object_repr", "object_id")
    search_help_text = gettext_lazy("A submission reference, or a username for sign-in events.")
    list_select_related = ("actor",)
    fields = ("when", "who", "what", "object_type", "object_id", "object_repr", "details")
    readonly_fields = fields
    show_full_result_count = False
    change_list_template = "admin/intake/auditevent/change_list.html"

    class Media:
        css = STAFF_CSS

    @admin.display(description=gettext_lazy("when"), ordering="at")
    def when(self, obj):
        return local_time(obj.at)

    @admin.display(description=gettext_lazy("who"), ordering="actor__username")
    def who(self, obj):
        return user_name(obj.actor) or "—"

    @admin.display(description=gettext_lazy("action"), ordering="action")
    def what(self, obj):
        return wording.action(obj.action)

    @admin.display(description=gettext_lazy("details"))
    def details(self, obj):
        return describe(obj) or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [path("export/", self.admin_site.admin_view(self.export_view),
                     name="intake_auditevent_export"),
                *super().get_urls()]

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return staff_bad_request(request, _(
                "The export's address holds a filter the audit trail does not have, so nothing "
                "was exported. Set the filters on the audit trail, then press “Export these "
                "rows as CSV”."))
        return export_audit_csv(request, changelist.get_queryset(request))

    def changelist_view(self, request, extra_context=None):
        query = request.GET.urlencode()
        export = reverse("admin:intake_auditevent_export") + (f"?{query}" if query else "")
        return super().changelist_view(request, {"title": _("Audit trail"),
                                                 "export_url": export,
                                                 **(extra_context or {})})
