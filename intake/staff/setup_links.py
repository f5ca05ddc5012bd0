"""Set-up links for staff authenticator apps (intake/staff/mfa.py), issued here by managers
and superusers: pick the staff member, and the link is shown once, on the page that follows.
The list shows who issued which link, when, and whether it was used; never a token (only its
hash is stored)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import StaffSetupLink
from . import mfa, roles
from .common import STAFF_CSS, local_time, user_name


@admin.register(StaffSetupLink)
class StaffSetupLinkAdmin(admin.ModelAdmin):
    list_display = ("for_whom", "issued", "issued_by", "state")
    list_display_links = None
    list_select_related = ("user", "created_by")
    fields = ("user",)
    show_full_result_count = False

    class Media:
        css = STAFF_CSS

    # -- who may: managers and superusers; nobody changes or deletes a link --

    def has_module_permission(self, request):
        return mfa.may_issue_setup_links(request.user)

    def has_view_permission(self, request, obj=None):
        return mfa.may_issue_setup_links(request.user)

    def has_add_permission(self, request):
        return mfa.may_issue_setup_links(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            staff = get_user_model().objects.filter(is_active=True)
            kwargs["queryset"] = roles.managed_by(request.user, staff).order_by("username")
            kwargs["label"] = _("Staff member")
            kwargs["help_text"] = _(
                "They open the link, log in with their password and set up an authenticator "
                "app; it replaces any app they had. The link works once, within %(n)s hours."
            ) % {"n": mfa.SETUP_LINK_HOURS}
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not mfa.may_issue_setup_link(request.user, obj.user):
            raise PermissionDenied  # the form offers only the staff this issuer may choose
        request.intake_setup_token = mfa.issue_setup_link(obj.user, request.user, link=obj)

    def response_add(self, request, obj, post_url_continue=None):
        """The link, shown this once."""
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set-up link for %(name)s") % {"name": user_name(obj.user)},
            "link": obj,
            "url": mfa.setup_link_url(request.intake_setup_token, request),
            "expires": local_time(obj.expires_at),
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/intake/setup_link_issued.html", context)

    # -- the list --

    @admin.display(description=gettext_lazy("for"), ordering="user__username")
    def for_whom(self, obj):
        return f"{user_name(obj.user)} ({obj.user.get_username()})"

    @admin.display(description=gettext_lazy("issued"), ordering="created_at")
    def issued(self, obj):
        return local_time(obj.created_at)

    @admin.display(description=gettext_lazy("issued by"))
    def issued_by(self, obj):
        return user_name(obj.created_by) or _("command line")

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj):
        if obj.used_at:
            return _("Used %s") % local_time(obj.used_at)
        if obj.expires_at <= timezone.now():
            return _("No longer works (since %s)") % local_time(obj.expires_at)
        return _("Not used yet; works until %s") % local_time(obj.expires_at)
