"""Reminders before and after each legal deadline: sent once per incident, duty and stage, even when
the worker (or cron next to it) runs twice; only to people who may read the incident."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tests.incidents.conftest import report
from weerbaar.incidents import services, tasks
from weerbaar.incidents.models import DeadlineReminder, Notice

pytestmark = pytest.mark.django_db


def reminders():
    return sorted(DeadlineReminder.objects.values_list("kind", "stage"))


def run(capture, now, times=1):
    sent = []
    for _ in range(times):
        with capture(execute=True):
            sent.append(services.send_due_reminders(now=now))
    return sent


@pytest.fixture
def breach(desk, django_capture_on_commit_callbacks):
    """A university's breach, aware 20 hours ago: the early warning is due in 4 hours."""
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        incident = report(
            desk.university_officer,
            aware_at=now - timedelta(hours=20),
            detected_at=now - timedelta(hours=21),
            personal_data_involved=True,
            personal_data_categories=["name_address"],
            personal_data_risk="risk",
            data_encrypted="no",
        )
    mail.outbox.clear()
    Notice.objects.all().delete()
    return incident


def test_a_reminder_goes_out_once_even_when_the_worker_runs_twice(desk, breach, django_capture_on_commit_callbacks):
    now = timezone.now()

    first, second = run(django_capture_on_commit_callbacks, now, times=2)

    assert (first, second) == (1, 0)
    assert reminders() == [("nis2_early_warning", "due_soon")]
    assert [message.to for message in mail.outbox] == [[desk.university_officer.user.email]]
    assert Notice.objects.filter(user=desk.university_officer.user).count() == 1


def test_the_task_and_cron_together_send_nothing_twice(desk, breach, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_reminders_task.enqueue(breach.pk)
        tasks.send_reminders_task.enqueue(breach.pk)
        call_command("incident_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert reminders() == [("nis2_early_warning", "due_soon")]
    assert len(mail.outbox) == 1


def test_each_deadline_gets_one_reminder_before_and_one_after(desk, breach, django_capture_on_commit_callbacks):
    now = timezone.now()
    run(django_capture_on_commit_callbacks, now)
    # 30 hours on (50 after awareness) the early warning and the CERT's first response have
    # passed, and the 72-hour deadlines come near.
    run(django_capture_on_commit_callbacks, now + timedelta(hours=30), times=2)

    assert reminders() == [
        ("ap_notification", "due_soon"),
        ("cert_response", "overdue"),
        ("nis2_early_warning", "due_soon"),
        ("nis2_early_warning", "overdue"),
        ("nis2_notification", "due_soon"),
    ]
    ap = [m for m in mail.outbox if "AP" in m.subject]
    # The data breach reminder also goes to the data protection officer, had the university one.
    assert [m.to for m in ap] == [[desk.university_officer.user.email]]
    cert = [m for m in mail.outbox if m.to == [desk.surf_analyst.user.email]]
    assert len(cert) == 1


def test_a_duty_met_in_time_is_not_reminded(desk, breach, django_capture_on_commit_callbacks):
    services.record_duty_met(
        actor=desk.university_officer.user,
        incident=breach,
        kind="nis2_early_warning",
        met_at=timezone.now() - timedelta(hours=1),
        channel="ncsc_portal",
    )

    run(django_capture_on_commit_callbacks, timezone.now() + timedelta(hours=5))

    assert ("nis2_early_warning", "overdue") not in reminders()
    assert ("nis2_early_warning", "due_soon") not in reminders()


def test_reminders_of_a_red_report_reach_only_the_people_named(desk, django_capture_on_commit_callbacks):
    now = timezone.now()
    incident = report(
        desk.officer_a,
        tlp="red",
        named_people=[desk.analyst.user],
        aware_at=now - timedelta(hours=60),
        detected_at=now - timedelta(hours=61),
        personal_data_involved=True,
        personal_data_categories=["pupil_record"],
        personal_data_risk="high",
        data_encrypted="no",
    )

    run(django_capture_on_commit_callbacks, now)

    reminded = {address for message in mail.outbox for address in message.to}
    assert ("ap_notification", "due_soon") in reminders()
    assert desk.officer_a.user.email in reminded
    assert desk.dpo_a.user.email not in reminded  # a DPO, but not named on this TLP:RED report
    assert not Notice.objects.filter(user=desk.dpo_a.user, incident=incident).exists()


def test_the_next_reminder_run_is_planned_for_the_first_reminder(desk, breach):
    now = timezone.now()

    moment = tasks.next_reminder_at(breach, now)

    # The early warning's reminder time has come already; the next moment is its deadline.
    assert moment == breach.aware_at + timedelta(hours=24, seconds=1)
