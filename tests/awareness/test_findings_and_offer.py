"""Exercise findings become actions in the one improvement plan; the central training offer is
written by coordinators only and read by the member organisations of its sectors."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.awareness.conftest import days_ago, exercise, training
from tests.factories import OrganisationFactory, member, sector
from weerbaar.assessments import services as assessment_services
from weerbaar.assessments.choices import ActionSource
from weerbaar.assessments.models import ImprovementAction
from weerbaar.awareness import selectors, services
from weerbaar.awareness.models import Enrolment, ExerciseFinding, TrainingOffer
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.core.tenancy import NotPermitted

pytestmark = pytest.mark.django_db


def test_findings_become_actions_in_the_same_plan_as_assessment_gaps(officer):
    gap = assessment_services.create_improvement_action(
        actor=officer.user, organisation=officer.organisation, title="SM.01 Beleid", source=ActionSource.ASSESSMENT_GAP
    )
    activity = exercise(officer)
    services.record_evaluation(
        actor=officer.user, activity=activity, evaluation="Het crisisteam was snel bijeen.", evaluated_on=days_ago(5)
    )
    finding = services.add_finding(
        actor=officer.user,
        activity=activity,
        text="Telefoonlijst van de leveranciers was verouderd.",
        due_date=timezone.localdate() + timedelta(days=60),
        owner=officer.user,
    )
    plan = ImprovementAction.objects.visible_to(officer.user, "assessment.view").filter(
        organisation=officer.organisation
    )
    assert set(plan) == {gap, finding.action}
    assert finding.action.source == ActionSource.EXERCISE
    assert finding.action.title == "Telefoonlijst van de leveranciers was verouderd."
    assert "Ransomware-oefening" in finding.action.description
    assert finding.action.owner == officer.user
    assert ImprovementAction.objects.get(exercise_finding__activity=activity) == finding.action
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"improvement_action.created", "awareness.finding_added", "awareness.exercise_evaluated"} <= actions


def test_findings_only_for_exercises_and_with_text(officer):
    with pytest.raises(ValidationError):
        services.add_finding(actor=officer.user, activity=training(officer), text="Iets")
    activity = exercise(officer)
    with pytest.raises(ValidationError):
        services.add_finding(actor=officer.user, activity=activity, text="   ")
    with pytest.raises(ValidationError):
        services.record_evaluation(actor=officer.user, activity=activity, evaluation="Ok", evaluated_on=days_ago(40))
    assert not ExerciseFinding.objects.exists()
    assert not ImprovementAction.objects.exists()


def test_an_owner_from_elsewhere_refuses_the_whole_finding(officer):
    activity = exercise(officer)
    stranger = member(Role.IBP_OFFICER, OrganisationFactory())
    with pytest.raises(ValidationError):
        services.add_finding(actor=officer.user, activity=activity, text="Iets", owner=stranger.user)
    assert not ExerciseFinding.objects.exists()
    assert not ImprovementAction.objects.exists()


def test_a_board_member_cannot_add_findings(officer):
    activity = exercise(officer)
    board = member(Role.BOARD_MEMBER, officer.organisation)
    with pytest.raises(NotPermitted):
        services.add_finding(actor=board.user, activity=activity, text="Iets")
    assert not ImprovementAction.objects.exists()


def test_exercise_with_findings_cannot_be_removed(officer):
    activity = exercise(officer)
    services.add_finding(actor=officer.user, activity=activity, text="Iets")
    with pytest.raises(ValidationError):
        services.delete_activity(actor=officer.user, activity=activity)
    other = training(officer)
    services.delete_activity(actor=officer.user, activity=other)
    assert AuditEntry.objects.filter(action="awareness.activity_removed").count() == 1


def _offer(coordinator_member, **values):
    today = timezone.localdate()
    return services.create_offer(
        actor=coordinator_member.user,
        coordinator=coordinator_member.organisation,
        **{
            "title": "Phishing herkennen",
            "audience": "teaching_staff",
            "format": "online",
            "starts_on": today,
            "ends_on": today + timedelta(days=90),
            "published": True,
            "sectors": [sector("PO")],
            **values,
        },
    )


def test_coordinator_publishes_and_member_organisations_enrol(coordinator_member, officer):
    offer = _offer(coordinator_member)
    assert list(selectors.offers_for(officer.user)) == [offer]
    enrolment = services.enrol(actor=officer.user, offer=offer, organisation=officer.organisation, places=12)
    services.enrol(actor=officer.user, offer=offer, organisation=officer.organisation, places=15)
    assert Enrolment.objects.get() == enrolment
    assert selectors.offer_places(offer) == {"organisations": 1, "places": 15}
    assert AuditEntry.objects.filter(action="awareness.offer_created").exists()
    assert AuditEntry.objects.filter(action="awareness.enrolment_changed").exists()


def test_other_sectors_and_drafts_are_not_offered(coordinator_member, officer):
    draft = _offer(coordinator_member, published=False)
    vo_board = member(Role.IBP_OFFICER, OrganisationFactory(sector=sector("VO")))
    offer = _offer(coordinator_member, title="Alleen PO")
    assert list(selectors.offers_for(officer.user)) == [offer]
    assert list(selectors.offers_for(vo_board.user)) == []
    assert set(selectors.offers_for(coordinator_member.user)) == {draft, offer}
    with pytest.raises(ValidationError):
        services.enrol(actor=vo_board.user, offer=offer, organisation=vo_board.organisation, places=1)
    with pytest.raises(ValidationError):
        services.enrol(actor=officer.user, offer=draft, organisation=officer.organisation, places=1)
    with pytest.raises(ValidationError):
        services.enrol(actor=officer.user, offer=offer, organisation=officer.organisation, places=0)
    assert not Enrolment.objects.exists()


def test_only_coordinators_write_the_offer_and_only_for_served_sectors(coordinator_member, officer):
    with pytest.raises(NotPermitted):
        _offer(officer)
    with pytest.raises(NotPermitted):
        services.create_offer(
            actor=officer.user,
            coordinator=coordinator_member.organisation,
            title="x",
            audience="it",
            format="online",
            starts_on=days_ago(1),
            ends_on=days_ago(0),
            sectors=[sector("PO")],
        )
    with pytest.raises(ValidationError) as refused:
        _offer(coordinator_member, sectors=[sector("WO")], audience="robots", ends_on=days_ago(400))
    assert {"sectors", "audience", "ends_on"} <= set(refused.value.message_dict)
    offer = _offer(coordinator_member)
    with pytest.raises(NotPermitted):
        services.update_offer(actor=officer.user, offer=offer, title="Gekaapt")
    other_coordinator = member(Role.SECTOR_COORDINATOR, OrganisationFactory(kind="sector_organisation", sector=None))
    with pytest.raises(NotPermitted):
        services.update_offer(actor=other_coordinator.user, offer=offer, title="Gekaapt")
    services.update_offer(actor=coordinator_member.user, offer=offer, title="Phishing herkennen 2")
    assert TrainingOffer.objects.get().title == "Phishing herkennen 2"


def test_a_coordinator_enrols_no_one(coordinator_member, officer):
    offer = _offer(coordinator_member)
    with pytest.raises(NotPermitted):
        services.enrol(actor=coordinator_member.user, offer=offer, organisation=officer.organisation, places=3)
