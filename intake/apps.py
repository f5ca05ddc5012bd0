from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "intake"
    verbose_name = _("Intake")

    def ready(self):
        from . import checks  # noqa: F401 (registers the deploy checks)


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the clinic's staff site (intake/staff/site.py)."""

    default = False  # intake's own default is IntakeConfig

    default_site = "intake.staff.site.StaffAdminSite"
