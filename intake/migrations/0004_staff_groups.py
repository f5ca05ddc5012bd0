"""The staff groups "reviewers" and "managers" with their permissions (intake/staff/roles.py)."""

from django.db import migrations


def create_groups(apps, schema_editor):
    from intake.staff.roles import ensure_groups

    ensure_groups(apps)


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0003_client_tokens"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_groups, migrations.RunPython.noop),
    ]
