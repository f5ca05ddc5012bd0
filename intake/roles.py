"""The two staff groups and their model permissions, created idempotently.

- reviewers: see submissions, change review status and assignment, add notes; see the catalog.
  Changing a submission (`change_submission`) also covers recording contact attempts, and with
  `add_staffnote` lowering a safety level (a clinician's decision, its reason kept as their note).
- managers: all of that, plus CSV export, re-running assessments, deleting drafts (never a
  flagged one or one with an alert not yet delivered), editing the medication catalog and
  reading the audit trail.

Nobody but a superuser changes a patient's answers: the admin shows them read-only to everyone
else whatever their permissions (see intake/admin.py).

`ensure_groups()` is called by the data migration 0004_staff_groups and by `seed_demo`; run it
again after adding a permission here.
"""

from __future__ import annotations

REVIEWERS = "reviewers"
MANAGERS = "managers"

REVIEWER_PERMISSIONS = (
    "intake.view_submission",
    "intake.change_submission",
    "intake.view_staffnote",
    "intake.add_staffnote",
    "intake.view_medication",
)
MANAGER_PERMISSIONS = REVIEWER_PERMISSIONS + (
    "intake.export_submission",
    "intake.reassess_submission",
    "intake.delete_submission",
    "intake.add_medication",
    "intake.change_medication",
    "intake.view_auditevent",
)
GROUPS = {REVIEWERS: REVIEWER_PERMISSIONS, MANAGERS: MANAGER_PERMISSIONS}


def _permissions(permission_model, codes):
    found = []
    for code in codes:
        app_label, codename = code.split(".")
        found.append(permission_model.objects.get(content_type__app_label=app_label,
                                                  codename=codename))
    return found


def ensure_groups(apps=None) -> dict:
    """Create or update the groups so they hold exactly the listed permissions.

    With `apps` (a migration's app registry) it uses the historical models; permissions are
    created first, since Django only creates them after all migrations have run.
    """
    if apps is None:
        from django.apps import apps as global_apps
        apps = global_apps
    from django.contrib.auth.management import create_permissions

    for label in ("contenttypes", "auth", "intake"):
        app_config = apps.get_app_config(label)
        saved = getattr(app_config, "models_module", None)
        app_config.models_module = saved or True  # historical app configs have none
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = saved

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    groups = {}
    for name, codes in GROUPS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set(_permissions(permission_model, codes))
        groups[name] = group
    return groups
