"""Reminders from the task worker: an exercise not held for a year, a training to repeat. Each is
sent once, even when the worker and cron both run."""

import pytest
from django.core import mail
from django.core.management import call_command

from tests.awareness.conftest import days_ago, exercise, training
from tests.factories import member
from weerbaar.awareness import services, tasks
from weerbaar.awareness.models import AwarenessReminder
from weerbaar.core.permissions import Role

pytestmark = pytest.mark.django_db


def run(capture, times=1, today=None):
    sent = []
    for _ in range(times):
        with capture(execute=True):
            sent.append(services.send_due_reminders(today=today))
    return sent


def test_exercise_a_year_ago_is_reminded_once(officer, django_capture_on_commit_callbacks):
    member(Role.BOARD_MEMBER, officer.organisation)
    exercise(officer, held_on=days_ago(400))
    assert run(django_capture_on_commit_callbacks, times=2) == [1, 0]
    assert [m.to for m in mail.outbox] == [[officer.user.email]]
    assert "crisis exercise" in mail.outbox[0].subject
    assert list(AwarenessReminder.objects.values_list("kind", flat=True)) == ["exercise_due"]


def test_a_recent_exercise_means_no_reminder(officer, django_capture_on_commit_callbacks):
    exercise(officer, held_on=days_ago(400))
    exercise(officer, held_on=days_ago(100), title="Tweede")
    assert run(django_capture_on_commit_callbacks) == [0]
    assert mail.outbox == []


def test_training_due_for_repeating_until_repeated(officer, django_capture_on_commit_callbacks):
    training(officer, held_on=days_ago(400), repeat_months=12)
    training(officer, held_on=days_ago(400), title="Eenmalig")
    training(officer, held_on=days_ago(200), title="Privacy", repeat_months=12)
    assert run(django_capture_on_commit_callbacks) == [1]
    assert "Veilig werken" in mail.outbox[0].subject
    # Repeated since: the next run has nothing new to say.
    training(officer, held_on=days_ago(3))
    assert run(django_capture_on_commit_callbacks) == [0]


def test_the_task_and_the_command_together_send_once(officer, django_capture_on_commit_callbacks):
    exercise(officer, held_on=days_ago(500))
    training(officer, held_on=days_ago(800), repeat_months=24)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_reminders_task.enqueue()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("awareness_reminders")
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_reminders_task.enqueue()
    assert len(mail.outbox) == 2
    assert AwarenessReminder.objects.count() == 2


def test_two_exercises_on_the_last_day_give_one_reminder(officer, django_capture_on_commit_callbacks):
    exercise(officer, held_on=days_ago(400))
    exercise(officer, held_on=days_ago(400), title="Tweede deel")
    assert run(django_capture_on_commit_callbacks, times=3) == [1, 0, 0]
