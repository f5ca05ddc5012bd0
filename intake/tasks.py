"""Background tasks, run by the database task worker (`manage.py worker`, README "The task
worker"). Each is a thin entry point: the work lives in `alerts`. A delivery task does
something only while it is its row's task (`Delivery.task_id`); its arguments are the row's id.

django-tasks is the backport of Django 6's tasks framework: on Django 6 these imports become
`django.tasks`.
"""

from __future__ import annotations

from django_tasks import task

from . import alerts
from .models import Alert, OutgoingEmail


@task(takes_context=True)
def deliver_alert(context, alert_id: int) -> str:
    return alerts.deliver(Alert, alert_id, context.task_result.id)


@task(takes_context=True)
def send_email(context, email_id: int) -> str:
    """An e-mail from the outbox (`alerts.queue_email`): the row's id is all the task holds."""
    return alerts.deliver(OutgoingEmail, email_id, context.task_result.id)
