"""The background tasks at the dotted path their queued rows name (`intake.tasks.deliver_alert`,
`intake.tasks.send_email`): rows queued by earlier versions find their task here after an
upgrade. The tasks and the delivery they run live in `intake/delivery/outbox.py`; the worker is
`manage.py worker` (README "The task worker")."""

from .delivery.outbox import deliver_alert, send_email  # noqa: F401
