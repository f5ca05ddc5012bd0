"""Delete what is kept no longer than needed (intake/delivery/retention.py). The task worker
also runs this every day (`manage.py worker`); run it by hand or from cron if you prefer."""

from django.core.management.base import BaseCommand

from intake.delivery import retention


class Command(BaseCommand):
    help = "Delete abandoned drafts, expired sessions and old rate-limit rows; audit the counts."

    def handle(self, *args, **options):
        counts = retention.purge()
        self.stdout.write(", ".join(f"{name.replace('_', ' ')}: {n}"
                                    for name, n in counts.items()))
