"""Background work of the awareness app: a thin wrapper around the reminder service. Run daily
by the worker (or `manage.py awareness_reminders` from cron); each reminder is sent once however
often it runs, because the service writes a unique row before it sends."""

from django_tasks import task

from weerbaar.awareness import services


@task()
def send_reminders_task() -> int:
    return services.send_due_reminders()
