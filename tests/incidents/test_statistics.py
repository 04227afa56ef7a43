"""Anonymised incident statistics: the benchmark's rules per cell (group size, no differencing, no
complement), medians, and who may read them."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.factories import OrganisationFactory, member, sector
from tests.incidents.conftest import report
from weerbaar.core.permissions import Role
from weerbaar.incidents import selectors
from weerbaar.incidents.statistics import IncidentFact, build_report, hidden_cells

MIN_GROUP = 5


def fact(
    org,
    *,
    sector="PO",
    month=3,
    category="fraud",
    severity="high",
    report_hours=10.0,
    resolve_hours=None,
):
    submitted = datetime(2026, month, 10, 12, 0, tzinfo=UTC)
    return IncidentFact(
        organisation_id=org,
        sector=sector,
        aware_at=submitted - timedelta(hours=report_hours),
        submitted_at=submitted,
        category=category,
        severity=severity,
        resolved_at=submitted + timedelta(hours=resolve_hours) if resolve_hours is not None else None,
    )


def cells(report, dimension):
    return {c.key: c for c in report.dimensions[dimension]}


def test_nothing_is_shown_for_five_organisations_or_fewer():
    report = build_report([fact(org) for org in range(5)] * 3, min_group=MIN_GROUP, sectors=["PO"])

    assert report.total.suppressed
    assert report.total.incidents is None
    assert all(not cells for cells in report.dimensions.values())


def test_counts_and_medians_of_a_large_enough_group():
    facts = [fact(org, report_hours=hours, resolve_hours=hours * 10) for org, hours in enumerate([2, 4, 6, 8, 10, 12])]

    report = build_report(facts, min_group=MIN_GROUP, sectors=["PO"])

    assert report.total.incidents == 6
    assert report.total.median_hours_to_report == 7.0
    assert report.total.median_hours_to_resolve == 70.0
    assert cells(report, "month")["2026-03"].incidents == 6


def test_a_small_cell_is_suppressed_and_carries_no_numbers():
    facts = [fact(org, category="fraud") for org in range(12)] + [fact(12, category="availability")]

    fraud = cells(build_report(facts, min_group=MIN_GROUP, sectors=["PO"]), "category")

    assert fraud["availability"].suppressed
    assert fraud["availability"].incidents is None
    assert fraud["availability"].median_hours_to_report is None


def test_a_cell_almost_as_large_as_the_total_is_suppressed_against_differencing():
    # 10 organisations report fraud, 2 more report something else: fraud (10) and the total (12)
    # differ by 2, so subtracting would expose those two.
    facts = [fact(org, category="fraud") for org in range(10)] + [
        fact(org, category="availability") for org in (10, 11)
    ]

    report = build_report(facts, min_group=MIN_GROUP, sectors=["PO"])

    assert not report.total.suppressed
    assert cells(report, "category")["fraud"].suppressed
    assert cells(report, "category")["availability"].suppressed


def test_the_complement_of_the_shown_cells_is_never_a_small_group():
    members = {"a": frozenset(range(0, 8)), "b": frozenset(range(8, 16)), "c": frozenset({16, 17})}
    total = frozenset().union(*members.values())

    hidden = hidden_cells(members, total, MIN_GROUP)

    # c alone is too small; hiding only c would let total - a - b reveal it, so one more goes.
    assert "c" in hidden
    assert len(hidden) >= 2
    assert len(frozenset().union(*(members[k] for k in hidden))) >= MIN_GROUP + 1


@pytest.mark.django_db
def test_each_sector_role_reads_its_own_sectors_and_institutions_read_none(desk):
    boards = [OrganisationFactory(sector=sector("PO")) for _ in range(7)]
    for board in boards:
        report(member(Role.IBP_OFFICER, board))

    coordinator = selectors.incident_statistics(desk.coordinator.user)
    ministry = selectors.incident_statistics(desk.ministry.user)

    assert coordinator.sectors == ["PO"]
    assert coordinator.total.incidents == 7
    assert {"PO", "WO"} <= set(ministry.sectors)
    assert ministry.total.incidents == 7
    assert selectors.statistics_sector_codes(desk.officer_a.user) == []
    assert selectors.incident_statistics(desk.officer_a.user).total.suppressed
