"""A small monitored sector for the page, report and API tests.

Eight PO boards and six VO boards take part in an open cycle on a small framework (GO with
3 norms, SM with 4). One PO board, "Stichting Uitschieter", scores far above the rest, so that
its own values (overall 4.4583, GO 4.6667, SM 4.25) are unique in the sector: no page, report,
export or API answer for a sector role may contain them. Five of the six VO boards are final,
so every VO cell is suppressed.
"""

from dataclasses import dataclass, fields
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import OrganisationFactory, member, published_version, sector
from weerbaar.assessments import services as assessment_services
from weerbaar.assessments.models import NormScore
from weerbaar.core.permissions import Role
from weerbaar.monitor import selectors, services
from weerbaar.monitor.choices import CycleKind
from weerbaar.organisations.choices import OrganisationKind

# The planted board's own values, in every way a page, export or API could print them.
PLANTED_VALUES = (
    "4.4583",
    "4,4583",
    "4.46",
    "4,46",
    "4.45",
    "4,45",
    "4.6667",
    "4,6667",
    "4.67",
    "4,67",
    "4.25",
    "4,25",
)


@dataclass
class MonitorWorld:
    cycle: object
    version: object
    planted: object
    planted_officer: object
    po_boards: list
    vo_boards: list
    coordinator: object
    council: object
    ministry: object
    inspector: object
    other_officer: object


def finish(participation, levels: list[int]):
    """Take part, score every norm in order with `levels`, submit and make final."""
    board = participation.organisation
    ibp = board.memberships.filter(role=Role.IBP_OFFICER).first() or member(Role.IBP_OFFICER, board)
    chair = board.memberships.filter(role=Role.BOARD_MEMBER).first() or member(Role.BOARD_MEMBER, board)
    assessment = services.take_part(actor=ibp.user, participation=participation)
    scores = NormScore.objects.filter(assessment=assessment).order_by("norm__position")
    for score, level in zip(scores, levels, strict=True):
        assessment_services.save_score(actor=ibp.user, score=score, level=level)
    assessment_services.submit_assessment(actor=chair.user, assessment=assessment)
    assessment_services.finalise_assessment(actor=chair.user, assessment=assessment)
    return assessment


# Levels per norm: GO.01-03, SM.01-04. The ordinary boards stay at 2 and 3.
ORDINARY = [
    [2, 2, 3, 2, 2, 3, 3],
    [3, 3, 3, 2, 3, 3, 2],
    [2, 2, 2, 2, 2, 2, 2],
    [3, 2, 3, 3, 3, 2, 3],
    [2, 3, 2, 2, 2, 2, 3],
    [3, 3, 3, 3, 3, 3, 3],
    [2, 2, 3, 3, 2, 2, 2],
]
PLANTED_LEVELS = [5, 5, 4, 4, 4, 4, 5]  # GO 14/3 = 4.6667, SM 17/4 = 4.25, overall 4.4583


@pytest.fixture
def monitor_world(monitor_world_once, db) -> MonitorWorld:
    """The sector built once per test module (monitor_world_once in tests/conftest.py, so that
    other apps' tests can import this fixture too); each test gets fresh instances of its rows,
    so no test sees another's changes to them in memory (changes in the database roll back)."""
    return MonitorWorld(
        **{field.name: _fresh(getattr(monitor_world_once, field.name)) for field in fields(MonitorWorld)}
    )


def _fresh(value):
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    return type(value)._base_manager.get(pk=value.pk)


def build_monitor_world() -> MonitorWorld:
    version = published_version(code="MON", domains={"GO": 3, "SM": 4})
    sivon = OrganisationFactory(
        name="Coordinatie PO VO",
        kind=OrganisationKind.SECTOR_ORGANISATION,
        sector=None,
        board_number="",
    )
    sivon.served_sectors.set([sector("PO"), sector("VO")])
    coordinator = member(Role.SECTOR_COORDINATOR, sivon)
    planted = OrganisationFactory(name="Stichting Uitschieter", sector=sector("PO"))
    po_boards = [OrganisationFactory(name=f"PO Bestuur {i}", sector=sector("PO")) for i in range(7)]
    vo_boards = [OrganisationFactory(name=f"VO Bestuur {i}", sector=sector("VO")) for i in range(6)]
    planted_officer = member(Role.IBP_OFFICER, planted)
    today = timezone.localdate()
    cycle = services.open_cycle(
        actor=coordinator.user,
        coordinator=sivon,
        name="Monitor PO VO",
        kind=CycleKind.MONITOR,
        sectors=[sector("PO"), sector("VO")],
        framework_version=version,
        opens_on=today - timedelta(days=30),
        closes_on=today + timedelta(days=40),
    )
    participations = {p.organisation_id: p for p in cycle.participations.all()}
    finish(participations[planted.pk], PLANTED_LEVELS)
    for board, levels in zip(po_boards, ORDINARY, strict=True):
        finish(participations[board.pk], levels)
    for board, levels in zip(vo_boards[:5], ORDINARY, strict=False):
        finish(participations[board.pk], levels)
    selectors.cycle_aggregates(cycle)  # refreshes the snapshot

    council_org = OrganisationFactory(
        name="Raad PO", kind=OrganisationKind.UMBRELLA_COUNCIL, sector=None, board_number=""
    )
    council_org.council_members.set([planted, *po_boards])
    ministry_org = OrganisationFactory(name="Ministerie", kind=OrganisationKind.MINISTRY, sector=None, board_number="")
    inspectorate = OrganisationFactory(
        name="Inspectie", kind=OrganisationKind.INSPECTORATE, sector=None, board_number=""
    )
    return MonitorWorld(
        cycle=cycle,
        version=version,
        planted=planted,
        planted_officer=planted_officer,
        po_boards=po_boards,
        vo_boards=vo_boards,
        coordinator=coordinator,
        council=member(Role.COUNCIL_MEMBER, council_org),
        ministry=member(Role.MINISTRY_ANALYST, ministry_org),
        inspector=member(Role.INSPECTOR, inspectorate),
        other_officer=po_boards[0].memberships.get(role=Role.IBP_OFFICER),
    )
