"""Reports and exports of the sector picture: SVG charts with their text, the PDF that reaches
only our own static files, the formula-safe XLSX, and the overdue audit counts."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from tests.factories import OrganisationFactory, member, published_version, sector
from weerbaar.assessments.choices import AssessmentKind, AssessmentStatus
from weerbaar.assessments.models import Assessment
from weerbaar.assessments.selectors import overdue_audit_counts
from weerbaar.core.permissions import Role
from weerbaar.monitor import reports, selectors
from weerbaar.organisations.choices import OrganisationKind

pytestmark = pytest.mark.django_db


def nl(text: str) -> str:
    with translation.override("nl"):
        return gettext(text)


def test_a_bar_chart_is_an_accessible_svg_with_suppressed_bars_said_in_words():
    with translation.override("en"):
        svg = str(reports.bar_chart("Means", [("Overall", 2.5), ("GO Governance", None)], chart_id="c1"))
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
    assert 'aria-labelledby="c1-title c1-desc"' in svg
    assert '<title id="c1-title">Means</title>' in svg
    assert "GO Governance suppressed" in svg.split("<desc")[1].split("</desc>")[0]
    assert "suppressed (too few participants)" in svg
    # 2.5 on a scale of 0 to 5 over 360 pixels is a bar of 180.
    assert 'width="180.0"' in svg
    assert not re.search(r"\sstyle=", svg)
    assert "<script" not in svg


def test_chart_labels_are_escaped():
    svg = str(reports.bar_chart("<b>", [("<script>x</script>", 3.0)], chart_id="c2"))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


@pytest.mark.parametrize("value", ["=SUM(A1:A9)", "+31 20", "-2", "@cmd", "\t=1"])
def test_spreadsheet_text_is_never_a_formula(value):
    assert reports.safe_cell(value) == "'" + value


def test_spreadsheet_numbers_and_plain_text_stay_as_they_are():
    assert reports.safe_cell(2.75) == 2.75
    assert reports.safe_cell("Primair onderwijs") == "Primair onderwijs"


def test_the_xlsx_export_holds_every_aggregate_and_marks_suppressed_cells(client, monitor_world):
    monitor_world.cycle.name = '=HYPERLINK("http://x")'
    monitor_world.cycle.save()
    client.force_login(monitor_world.ministry.user)
    response = client.get(reverse("monitor:export_xlsx", args=[monitor_world.cycle.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert {"Benchmark", "SOC", "Audits", "Trend"} <= set(book.sheetnames) | {
        nl("Benchmark"),
        nl("SOC"),
        nl("Audits"),
        nl("Trend"),
    }
    cycle_sheet = book.worksheets[0]
    assert cycle_sheet["B2"].value == '\'=HYPERLINK("http://x")'
    benchmark = book.worksheets[1]
    rows = list(benchmark.iter_rows(min_row=2, values_only=True))
    po_overall = next(r for r in rows if r[0] == nl("Primary education") and r[1] == nl("Overall"))
    assert po_overall[3] == 8
    assert po_overall[4] == pytest.approx(round(263 / 96, 4))
    # Distribution over levels 1-5: six boards in band 2, two at 3 or more (3.0 and 4.46).
    assert po_overall[8:13] == (0, 6, 1, 1, 0)
    vo_rows = [r for r in rows if r[0] == nl("Secondary education")]
    assert vo_rows
    assert all(r[2] == nl("suppressed (too few participants)") and r[3] is None for r in vo_rows)


def test_reports_render_as_pages_and_pdfs_with_captioned_tables(client, monitor_world):
    client.force_login(monitor_world.council.user)
    cycle_id = monitor_world.cycle.public_id
    for name in ("monitor:report_spring", "monitor:report_autumn"):
        page = client.get(reverse(name, args=[cycle_id])).content.decode()
        assert page.count("<caption") >= 2
        assert 'scope="col"' in page
        assert 'scope="row"' in page
        assert nl("suppressed (too few participants)") in page
        assert not re.search(r"\sstyle=", page)
    autumn = client.get(reverse("monitor:report_autumn", args=[cycle_id])).content.decode()
    assert nl("Trend over the cycles") in autumn
    assert nl("SOC connections") in autumn
    pdf = client.get(reverse("monitor:report_spring_pdf", args=[cycle_id]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]


def test_the_trend_compares_a_cycle_with_the_one_before(monitor_world):
    from weerbaar.monitor import services

    earlier = services.open_cycle(
        actor=monitor_world.coordinator.user,
        coordinator=monitor_world.coordinator.organisation,
        name="Nulmeting",
        kind="baseline",
        sectors=[sector("PO"), sector("VO")],
        framework_version=monitor_world.version,
        opens_on=monitor_world.cycle.opens_on - timedelta(days=365),
        closes_on=monitor_world.cycle.opens_on - timedelta(days=200),
    )
    trend = selectors.group_trend(monitor_world.cycle, ["all", "PO", "VO"])
    assert [point["cycle"] for point in trend] == [earlier, monitor_world.cycle]
    # The earlier cycle has no results: its cells do not exist rather than showing zero.
    assert dict(trend[0]["cells"]) == {"all": None, "PO": None, "VO": None}
    assert dict(trend[1]["cells"])["VO"].suppressed


def _audit(organisation, days_ago: int, kind=AssessmentKind.EXTERNAL_AUDIT):
    version = published_version(code=f"A{organisation.pk}")
    return Assessment.objects.create(
        organisation=organisation,
        framework_version=version,
        kind=kind,
        status=AssessmentStatus.FINAL,
        title="Audit",
        finalised_at=timezone.now() - timedelta(days=days_ago),
    )


def test_overdue_audits_are_counted_from_the_sector_policy():
    universities = [
        OrganisationFactory(name=f"Universiteit {i}", kind=OrganisationKind.INSTITUTION, sector=sector("WO"))
        for i in range(6)
    ]
    _audit(universities[0], 30)
    _audit(universities[1], 200)
    _audit(universities[2], 500)  # longer ago than the 12 months of the policy
    _audit(universities[3], 10, kind=AssessmentKind.SELF)  # a self-assessment is no audit
    (row,) = overdue_audit_counts(_ministry_user(), ["WO"])
    # Six universities, two audited within 12 months, four overdue, three never audited.
    assert (row["organisations"], row["covered"], row["overdue"], row["never_audited"]) == (6, 2, 4, 3)


def test_overdue_audits_of_a_small_sector_are_suppressed():
    for i in range(5):
        OrganisationFactory(name=f"Hogeschool {i}", kind=OrganisationKind.INSTITUTION, sector=sector("HBO"))
    (row,) = overdue_audit_counts(_ministry_user(), ["HBO"])
    assert row["suppressed"] is True
    assert "overdue" not in row
    assert "organisations" not in row


def test_overdue_audits_reach_only_aggregate_readers():
    for i in range(6):
        OrganisationFactory(name=f"Universiteit {i}", kind=OrganisationKind.INSTITUTION, sector=sector("WO"))
    officer = member(Role.IBP_OFFICER).user
    assert overdue_audit_counts(officer, ["WO"]) == []
    assert [row["sector"].code for row in overdue_audit_counts(_ministry_user(), ["WO"])] == ["WO"]


def _ministry_user():
    ministry = OrganisationFactory(name="Ministerie", kind=OrganisationKind.MINISTRY, sector=None, board_number="")
    return member(Role.MINISTRY_ANALYST, ministry).user
