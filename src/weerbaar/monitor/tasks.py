"""Background work of the monitor: thin wrappers that take ids and call services."""

from django_tasks import task

from weerbaar.monitor import services
from weerbaar.monitor.models import Cycle


@task()
def refresh_cycle_task(cycle_id: int, organisation_ids: list[int] | None = None) -> int:
    cycle = Cycle.objects.filter(pk=cycle_id).first()
    if cycle is None:
        return 0
    counted = services.refresh_cycle(cycle=cycle, organisation_ids=organisation_ids)
    # The share on track and the audit counts read the results and assessments just refreshed.
    services.refresh_sector_figures()
    return counted


@task()
def refresh_sector_figures_task() -> int:
    return services.refresh_sector_figures()


@task()
def send_reminders_task(cycle_id: int | None = None) -> int:
    cycle = Cycle.objects.filter(pk=cycle_id).first() if cycle_id is not None else None
    if cycle_id is not None and cycle is None:
        return 0
    return services.send_due_reminders(cycle=cycle)
