"""Anonymised sector figures: minimum group, no single organisation's figure, and no
differencing between 'all sectors' and a sector."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory, member, sector
from tests.governance.conftest import signed_in
from weerbaar.core.permissions import Role
from weerbaar.governance import figures, selectors
from weerbaar.governance.models import AnnualReportParagraph, SecurityBudget
from weerbaar.organisations.choices import OrganisationKind

YEAR = 2025


def rows(sector_code: str, n: int, start: int = 0, approved: int = 0):
    return [
        figures.OrganisationFigures(
            organisation_id=start + i,
            sector=sector_code,
            approved=i < approved,
            per_student=100.0 + i,
            per_fte=1000.0 + 10 * i,
        )
        for i in range(n)
    ]


def test_a_group_needs_the_minimum_besides_the_reader():
    small = figures.build(rows("PO", 5), sectors=["PO"], min_group=5, year=YEAR)
    assert all(cell.suppressed for cell in small.cells)
    shown = figures.build(rows("PO", 6, approved=3), sectors=["PO"], min_group=5, year=YEAR)
    approved = shown.cell("PO", "approved")
    assert not approved.suppressed
    assert approved.share == 0.5
    assert shown.cell("PO", "per_student").median == pytest.approx(102.5)


def test_suppressed_cells_carry_no_numbers():
    result = figures.build(rows("PO", 3), sectors=["PO"], min_group=5, year=YEAR)
    for cell in result.cells:
        assert (cell.count, cell.share, cell.q1, cell.median, cell.q3) == (None, None, None, None, None)


def test_differencing_all_sectors_minus_a_sector_is_refused():
    """Eight PO boards and two VO boards: 'all' minus PO would be the two VO boards' figures."""
    result = figures.build(
        rows("PO", 8, approved=4) + rows("VO", 2, start=100, approved=2), sectors=["PO", "VO"], min_group=5, year=YEAR
    )
    assert not result.cell("PO", "approved").suppressed
    assert result.cell("VO", "approved").suppressed
    assert result.cell("all", "approved").suppressed
    assert result.cell("all", "per_student").suppressed
    # With enough VO boards everything is shown.
    result = figures.build(
        rows("PO", 8, approved=4) + rows("VO", 6, start=100, approved=2), sectors=["PO", "VO"], min_group=5, year=YEAR
    )
    assert not result.cell("all", "approved").suppressed
    assert result.cell("all", "approved").approved == 6


def test_organisations_without_a_budget_stay_out_of_the_budget_cells():
    """The budget cells count only organisations with a budget (never a zero for the others)."""
    data = rows("PO", 8)
    data += [figures.OrganisationFigures(organisation_id=50, sector="PO", approved=False)]  # no budget
    result = figures.build(data, sectors=["PO"], min_group=5, year=YEAR)
    assert not result.cell("PO", "per_student").suppressed
    assert result.cell("PO", "per_student").count == 8


def _boards(code: str, n: int, name: str) -> list:
    return [OrganisationFactory(name=f"{name} {i}", sector=sector(code), student_count=1000 + i) for i in range(n)]


def _budget(organisation, amount: int):
    SecurityBudget.objects.create(
        organisation=organisation,
        year=YEAR,
        total_budget=Decimal("50000000"),
        ict_budget=Decimal("2000000"),
        security_budget=Decimal(amount),
        headcount_fte=Decimal("100"),
    )


@pytest.fixture
def sector_world(db):
    po = _boards("PO", 7, "PO Bestuur")
    vo = _boards("VO", 2, "VO Bestuur")
    for i, board in enumerate(po):
        _budget(board, 50000 + 1000 * i)
    # One VO board has a budget nobody else has: it must never be shown.
    _budget(vo[0], 777777)
    _budget(vo[1], 80000)
    for board in po[:4] + vo:
        AnnualReportParagraph.objects.create(
            organisation=board, year=YEAR, status="approved", text_nl="x", approved_at=datetime(2026, 5, 1, tzinfo=UTC)
        )
    coordination = OrganisationFactory(
        name="Coordinatie", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    coordination.served_sectors.set([sector("PO"), sector("VO")])
    return {"po": po, "vo": vo, "coordinator": member(Role.SECTOR_COORDINATOR, coordination).user}


def test_sector_page_shows_aggregates_only_and_resists_differencing(client, sector_world):
    signed_in(client, sector_world["coordinator"])
    response = client.get(reverse("governance:sector") + f"?year={YEAR}")
    assert response.status_code == 200
    body = response.content.decode()
    # PO (7 boards) is shown: 4 of 7 approved.
    assert "(4 / 7)" in body
    # VO (2 boards) is too small, and so is 'all' (it would be PO plus the two VO boards).
    assert "(6 / 9)" not in body
    assert "777777" not in body
    assert "777.777" not in body
    assert "7777" not in body  # budget per pupil of the planted VO board (777777 / 1000)
    figures_ = selectors.sector_figures(["PO", "VO"], YEAR)
    assert figures_.cell("all", "approved").suppressed
    assert figures_.cell("VO", "per_student").suppressed


def test_sector_figures_need_a_sector_role(client, sector_world):
    signed_in(client, member(Role.IBP_OFFICER, sector_world["po"][0]).user)
    assert client.get(reverse("governance:sector")).status_code in (403, 404)
    assert client.get(f"/api/v1/governance/sector-figures/?year={YEAR}").status_code in (403, 404)


def test_sector_figures_api(client, sector_world):
    signed_in(client, sector_world["coordinator"])
    body = client.get(f"/api/v1/governance/sector-figures/?year={YEAR}").json()
    cells = {(c["group"], c["column"]): c for c in body["cells"]}
    assert cells[("PO", "approved")]["approved"] == 4
    assert cells[("all", "approved")]["suppressed"] is True
    assert cells[("all", "approved")]["count"] is None
    assert "777777" not in str(body)
    assert client.get("/api/v1/governance/sector-figures/?year=abc").status_code == 400


def test_monitor_dashboard_includes_the_figures(client, sector_world):
    """The monitor's dashboard carries the governance table for the sectors it shows."""
    from tests.factories import published_version
    from weerbaar.monitor import services as monitor_services

    coordination = sector_world["coordinator"].memberships.get().organisation
    cycle = monitor_services.open_cycle(
        actor=sector_world["coordinator"],
        coordinator=coordination,
        name="Monitor 2026",
        kind="monitor",
        sectors=[sector("PO"), sector("VO")],
        framework_version=published_version(code="MONGOV"),
        opens_on=date(YEAR + 1, 1, 10),
        closes_on=date(YEAR + 1, 3, 1),
    )
    signed_in(client, sector_world["coordinator"])
    body = client.get(reverse("monitor:sector_dashboard")).content.decode()
    assert 'id="governance-figures-heading"' in body
    assert "(4 / 7)" in body
    assert "777777" not in body
    autumn = client.get(reverse("monitor:report_autumn", args=[cycle.public_id])).content.decode()
    assert "(4 / 7)" in autumn
    pdf = client.get(reverse("monitor:report_autumn_pdf", args=[cycle.public_id]))
    assert pdf.content.startswith(b"%PDF")
