"""Background work of governance: thin wrappers that call services."""

from django_tasks import task

from weerbaar.governance import services


@task()
def send_paragraph_reminders_task() -> int:
    return services.send_due_paragraph_reminders()
