"""The task worker: queues again what a dead worker left behind, makes sure the daily purge is
scheduled, then runs django-tasks' `db_worker` with the same options (alerts, escalations,
e-mails, purge)."""

from django_tasks_db.management.commands.db_worker import Command as DbWorker

from intake import alerts, retention


class Command(DbWorker):
    help = "Run the task worker (alerts, escalations, e-mails, the daily purge)."

    def handle(self, *args, **options):
        if stranded := alerts.requeue_stranded():
            self.stdout.write(f"Queued again after an interrupted worker: {stranded}.")
        if retention.schedule_next():
            self.stdout.write("Daily purge scheduled.")
        return super().handle(*args, **options)

