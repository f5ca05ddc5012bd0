"""Background tasks, run by the database task worker (`manage.py worker`, README "The task
worker"). Each is a thin entry point: the work lives in `alerts` and `services`.

django-tasks is the backport of Django 6's tasks framework: on Django 6 these imports become
`django.tasks`.
"""

from __future__ import annotations

from django_tasks import task

from . import alerts


def waiting(task_):
    """Queued runs of this task that have not started yet (the database backend's rows)."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status="READY", task_path=task_.module_path)


@task()
def deliver_alert(alert_id: int) -> str:
    return alerts.deliver(alert_id)


@task()
def escalate_if_unopened(submission_id: int, base: str) -> bool:
    return alerts.escalate(submission_id, base)


@task(takes_context=True)
def send_resume_email(context, address: str, link: str, code: str, attempt: int = 1) -> str:
    """The patient's "your saved answers" e-mail, retried with back-off; the code is wiped from
    the queue's row once the task has finished, whatever happened."""
    from django_tasks_db.models import DBTaskResult

    try:
        return alerts.send_resume_email(address, link, code, attempt)
    finally:
        DBTaskResult.objects.filter(id=context.task_result.id).update(
            args_kwargs={"args": [], "kwargs": {}})


@task()
def purge_expired() -> dict:
    """The daily retention run (intake/retention.py); queues the next one."""
    from . import retention

    counts = retention.purge()
    retention.schedule_next()
    return counts
