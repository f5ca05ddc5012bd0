"""The task worker: django-tasks' `db_worker` with the same options (alerts, e-mails), and beside
it a sweep every WORKER_SWEEP_SECONDS (README "The task worker"):

- a delivery for every pending alert or e-mail left without one (`outbox.sweep`: its task failed,
  its worker was killed, the database connection dropped under it);
- the escalations that are due (`escalation.queue_due`);
- the daily retention purge (`retention.purge_if_due`).

Neither stops on a dropped database connection: the sweep logs it and tries again at its next
run, and the worker closes the broken connection and carries on with a new one.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from intake.delivery import outbox, retention

log = logging.getLogger("intake.worker")

# Seconds the worker waits before carrying on after its database connection dropped.
RECONNECT_SECONDS = 5


def queue_due_escalations() -> int:
    from intake.delivery import escalation

    return escalation.queue_due(timezone.now())


SWEEP_STEPS = (outbox.sweep, queue_due_escalations, retention.purge_if_due)


def sweep_once() -> None:
    """One run of each sweep step; a step that fails (a database blip, or a bug) is logged and
    the others still run."""
    for step in SWEEP_STEPS:
        name = f"{step.__module__.rsplit('.', 1)[-1]}.{step.__name__}"
        try:
            if done := step():
                log.info("sweep: %s: %s", name, done)
        except outbox.DB_ERRORS as exc:
            log.warning("sweep: %s: database unavailable (%s); trying again in %d s", name,
                        type(exc).__name__, settings.WORKER_SWEEP_SECONDS)
        except Exception:  # never let one failure end the sweeping for good
            log.exception("sweep: %s failed; trying again in %d s", name,
                          settings.WORKER_SWEEP_SECONDS)
        finally:
            close_old_connections()  # a broken connection is not reused by the next run


def sweep_forever() -> None:
    while True:
        sweep_once()
        time.sleep(settings.WORKER_SWEEP_SECONDS)


class Command(DbWorker):
    help = ("Run the task worker (alerts, escalations, e-mails), sweeping every "
            "WORKER_SWEEP_SECONDS for stranded deliveries, due escalations and the daily purge.")

    def handle(self, *args, **options):
        if options["batch"]:
            sweep_once()
        else:
            threading.Thread(target=sweep_forever, name="sweep", daemon=True).start()
        while True:
            try:
                return super().handle(*args, **options)
            except outbox.DB_ERRORS as exc:
                log.warning("worker: database unavailable (%s); carrying on in %d s",
                            type(exc).__name__, RECONNECT_SECONDS)
                close_old_connections()
                time.sleep(RECONNECT_SECONDS)
