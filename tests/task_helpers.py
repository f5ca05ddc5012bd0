"""Running the task queue in tests the way `manage.py db_worker --batch` does."""

from __future__ import annotations

from unittest import mock

from django.core.management import call_command
from django_tasks_db.models import DBTaskResult


def run_tasks() -> int:
    """Run every queued task that is due now (by `timezone.now()`, which tests may move);
    returns how many ran.

    The real worker runs, in batch mode. Its `close_old_connections()` would close the test's
    connection in the middle of the test transaction, so it is a no-op here.
    """
    before = DBTaskResult.objects.exclude(status="READY").count()
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0,
                     interval=0)
    return DBTaskResult.objects.exclude(status="READY").count() - before


def queued(task_name: str) -> list[DBTaskResult]:
    """Tasks of this name still waiting to run, soonest first."""
    return list(DBTaskResult.objects.filter(status="READY", task_path__endswith=task_name)
                .order_by("run_after"))
