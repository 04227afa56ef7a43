"""The generated paragraph: its figures are the platform's own (the same selectors the other
pages use), the text says them in Dutch and English, and the sector chooses the elements."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import OrganisationFactory, member, sector
from weerbaar.assessments import selectors as assessment_selectors
from weerbaar.awareness.selectors import year_summary
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.core.tenancy import NotPermitted
from weerbaar.governance import paragraph as paragraph_text
from weerbaar.governance import selectors, services
from weerbaar.governance.models import AnnualReportParagraph
from weerbaar.incidents import selectors as incident_selectors
from weerbaar.monitor import selectors as monitor_selectors
from weerbaar.monitor.models import Ambition
from weerbaar.organisations.choices import OrganisationKind


def test_figures_in_the_draft_are_the_platforms_own(world):
    paragraph = services.generate_paragraph(actor=world.ibp, organisation=world.organisation, year=world.year)
    facts = paragraph.facts

    # Maturity: the assessments app's own derived score of the newest final assessment and the one before.
    latest = assessment_selectors.score_of(world.latest).overall
    previous = assessment_selectors.score_of(world.first).overall
    assert facts["maturity"]["overall"] == round(latest, 2) == 2.92
    assert facts["maturity"]["previous_overall"] == round(previous, 2) == 2.0
    assert facts["maturity"]["change"] == round(latest - previous, 2)
    assert facts["maturity"]["ambition_target"] == Ambition.objects.get(sector__code="PO").target
    # The monitor's forecast reads the same history the paragraph does.
    forecast = monitor_selectors.forecast_for(world.organisation)
    assert round(forecast.latest, 2) == facts["maturity"]["overall"]

    # Incidents: what the incident list shows the IBP officer, per kind (drafts are not reported).
    shown = incident_selectors.list_incidents(world.ibp, organisation=world.organisation).exclude(status="draft")
    assert facts["incidents"]["total"] == shown.count() == 2
    for category, count in facts["incidents"]["by_category"].items():
        assert (
            incident_selectors.list_incidents(world.ibp, organisation=world.organisation, category=category)
            .exclude(status="draft")
            .count()
            == count
        )
    assert facts["incidents"]["serious"] == shown.filter(severity__in=["high", "critical"]).count() == 1

    # Improvement plan: the assessments app's list of open actions.
    open_actions = assessment_selectors.list_improvement_actions(world.ibp, world.organisation, only_open=True)
    assert facts["improvement"]["open"] == open_actions.count() > 0

    # Audit status: the assessments app's own policy check.
    status = assessment_selectors.audit_status(world.organisation)
    assert facts["audit"]["policy_applies"] == status.applies
    assert facts["audit"]["overdue"] == status.overdue

    # Posture: the monitor's own reads.
    measures = monitor_selectors.measures_of(world.ibp, world.organisation)
    assert facts["posture"]["measures"] == len(measures)
    assert facts["posture"]["in_place"] == sum(1 for _m, s in measures if s and s.state == "in_place")

    # Awareness: the awareness app's year summary.
    summary = year_summary(organisation=world.organisation, year=world.year)
    for key in ("campaigns", "trainings", "phishing_simulations", "exercises"):
        assert facts["awareness"][key] == summary[key]
    assert facts["awareness"]["phishing_report_rate"] == pytest.approx(summary["phishing_report_rate"]) == 0.25

    # Budget: the budget page's record.
    budget = selectors.budget_for(world.organisation, world.year)
    assert facts["budget"]["security_budget"] == float(budget.security_budget) == 120000
    assert facts["budget"]["ict_share"] == pytest.approx(budget.ict_share) == 0.08
    assert facts["budget"]["per_student"] == 120.0

    # And the text says those very numbers, in Dutch and in English.
    nl, en = paragraph.text_nl, paragraph.text_en
    assert "2,92" in nl
    assert "2.92" in en
    assert "(2,00)" in nl
    assert "(2.00)" in en
    assert "+0,92" in nl
    assert "+0.92" in en
    assert "2 beveiligingsincidenten" in nl
    assert "2 security incidents" in en
    assert "Fraude" in nl or "fraude" in nl.lower()
    assert "€ 120.000" in nl
    assert "€120,000" in en
    assert "8% van het ICT-budget" in nl
    assert "8% of the ICT budget" in en
    assert "25%" in nl
    assert "25%" in en
    assert "bestuur en ICT" in nl
    assert "board and IT" in en
    assert f"{open_actions.count()} nog open" in nl


def test_paragraph_has_no_incident_details(world):
    paragraph = services.generate_paragraph(actor=world.ibp, organisation=world.organisation, year=world.year)
    for text in (paragraph.text_nl, paragraph.text_en, str(paragraph.facts)):
        assert "SECRET" not in text


def test_generating_is_audited_and_only_for_editors(world):
    before = AuditEntry.objects.count()
    paragraph = services.generate_paragraph(actor=world.ibp, organisation=world.organisation, year=world.year)
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "paragraph.generate"
    assert entry.object_id == str(paragraph.public_id)
    for outsider in (world.board, world.supervisor, world.dpo, member(Role.IBP_OFFICER).user):
        with pytest.raises(NotPermitted):
            services.generate_paragraph(actor=outsider, organisation=world.organisation, year=world.year)
    assert AnnualReportParagraph.objects.count() == 1


def test_a_year_without_data_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.generate_paragraph(actor=world.ibp, organisation=world.organisation, year=2005)
    assert "no figures" in str(exc.value)
    assert not AnnualReportParagraph.objects.exists()


def test_elements_follow_the_sector_settings(world):
    coordination = OrganisationFactory(
        name="Coordinatie", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    coordination.served_sectors.set([sector("PO")])
    coordinator = member(Role.SECTOR_COORDINATOR, coordination).user
    services.set_sector_settings(
        actor=coordinator, sector=sector("PO"), elements=["budget", "maturity"], due_month=6, due_day=15
    )
    paragraph = services.generate_paragraph(actor=world.ibp, organisation=world.organisation, year=world.year)
    assert paragraph.elements == ["maturity", "budget"]
    assert "Volwassenheid" in paragraph.text_nl
    assert "Budget en bezetting" in paragraph.text_nl
    assert "Incidenten" not in paragraph.text_nl
    assert "beveiligingsincident" not in paragraph.text_nl
    assert selectors.due_date(sector("PO"), 2025).isoformat() == "2026-06-15"


def test_sector_settings_are_only_for_the_sectors_coordinator(world):
    coordination = OrganisationFactory(
        name="Coordinatie MBO", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    coordination.served_sectors.set([sector("MBO")])
    coordinator = member(Role.SECTOR_COORDINATOR, coordination).user
    for actor in (coordinator, world.ibp, world.board):
        with pytest.raises(NotPermitted):
            services.set_sector_settings(actor=actor, sector=sector("PO"), elements=["budget"], due_month=7, due_day=1)
    with pytest.raises(ValidationError):
        services.set_sector_settings(
            actor=coordinator, sector=sector("MBO"), elements=["budget", "nonsense"], due_month=7, due_day=1
        )
    with pytest.raises(ValidationError):
        services.set_sector_settings(
            actor=coordinator, sector=sector("MBO"), elements=["budget"], due_month=2, due_day=30
        )
    assert selectors.settings_for(sector("MBO"))["due_month"] == 7  # the default, nothing stored


def test_number_formats():
    assert paragraph_text.number(2.9167, "nl") == "2,92"
    assert paragraph_text.euros(1234567.4, "nl") == "€ 1.234.567"
    assert paragraph_text.euros(1234567.4, "en") == "€1,234,567"
    assert paragraph_text.percent(0.0833, "nl") == "8,3%"
    assert paragraph_text.day("2026-07-01", "nl") == "1 juli 2026"


def test_dpia_figures_are_the_privacy_apps_own(world):
    from datetime import timedelta

    from django.utils import timezone

    from weerbaar.privacy import selectors as privacy_selectors
    from weerbaar.privacy.models import LocalDPIA, LocalRisk

    today = timezone.localdate()
    accepted = LocalDPIA.objects.create(
        organisation=world.organisation,
        title="Leerlingvolgsysteem",
        status="accepted",
        accepted_on=today,
        review_due=today + timedelta(days=300),
    )
    LocalRisk.objects.create(
        dpia=accepted, title="Te ruime toegang", likelihood="high", impact="high", level="high", residual="high"
    )
    LocalDPIA.objects.create(organisation=world.organisation, title="Toetsplatform", status="draft")
    LocalDPIA.objects.create(organisation=world.organisation, title="Oud", status="superseded")
    paragraph = services.generate_paragraph(actor=world.ibp, organisation=world.organisation, year=world.year)
    dpias = paragraph.facts["dpias"]
    shown = privacy_selectors.local_dpias(world.ibp, world.organisation).exclude(status="superseded")
    assert dpias["total"] == shown.count() == 2
    assert dpias["current"] == shown.filter(privacy_selectors.current_dpia_filter(today)).count() == 1
    assert dpias["completed"] == 1
    assert dpias["high_risk"] == 1
    assert "2 DPIA's vastgelegd" in paragraph.text_nl
    assert "2 DPIAs are on record" in paragraph.text_en
