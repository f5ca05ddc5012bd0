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

Who is who, for the staff accounts page (intake/staff/staff_accounts.py), the "Assigned to"
choices and the pages that say whom to ask: a manager (whoever holds the managers' permissions,
read from the permissions a page loads anyway) runs the accounts of reviewers and of staff with
no role; a superuser runs everyone's. Nobody manages their own account there.
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
SUPERUSER = "superuser"  # a role word for staff lists: not a group
# Their words on the Staff page: `wording.ROLE_WORDS`.


def role_of(user) -> str:
    """SUPERUSER, MANAGERS, REVIEWERS or "" (no role), by the groups the user is in."""
    if user.is_superuser:
        return SUPERUSER
    names = {group.name for group in user.groups.all()}
    for name in (MANAGERS, REVIEWERS):
        if name in names:
            return name
    return ""


def is_manager(user) -> bool:
    """An active staff member who may run staff accounts: a superuser, or whoever holds the
    managers' permissions."""
    return user.is_active and user.is_staff and (
        user.is_superuser or user.has_perms(MANAGER_PERMISSIONS))


def may_manage(actor, user) -> bool:
    """Managers run reviewers' accounts (and those of staff with no role), never a manager's or
    a superuser's; superusers run any staff account. Never one's own."""
    if not is_manager(actor) or not user.is_staff or user.pk == actor.pk:
        return False
    return actor.is_superuser or role_of(user) not in (SUPERUSER, MANAGERS)


def managed_by(actor, users):
    """`users` narrowed to the accounts `actor` may manage (see may_manage)."""
    from django.db.models import Q

    if not is_manager(actor):
        return users.none()
    users = users.filter(is_staff=True).exclude(pk=actor.pk)
    if actor.is_superuser:
        return users
    return users.exclude(Q(is_superuser=True) | Q(groups__name=MANAGERS))


def opens_submissions():
    """A filter on users: superusers, reviewers and managers."""
    from django.db.models import Q

    return Q(is_superuser=True) | Q(groups__name__in=(REVIEWERS, MANAGERS))


def assignable_staff(keep=None):
    """The "Assigned to" choices: active staff who can open submissions, and `keep` (the user a
    case is assigned to now, so an unchanged form still saves)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    users = get_user_model().objects.filter(
        Q(is_staff=True, is_active=True) & opens_submissions())
    if keep is not None:
        users = get_user_model().objects.filter(Q(pk__in=users.values("pk")) | Q(pk=keep))
    return users.distinct().order_by("username")


def manager_names() -> list[str]:
    """The active managers' names (not superusers'), for pages that say whom to ask."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(
        is_active=True, is_staff=True, is_superuser=False,
        groups__name=MANAGERS).distinct().order_by("first_name", "last_name", "username")
    return [user.get_full_name() or user.get_username() for user in users]


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
