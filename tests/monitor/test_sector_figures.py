"""The sector figures besides the benchmark cells (share on track, basic measures, SOC, audits,
awareness, governance) are stored ahead of any reader: they equal what the live selectors give,
follow every change to their sources, and the dashboard reads them in a fixed number of queries."""

from dataclasses import asdict
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import OrganisationFactory, member, sector
from tests.monitor.conftest import ORDINARY, finish
from weerbaar.assessments.choices import AssessmentKind
from weerbaar.assessments.models import AuditPolicy
from weerbaar.assessments.selectors import overdue_audit_counts
from weerbaar.awareness import selectors as awareness_selectors
from weerbaar.core.permissions import Role
from weerbaar.governance import selectors as governance_selectors
from weerbaar.monitor import selectors, services, tasks
from weerbaar.monitor.choices import MeasureState, SocStatus
from weerbaar.monitor.models import Ambition, BasicMeasure, SectorFigures
from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Sector

pytestmark = pytest.mark.django_db


def _posture(world):
    """MFA in place at three PO boards and one VO board, backups at every PO board; two PO
    boards connected to a SOC, one planned; an ambition for PO and VO, an audit policy for PO."""
    po, vo = world.po_boards, world.vo_boards
    mfa, backups = BasicMeasure.objects.get(code="MFA"), BasicMeasure.objects.order_by("position")[1]
    for board in [*po[:3], vo[0]]:
        officer = board.memberships.get(role=Role.IBP_OFFICER).user
        services.set_measure_status(actor=officer, organisation=board, measure=mfa, state=MeasureState.IN_PLACE)
    for board in [world.planted, *po]:
        officer = board.memberships.get(role=Role.IBP_OFFICER).user
        services.set_measure_status(actor=officer, organisation=board, measure=backups, state=MeasureState.IN_PLACE)
    planned = timezone.localdate().replace(day=1) + timedelta(days=70)
    for board, status in ((po[0], SocStatus.CONNECTED), (po[1], SocStatus.CONNECTED), (po[2], SocStatus.PLANNED)):
        officer = board.memberships.get(role=Role.IBP_OFFICER).user
        services.set_soc_connection(
            actor=officer,
            organisation=board,
            status=status,
            provider="SOC Noord",
            planned_on=planned if status == SocStatus.PLANNED else None,
        )
    for code in ("PO", "VO"):
        Ambition.objects.update_or_create(
            sector=sector(code), defaults={"target": 2.5, "deadline": timezone.localdate() + timedelta(days=900)}
        )
    AuditPolicy.objects.update_or_create(
        sector=sector("PO"),
        defaults={
            "interval_months": 12,
            "accepted_kinds": [AssessmentKind.SELF],
            "applies_to_kinds": [OrganisationKind.SCHOOL_BOARD],
        },
    )
    return mfa, backups


def _ministry_user():
    ministry = OrganisationFactory(name="Ministerie X", kind=OrganisationKind.MINISTRY, sector=None, board_number="")
    return member(Role.MINISTRY_ANALYST, ministry).user


@pytest.mark.parametrize("codes", [["PO", "VO"], ["PO"], ["VO"]])
def test_stored_figures_equal_what_the_live_selectors_compute(monitor_world, codes):
    _posture(monitor_world)
    cycle = monitor_world.cycle
    services.refresh_sector_figures()
    stored = selectors.stored_sector_figures(cycle, codes)
    year = cycle.opens_on.year - 1
    sectors = list(Sector.objects.filter(code__in=codes))
    assert stored["on_track"] == selectors.shares_on_track(sectors)
    assert stored["measures"] == selectors.measure_coverage(codes)
    assert stored["soc"] == selectors.soc_coverage(codes)
    assert stored["audits"] == overdue_audit_counts(_ministry_user(), codes)
    assert stored["awareness"] == awareness_selectors.sector_figures(codes)
    assert asdict(stored["governance"]) == asdict(governance_selectors.sector_figures(codes, year))


