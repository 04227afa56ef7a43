"""The demo: every demo board and institution has a history of activities, exercises and
phishing simulations over three years, exercise findings in its improvement plan, and a second
run changes nothing."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from weerbaar.assessments.models import ImprovementAction
from weerbaar.awareness import demo
from weerbaar.awareness.models import Activity, Enrolment, ExerciseFinding, TrainingOffer
from weerbaar.awareness.selectors import year_summary
from weerbaar.monitor.services import PARTICIPATING_KINDS
from weerbaar.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_plans_are_reproducible_and_never_in_the_future():
    today = date(2026, 5, 10)
    first = demo.plan_organisation(7, 120, 2026, today)
    assert first == demo.plan_organisation(7, 120, 2026, today)
    assert first != demo.plan_organisation(8, 120, 2026, today)
    assert all(plan.held_on <= today for plan in first)
    assert {plan.held_on.year for plan in first} == {2024, 2025, 2026}
    for plan in first:
        if plan.kind == "phishing":
            c = plan.counts
            assert c["opened"] <= c["sent"]
            assert c["clicked"] <= c["opened"]
            assert c["reported"] <= c["sent"]
        for _group, people, invited, participated in plan.participation:
            assert participated <= invited <= people


def test_seed_demo_gives_every_organisation_a_history_once(settings):
    settings.PRODUCTION = False
    out = StringIO()
    call_command("seed_demo", organisations=12, seed=2026, stdout=out)
    assert "Demo awareness loaded" in out.getvalue()
    measured = Organisation.objects.filter(kind__in=PARTICIPATING_KINDS, is_active=True)
    assert measured.exists()
    for organisation in measured:
        kinds = set(Activity.objects.filter(organisation=organisation).values_list("kind", flat=True))
        assert kinds == {"campaign", "training", "phishing", "exercise"}, organisation
        years = set(Activity.objects.filter(organisation=organisation).values_list("held_on__year", flat=True))
        assert len(years) == 3
    assert (
        ExerciseFinding.objects.filter(action__source="exercise").count()
        == ImprovementAction.objects.filter(source="exercise").count()
    )
    assert TrainingOffer.objects.filter(published=True).exists()
    assert Enrolment.objects.exists()
    some = measured.first()
    assert year_summary(organisation=some, year=Activity.objects.latest("held_on").held_on.year)["trainings"] >= 0
    before = (Activity.objects.count(), ExerciseFinding.objects.count(), TrainingOffer.objects.count())
    again = StringIO()
    call_command("seed_demo", organisations=12, seed=2026, stdout=again)
    assert "The demo awareness history is already loaded" in again.getvalue()
    assert (Activity.objects.count(), ExerciseFinding.objects.count(), TrainingOffer.objects.count()) == before
