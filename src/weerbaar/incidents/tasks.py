"""Background work of the incident desk: thin wrappers that take ids and call services.

After a report is sent, the CERT is told, and a reminder run is planned for the moment the first
reminder of the incident falls due; each run plans the next. On a backend that cannot defer
tasks (the in-process default), `manage.py incident_reminders` from cron does the same work. Both
paths send each reminder once: the service writes a unique row before it sends.
"""

from datetime import datetime, timedelta

from django.utils import timezone
from django_tasks import task

from weerbaar.incidents import selectors, services
from weerbaar.incidents.clocks import ClockState
from weerbaar.incidents.models import Incident


def next_reminder_at(incident: Incident, now: datetime) -> datetime | None:
    """The next moment a reminder of this incident may fall due."""
    moments = []
    for clock in selectors.clocks_of(incident, now=now):
        if clock.state(now) not in (ClockState.OPEN, ClockState.OVERDUE) or clock.due_at is None:
            continue
        # Just after the deadline, so that the run finds it passed.
        for moment in (clock.remind_from(), clock.due_at + timedelta(seconds=1)):
            if moment is not None and moment > now:
                moments.append(moment)
    return min(moments) if moments else None


def plan_reminders(incident_id: int) -> None:
    if not send_reminders_task.get_backend().supports_defer:
        return
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        return
    moment = next_reminder_at(incident, timezone.now())
    if moment is not None:
        send_reminders_task.using(run_after=moment).enqueue(incident_id)


@task()
def announce_report_task(incident_id: int) -> int:
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        return 0
    told = services.announce_report(incident=incident)
    plan_reminders(incident_id)
    return told


@task()
def send_reminders_task(incident_id: int | None = None) -> int:
    sent = services.send_due_reminders(incident_ids=[incident_id] if incident_id is not None else None)
    if incident_id is not None:
        plan_reminders(incident_id)
    return sent