def test_stored_figures_hold_the_hand_counted_numbers(monitor_world):
    _mfa, backups = _posture(monitor_world)
    services.refresh_sector_figures()
    stored = selectors.stored_sector_figures(monitor_world.cycle, ["PO", "VO"])
    measures = {row["measure"].code: row for row in stored["measures"]}
    # 8 PO and 6 VO boards: MFA at 3 + 1 of them, backups at the 8 PO boards.
    assert (measures["MFA"]["in_place"], measures["MFA"]["population"]) == (4, 14)
    assert measures[backups.code]["in_place"] == 8
    assert stored["soc"]["statuses"] == {SocStatus.CONNECTED: 2, SocStatus.PLANNED: 1, SocStatus.NONE: 11}
    assert len(stored["soc"]["calendar"]) == 1
    # PO: 8 final boards; the planted one and the ordinary ones with overall 2.75, 2.71 and 3
    # reach the ambition of 2.5.
    assert stored["on_track"]["PO"] == {"suppressed": False, "count": 8, "share": 0.5}
    # VO: five final boards are too few to show besides a reader.
    assert stored["on_track"]["VO"] == {"suppressed": True}
    (audits,) = stored["audits"]
    assert audits["sector"].code == "PO"
    assert (audits["organisations"], audits["never_audited"]) == (8, 0)


def test_a_measure_or_soc_change_refreshes_the_stored_figures(monitor_world):
    mfa, _backups = _posture(monitor_world)
    services.refresh_sector_figures()
    board = monitor_world.po_boards[5]
    officer = board.memberships.get(role=Role.IBP_OFFICER).user

    def stored():
        return selectors.read_sector_figures(
            SectorFigures.objects.get(sectors="PO,VO").figures, 0, {s.code: s for s in Sector.objects.all()}
        )

    services.set_measure_status(actor=officer, organisation=board, measure=mfa, state=MeasureState.IN_PLACE)
    assert {row["measure"].code: row["in_place"] for row in stored()["measures"]}["MFA"] == 5
    services.set_soc_connection(actor=officer, organisation=board, status=SocStatus.CONNECTED, provider="SOC Zuid")
    assert stored()["soc"]["statuses"][SocStatus.CONNECTED] == 3
    assert not SectorFigures.objects.filter(stale=True).exists()


def test_an_assessment_becoming_final_refreshes_the_share_on_track(client, monitor_world):
    _posture(monitor_world)
    services.refresh_sector_figures()
    assert SectorFigures.objects.get(sectors="PO,VO").figures["on_track"]["VO"] == {"suppressed": True}
    cycle = monitor_world.cycle
    participation = cycle.participations.get(organisation=monitor_world.vo_boards[5])
    finish(participation, ORDINARY[5])
    # The dashboard finds the cycle stale and its refresh task stores the figures again.
    client.force_login(monitor_world.ministry.user)
    assert client.get(reverse("monitor:sector_dashboard") + f"?cycle={cycle.public_id}").status_code == 200
    share = SectorFigures.objects.get(sectors="PO,VO").figures["on_track"]["VO"]
    assert share["suppressed"] is False
    assert share["count"] == 6


def test_changes_queue_one_refresh_until_it_ran(monitor_world, monkeypatch):
    mfa, _backups = _posture(monitor_world)
    services.refresh_sector_figures()
    queued = []
    # As with the database task backend: queued, not run yet.
    monkeypatch.setattr(tasks, "refresh_sector_figures_task", SimpleNamespace(enqueue=lambda: queued.append(1)))
    for board in monitor_world.po_boards[3:6]:
        officer = board.memberships.get(role=Role.IBP_OFFICER).user
        services.set_measure_status(actor=officer, organisation=board, measure=mfa, state=MeasureState.PLANNED)
    assert queued == [1]
    assert SectorFigures.objects.filter(stale=True).exists()
    # A reader meanwhile gets the stored figures and queues nothing more.
    assert selectors.stored_sector_figures(monitor_world.cycle, ["PO", "VO"])["measures"]
    assert queued == [1]
    services.refresh_sector_figures()
    assert not SectorFigures.objects.filter(stale=True).exists()


