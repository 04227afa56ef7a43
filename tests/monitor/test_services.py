"""Cycles, participation, reminders and the precomputed, anonymised aggregates."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import OrganisationFactory, member, published_version, sector
from weerbaar.assessments import services as assessment_services
from weerbaar.assessments.models import NormScore
from weerbaar.core.permissions import Role
from weerbaar.monitor import selectors, services
from weerbaar.monitor.choices import CycleKind, MeasureState, ParticipationStep, SocStatus
from weerbaar.monitor.models import BasicMeasure, CycleAggregate, Participation, Reminder
from weerbaar.organisations.choices import OrganisationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator():
    org = OrganisationFactory(name="SIVON", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number="")
    org.served_sectors.set([sector("PO"), sector("VO")])
    return member(Role.SECTOR_COORDINATOR, org)


@pytest.fixture
def version():
    return published_version()


def open_cycle(coordinator, version, **kw):
    today = timezone.localdate()
    return services.open_cycle(
        actor=coordinator.user,
        coordinator=coordinator.organisation,
        name="Monitor 2026",
        kind=CycleKind.MONITOR,
        sectors=kw.get("sectors", [sector("PO")]),
        framework_version=version,
        opens_on=kw.get("opens_on", today - timedelta(days=30)),
        closes_on=kw.get("closes_on", today + timedelta(days=10)),
    )


def final_assessment(participation, level):
    board = participation.organisation
    ibp = member(Role.IBP_OFFICER, board).user
    chair = member(Role.BOARD_MEMBER, board).user
    assessment = services.take_part(actor=ibp, participation=participation)
    for score in NormScore.objects.filter(assessment=assessment):
        assessment_services.save_score(actor=ibp, score=score, level=level)
    assessment_services.submit_assessment(actor=chair, assessment=assessment)
    assessment_services.finalise_assessment(actor=chair, assessment=assessment)
    return assessment


def test_opening_a_cycle_invites_the_boards_of_its_sectors_only(coordinator, version):
    po_boards = [OrganisationFactory(sector=sector("PO")) for _ in range(3)]
    OrganisationFactory(kind=OrganisationKind.SCHOOL, parent=po_boards[0], sector=sector("PO"), board_number="")
    OrganisationFactory(sector=sector("VO"))
    cycle = open_cycle(coordinator, version)
    assert set(cycle.participations.values_list("organisation_id", flat=True)) == {b.pk for b in po_boards}
    assert selectors.participation_overview(cycle) == {"invited": 3, "started": 0, "submitted": 0, "final": 0}


def test_only_coordinators_of_the_sector_open_cycles(coordinator, version):
    board = OrganisationFactory(sector=sector("PO"))
    ibp = member(Role.IBP_OFFICER, board)
    with pytest.raises(PermissionDenied):
        services.open_cycle(
            actor=ibp.user,
            coordinator=coordinator.organisation,
            name="x",
            kind=CycleKind.MONITOR,
            sectors=[sector("PO")],
            framework_version=version,
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate() + timedelta(days=1),
        )
    with pytest.raises(ValidationError) as error:
        open_cycle(coordinator, version, sectors=[sector("MBO")])
    assert "sectors" in error.value.message_dict


def test_reminders_are_sent_once_per_step(coordinator, version, django_capture_on_commit_callbacks):
    board = OrganisationFactory(sector=sector("PO"))
    member(Role.IBP_OFFICER, board)
    cycle = open_cycle(coordinator, version)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders() == 1
        assert services.send_due_reminders() == 0
    assert len(mail.outbox) == 1
    # Starting the assessment is a new step, which gets its own single reminder.
    participation = Participation.objects.get(cycle=cycle, organisation=board)
    services.take_part(actor=board.memberships.first().user, participation=participation)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_reminders() == 1
        assert services.send_due_reminders() == 0
    assert sorted(Reminder.objects.values_list("step", flat=True)) == [
        ParticipationStep.INVITED,
        ParticipationStep.STARTED,
    ]


def test_aggregates_refresh_when_an_assessment_becomes_final_and_stay_anonymous(coordinator, version):
    boards = [OrganisationFactory(sector=sector("PO")) for _ in range(7)]
    cycle = open_cycle(coordinator, version)
    participations = {p.organisation_id: p for p in cycle.participations.all()}
    for i, board in enumerate(boards[:5]):
        final_assessment(participations[board.pk], level=2 + (i % 2))
    # Five final: a group of 5 is too small (5 besides the viewer are needed).
    cells = {(a.group, a.column): a for a in selectors.cycle_aggregates(cycle)}
    assert cells[("PO", "overall")].suppressed
    assert cells[("PO", "overall")].mean is None
    assert cells[("PO", "overall")].count is None

    final_assessment(participations[boards[5].pk], level=3)
    cells = {(a.group, a.column): a for a in selectors.cycle_aggregates(cycle)}
    po = cells[("PO", "overall")]
    # Levels 2,3,2,3,2,3 → mean 2.5; half at target.
    assert not po.suppressed
    assert (po.count, po.mean, po.share_at_target) == (6, 2.5, 0.5)

    # Each organisation sees its own position, never another's identity.
    ibp = boards[0].memberships.filter(role=Role.IBP_OFFICER).first().user
    position = selectors.own_position(ibp, boards[0], cycle)
    assert position["overall"] == 2.0
    assert position["percentiles"]["overall"] == pytest.approx(100 * (0 + 0.5 * 3) / 6)
    outsider = member(Role.IBP_OFFICER, boards[6]).user
    assert selectors.own_position(outsider, boards[0], cycle) is None


def test_sector_roles_read_aggregates_but_no_organisation_results(coordinator, version):
    boards = [OrganisationFactory(sector=sector("PO")) for _ in range(6)]
    cycle = open_cycle(coordinator, version)
    for p in cycle.participations.all():
        final_assessment(p, level=3)
    selectors.cycle_aggregates(cycle)
    assert list(selectors.aggregate_cycles(coordinator.user)) == [cycle]
    for board in boards:
        assert selectors.own_position(coordinator.user, board, cycle) is None
    board_member = boards[0].memberships.filter(role=Role.BOARD_MEMBER).first().user
    assert not selectors.aggregate_cycles(board_member).exists()
    assert CycleAggregate.objects.filter(cycle=cycle).count() == 2 * 3  # (all, PO) × (overall, GO, SM)


def test_basic_measures_and_soc(organisation):
    ibp = member(Role.IBP_OFFICER, organisation).user
    rvt = member(Role.SUPERVISORY_BOARD, organisation).user
    mfa = BasicMeasure.objects.get(code="MFA")
    services.set_measure_status(
        actor=ibp,
        organisation=organisation,
        measure=mfa,
        state=MeasureState.IN_PLACE,
        as_of=timezone.localdate(),
        evidence="Afgedwongen voor alle medewerkers",
    )
    with pytest.raises(PermissionDenied):
        services.set_measure_status(actor=rvt, organisation=organisation, measure=mfa, state=MeasureState.PLANNED)
    assert {m.code: s.state if s else None for m, s in selectors.measures_of(rvt, organisation)}[
        "MFA"
    ] == MeasureState.IN_PLACE

    with pytest.raises(ValidationError) as error:
        services.set_soc_connection(actor=ibp, organisation=organisation, status=SocStatus.PLANNED, provider="SURFsoc")
    assert "planned_on" in error.value.message_dict
    services.set_soc_connection(
        actor=ibp,
        organisation=organisation,
        status=SocStatus.PLANNED,
        provider="SURFsoc",
        planned_on=timezone.localdate() + timedelta(days=60),
    )
    assert selectors.soc_of(ibp, organisation).status == SocStatus.PLANNED


def test_coverage_is_suppressed_for_small_groups():
    boards = [OrganisationFactory(sector=sector("VO")) for _ in range(5)]
    assert selectors.soc_coverage(["VO"]) == {"suppressed": True}
    boards.append(OrganisationFactory(sector=sector("VO")))
    coverage = selectors.soc_coverage(["VO"])
    assert coverage["statuses"][SocStatus.NONE] == 6
    assert all(row["suppressed"] is False for row in selectors.measure_coverage(["VO"]))
