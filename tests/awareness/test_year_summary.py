"""The year summary that the annual-report paragraph and the supervisory view read."""

from datetime import date

import pytest

from tests.factories import OrganisationFactory
from weerbaar.awareness.models import Activity, GroupParticipation
from weerbaar.awareness.selectors import year_summary

pytestmark = pytest.mark.django_db


def _activity(organisation, kind, held_on, **fields):
    return Activity.objects.create(organisation=organisation, kind=kind, title=kind, held_on=held_on, **fields)


def test_summary_counts_only_the_calendar_year_of_the_organisation():
    organisation = OrganisationFactory()
    other = OrganisationFactory()
    _activity(organisation, "campaign", date(2025, 3, 1))
    _activity(organisation, "campaign", date(2024, 12, 31))
    training = _activity(organisation, "training", date(2025, 1, 1))
    _activity(organisation, "phishing", date(2025, 5, 1), sent=100, opened=60, clicked=20, reported=30)
    _activity(organisation, "phishing", date(2025, 11, 1), sent=100, opened=40, clicked=10, reported=10)
    _activity(organisation, "exercise", date(2025, 6, 1), groups=["it", "board"])
    _activity(organisation, "exercise", date(2026, 2, 1), groups=["teaching_staff"])
    _activity(other, "phishing", date(2025, 5, 1), sent=1000, opened=0, clicked=0, reported=0)
    GroupParticipation.objects.create(activity=training, group="it", people=10, invited=10, participated=8)
    GroupParticipation.objects.create(activity=training, group="teaching_staff", people=90, invited=30, participated=22)

    summary = year_summary(organisation=organisation, year=2025)

    assert summary["campaigns"] == 1
    assert summary["trainings"] == 1
    assert summary["phishing_simulations"] == 2
    assert summary["exercises"] == 1
    assert (summary["phishing_sent"], summary["phishing_clicked"], summary["phishing_reported"]) == (200, 30, 40)
    assert summary["phishing_report_rate"] == pytest.approx(0.2)
    assert summary["last_exercise_date"] == date(2025, 6, 1)
    assert summary["participation_rate"] == pytest.approx(30 / 40)
    assert summary["groups_exercised"] == ["board", "it"]


def test_empty_year_gives_zeroes_and_none():
    organisation = OrganisationFactory()
    _activity(organisation, "exercise", date(2023, 4, 1), groups=["ibp"])
    summary = year_summary(organisation=organisation, year=2025)
    assert summary["campaigns"] == summary["exercises"] == summary["phishing_sent"] == 0
    assert summary["phishing_report_rate"] is None
    assert summary["participation_rate"] is None
    assert summary["groups_exercised"] == []
    # The last exercise may lie before the year: the report says how long ago it was.
    assert summary["last_exercise_date"] == date(2023, 4, 1)
