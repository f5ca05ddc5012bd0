"""Staff alerts (e-mails about urgent and priority intakes) in the admin: a read-only list with
the submission reference (a link to the case), kind (an escalation with its number), status,
attempts, the mail server's last error and the next try, and a "Try again now" action. No
health data: an alert holds none."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .. import audit, wording
from ..delivery import outbox
from ..delivery.messages import numbered
from ..models import Alert
from .common import STAFF_CSS, local_time


class DeliveryFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        minutes = int(outbox.UNDELIVERED_AFTER.total_seconds() // 60)
        return (("undelivered", _("Not delivered within %(n)s minutes, or given up")
                 % {"n": minutes}),)

    def queryset(self, request, queryset):
        if self.value() == "undelivered":
            return queryset.filter(pk__in=outbox.undelivered().values("pk"))
        return queryset


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("reference", "what", "status", "attempts", "last_error", "last_try",
                    "next_try", "created")
    list_display_links = None
    list_filter = (DeliveryFilter, "status", "kind")
    search_fields = ("submission__reference",)
    search_help_text = _("A submission reference.")
    list_select_related = ("submission",)
    actions = ("retry_now",)
    fields = ("reference", "what", "status", "attempts", "last_error", "last_try", "next_try",
              "created")
    readonly_fields = fields

    class Media:
        css = STAFF_CSS

    @admin.display(description=_("submission"), ordering="submission__reference")
    def reference(self, obj):
        url = reverse("admin:intake_submission_change", args=[obj.submission_id],
                      current_app=self.admin_site.name)
        return format_html('<a href="{}">{}</a>', url, obj.submission.reference)

    @admin.display(description=_("kind"), ordering="kind")
    def what(self, obj):
        return numbered(obj, wording.choice("alert_kind", obj.kind))

    @admin.display(description=_("created"), ordering="created_at")
    def created(self, obj):
        return local_time(obj.created_at)

    @admin.display(description=_("last try"), ordering="last_attempt_at")
    def last_try(self, obj):
        return local_time(obj.last_attempt_at) or "—"

    @admin.display(description=_("next try"), ordering="next_attempt_at")
    def next_try(self, obj):
        return local_time(obj.next_attempt_at) or "—"

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": _("Staff alerts"),
                                                 **(extra_context or {})})

    # reviewers and managers see alerts (permission to view submissions); nobody edits them
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("intake.view_submission")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return self.has_view_permission(request)

    @admin.action(description=_("Try again now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        done = 0
        for alert in queryset.select_related("submission"):
            if outbox.retry_now(alert):
                done += 1
                audit.record(request.user, audit.ALERT_RETRIED, alert.submission,
                             kind=alert.kind, alert_id=alert.pk)
        skipped = queryset.count() - done
        self.message_user(request, _("%(n)s alert(s) queued to be sent again now; %(s)s sent, "
                                     "replaced or held for the digest, left alone.")
                          % {"n": done, "s": skipped},
                          messages.SUCCESS if done else messages.WARNING)
