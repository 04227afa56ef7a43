"""A hand-built school board with known figures for the governance tests.

"Stichting Handgebouwd" (PO, 1,000 pupils) has two final self-assessments on a small framework
(GO 2 norms, SM 3 norms): first every norm at 2 (overall 2.00), then GO 3,2 and SM 4,3,3
(GO 2.5, SM 3.3333, overall 2.9167, change +0.92). Finalising makes improvement actions for the
gaps. It reported two incidents this year (fraud, malicious code; one of them triaged high) and
has one draft; it ran a campaign, a phishing simulation (200 sent, 50 reported) and a crisis
exercise with the board and IT; and it budgeted €120,000 for security and privacy out of an ICT
budget of €1,500,000 and a total of €40,000,000, with 350 FTE of staff.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import OrganisationFactory, member, published_version, sector
from weerbaar.assessments import services as assessment_services
from weerbaar.assessments.models import NormScore
from weerbaar.core.permissions import Role
from weerbaar.governance import services
from weerbaar.incidents import services as incident_services
from weerbaar.organisations.choices import OrganisationKind


@dataclass
class World:
    organisation: object
    version: object
    ibp: object
    board: object
    supervisor: object
    dpo: object
    first: object
    latest: object
    incidents: list
    draft_incident: object
    year: int
    cert_analyst: object


def final_assessment(organisation, version, ibp, board, levels, title):
    assessment = assessment_services.start_assessment(
        actor=ibp, organisation=organisation, framework_version=version, title=title
    )
    scores = NormScore.objects.filter(assessment=assessment).order_by("norm__position")
    for score, level in zip(scores, levels, strict=True):
        assessment_services.save_score(actor=ibp, score=score, level=level, justification="")
    assessment_services.submit_assessment(actor=board, assessment=assessment)
    return assessment_services.finalise_assessment(actor=board, assessment=assessment)


def build_world() -> World:
    version = published_version(code="GOV", domains={"GO": 2, "SM": 3})
    organisation = OrganisationFactory(
        name="Stichting Handgebouwd", sector=sector("PO"), student_count=1000, board_number="41234", brin="41AB"
    )
    ibp = member(Role.IBP_OFFICER, organisation, email="ibp@handgebouwd.test").user
    board = member(Role.BOARD_MEMBER, organisation, email="bestuur@handgebouwd.test").user
    supervisor = member(Role.SUPERVISORY_BOARD, organisation, with_mfa=False, email="rvt@handgebouwd.test").user
    dpo = member(Role.DPO, organisation).user
    first = final_assessment(organisation, version, ibp, board, [2, 2, 2, 2, 2], "Nulmeting")
    # The first measurement lies a month earlier, so the order of the two is certain.
    type(first).objects.filter(pk=first.pk).update(finalised_at=timezone.now() - timedelta(days=30))
    latest = final_assessment(organisation, version, ibp, board, [3, 2, 4, 3, 3], "Monitor")

    cert = OrganisationFactory(name="CERT PO", kind=OrganisationKind.CERT, sector=None, board_number="")
    cert.served_sectors.set([sector("PO")])
    analyst = member(Role.CERT_ANALYST, cert).user
    now = timezone.now()
    incidents = []
    for title, category in (("Nepfactuur SECRET-TITLE", "fraud"), ("Ransomware SECRET-TITLE", "malicious-code")):
        incidents.append(
            incident_services.create_report(
                actor=ibp,
                organisation=organisation,
                submit=True,
                title=title,
                category=category,
                description="SECRET-DESCRIPTION",
                detected_at=now - timedelta(hours=3),
                aware_at=now - timedelta(hours=2),
                contact_name="Contact",
                contact_phone="0301234567",
            )
        )
    incident_services.triage(actor=analyst, incident=incidents[1], severity="high", category="malicious-code")
    draft = incident_services.create_report(actor=ibp, organisation=organisation, title="Concept", category="fraud")

    from weerbaar.awareness import services as awareness_services

    today = timezone.localdate()
    awareness_services.create_activity(
        actor=ibp, organisation=organisation, kind="campaign", title="Wachtwoordweek", held_on=today
    )
    awareness_services.create_activity(
        actor=ibp,
        organisation=organisation,
        kind="phishing",
        title="Phishingtest",
        held_on=today,
        sent=200,
        opened=120,
        clicked=30,
        reported=50,
    )
    awareness_services.create_activity(
        actor=ibp,
        organisation=organisation,
        kind="exercise",
        title="Crisisoefening",
        held_on=today,
        scenario="Ransomware op de administratie",
        groups=["board", "it"],
    )
    services.save_budget(
        actor=ibp,
        organisation=organisation,
        year=today.year,
        total_budget=Decimal("40000000"),
        ict_budget=Decimal("1500000"),
        security_budget=Decimal("120000"),
        headcount_fte=Decimal("350"),
        ibp_officer_fte=Decimal("0.8"),
        dpo_fte=Decimal("0.4"),
        security_engineer_fte=Decimal("1"),
        external_fte=Decimal("0.5"),
        external_services="SOC via SIVON",
    )
    return World(
        organisation=organisation,
        version=version,
        ibp=ibp,
        board=board,
        supervisor=supervisor,
        dpo=dpo,
        first=first,
        latest=latest,
        incidents=incidents,
        draft_incident=draft,
        year=today.year,
        cert_analyst=analyst,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


def signed_in(client, user):
    client.force_login(user)
    return client


def year_start(year: int) -> date:
    return date(year, 1, 1)


@pytest.fixture(autouse=True)
def _english(in_english):
    """These tests read English text; the Dutch pages have their own translation tests."""