def test_figures_from_an_earlier_day_are_refreshed_when_read(monitor_world):
    _posture(monitor_world)
    services.refresh_sector_figures()
    yesterday = timezone.localdate() - timedelta(days=1)
    SectorFigures.objects.update(computed_on=yesterday)
    selectors.stored_sector_figures(monitor_world.cycle, ["PO", "VO"])
    assert SectorFigures.objects.get(sectors="PO,VO").computed_on == timezone.localdate()


def test_a_set_of_sectors_nobody_read_before_is_stored_on_first_read(monitor_world):
    _posture(monitor_world)
    assert not SectorFigures.objects.filter(sectors="VO").exists()
    stored = selectors.stored_sector_figures(monitor_world.cycle, ["VO"])
    assert stored["measures"] == selectors.measure_coverage(["VO"])
    assert SectorFigures.objects.filter(sectors="VO").exists()


def test_the_refresh_stores_the_sets_readers_have(monitor_world):
    services.refresh_sector_figures()
    # The cycle's sectors (councils, the ministry, the inspectorate) and the coordinator's reach.
    assert set(SectorFigures.objects.values_list("sectors", flat=True)) == {"PO,VO"}
    assert services.refresh_sector_figures() == 1


def test_the_dashboard_reads_stored_rows_in_queries_that_do_not_grow_with_the_sector(client, monitor_world):
    _posture(monitor_world)
    cycle = monitor_world.cycle
    path = reverse("monitor:sector_dashboard") + f"?cycle={cycle.public_id}"
    client.force_login(monitor_world.coordinator.user)

    def queries() -> int:
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200
        assert "<progress" in response.content.decode()
        return len(captured)

    before = queries()
    mfa = BasicMeasure.objects.get(code="MFA")
    for i in range(12):
        board = OrganisationFactory(name=f"PO Extra {i}", sector=sector("PO"))
        officer = member(Role.IBP_OFFICER, board).user
        services.set_measure_status(actor=officer, organisation=board, measure=mfa, state=MeasureState.IN_PLACE)
        services.set_soc_connection(actor=officer, organisation=board, status=SocStatus.CONNECTED, provider="SOC")
    participation = cycle.participations.get(organisation=monitor_world.vo_boards[5])
    finish(participation, ORDINARY[5])
    client.get(path)  # the refresh of the cycle, queued by the first reader after the change
    after = queries()
    assert after == before
    assert after <= 25


def test_the_refresh_command_stores_the_figures_again(monitor_world):
    import io

    from django.core.management import call_command

    services.refresh_sector_figures()
    SectorFigures.objects.update(stale=True, computed_on=timezone.localdate() - timedelta(days=1))
    out = io.StringIO()
    call_command("refresh_monitor", stdout=out)
    assert "Sector figures: 1 sets of sectors stored." in out.getvalue()
    row = SectorFigures.objects.get()
    assert (row.stale, row.computed_on) == (False, timezone.localdate())


def test_the_governance_figures_stored_here_read_the_population_without_listing_it():
    # The refresh stores them for every cycle's year: a list of every organisation's id in each
    # query made that the slowest part at the sector's size.
    def longest_query() -> int:
        with CaptureQueriesContext(connection) as captured:
            governance_selectors.sector_figures(["PO"], 2025)
        return max(len(query["sql"]) for query in captured)

    for i in range(6):
        OrganisationFactory(name=f"PO Bestuur {i}", sector=sector("PO"))
    few = longest_query()
    for i in range(6, 40):
        OrganisationFactory(name=f"PO Bestuur {i}", sector=sector("PO"))
    assert longest_query() == few
