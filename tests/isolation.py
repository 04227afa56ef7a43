"""The world for the isolation test: a victim organisation full of canary strings, and one user per
role elsewhere in the sector who must never see any of it.

Apps add their own records to the victim with a builder in VICTIM_BUILDERS: a function taking the
victim organisation and one of its members (an IBP officer) and returning the public ids of what
it made. Every id is then tried in every URL parameter of every route.
"""

from collections.abc import Callable

from tests.factories import OrganisationFactory, member, sector
from weerbaar.accounts.services import create_api_token
from weerbaar.core.permissions import Role
from weerbaar.organisations import services as organisation_services
from weerbaar.organisations.choices import OrganisationKind

CANARY = "canary"


def _organisation_records(victim, officer) -> list[str]:
    school = OrganisationFactory(
        name="CANARY School", kind=OrganisationKind.SCHOOL, parent=victim, sector=victim.sector, board_number=""
    )
    invited = organisation_services.invite_member(
        actor=officer.user,
        organisation=victim,
        email="canary.dpo@victim.invalid",
        role=Role.DPO,
        full_name="Canary Person",
    )
    organisation_services.change_member_role(actor=officer.user, membership=invited, role=Role.BOARD_MEMBER)
    token, _secret = create_api_token(actor=officer.user, name="canary token", scope="read", days_valid=30)
    return [
        str(victim.public_id),
        str(school.public_id),
        str(invited.public_id),
        str(officer.public_id),
        str(token.public_id),
    ]


VICTIM_BUILDERS: list[Callable] = [_organisation_records]


def _monitor_records(victim, officer) -> list[str]:
    """The victim takes part in a VO cycle of another coordinator and records a basic measure
    and its SOC connection, each with canary text."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import published_version
    from weerbaar.monitor import services as monitor_services
    from weerbaar.monitor.models import BasicMeasure

    coordinator = OrganisationFactory(
        name="Coordinatie VO", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    coordinator.served_sectors.set([sector("VO")])
    today = timezone.localdate()
    cycle = monitor_services.open_cycle(
        actor=member(Role.SECTOR_COORDINATOR, coordinator).user,
        coordinator=coordinator,
        name="Monitor VO",
        kind="monitor",
        sectors=[sector("VO")],
        framework_version=published_version(code="ISO-MON"),
        opens_on=today - timedelta(days=10),
        closes_on=today + timedelta(days=5),
    )
    participation = cycle.participations.get(organisation=victim)
    assessment = monitor_services.take_part(actor=officer.user, participation=participation)
    monitor_services.set_measure_status(
        actor=officer.user,
        organisation=victim,
        measure=BasicMeasure.objects.get(code="MFA"),
        state="partial",
        evidence="Canary evidence of MFA",
    )
    monitor_services.set_soc_connection(
        actor=officer.user, organisation=victim, status="connected", provider="Canary SOC"
    )
    return [str(cycle.public_id), str(assessment.public_id)]


VICTIM_BUILDERS.append(_monitor_records)


def _assessment_records(victim, officer) -> list[str]:
    """A draft self-assessment with a canary title, a canary justification, evidence and an
    improvement action."""
    from tests.factories import published_version
    from weerbaar.assessments import services as assessment_services

    version = published_version(code="ISO-ASSESS")
    assessment = assessment_services.start_assessment(
        actor=officer.user,
        organisation=victim,
        framework_version=version,
        title="CANARY zelfevaluatie",
    )
    score = assessment.scores.select_related("norm").order_by("norm__position").first()
    assessment_services.save_score(actor=officer.user, score=score, level=2, justification="canary justification")
    evidence = assessment_services.add_evidence_link(
        actor=officer.user, score=score, url="https://victim.invalid/canary", name="canary evidence"
    )
    action = assessment_services.create_improvement_action(
        actor=officer.user,
        organisation=victim,
        title="canary action",
        framework=version.framework,
        norm_code=score.norm.code,
    )
    return [str(assessment.public_id), str(evidence.public_id), str(action.public_id)]


VICTIM_BUILDERS.append(_assessment_records)


def _incident_records(victim, officer) -> list[str]:
    """A closed incident with a canary title, handled by a CERT for the victim's sector: a TLP:RED
    timeline entry, an indicator, a file, a CERT task and a draft lesson, all with canary text."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from weerbaar.incidents import services as incident_services

    victim_cert = OrganisationFactory(name="CERT Elders", kind=OrganisationKind.CERT, sector=None, board_number="")
    victim_cert.served_sectors.set([sector("VO")])
    analyst = member(Role.CERT_ANALYST, victim_cert).user
    colleague = member(Role.DPO, victim).user
    now = timezone.now()
    incident = incident_services.create_report(
        actor=officer.user,
        organisation=victim,
        submit=True,
        title="CANARY incident",
        category="fraud",
        description="canary description",
        detected_at=now - timedelta(hours=3),
        aware_at=now - timedelta(hours=2),
        contact_name="Canary Contact",
        contact_phone="0301234567",
        attachments=[SimpleUploadedFile("canary.txt", b"canary attachment")],
    )
    entry = incident_services.add_entry(
        actor=officer.user, incident=incident, body="canary red entry", tlp="red", named_people=[colleague]
    )
    indicator = incident_services.add_indicator(
        actor=analyst, incident=incident, type="domain", value="canary.example", description="canary indicator"
    )
    task = incident_services.add_task(actor=analyst, incident=incident, title="canary task")
    incident_services.triage(actor=analyst, incident=incident, severity="high", category="fraud")
    incident_services.change_status(actor=analyst, incident=incident, status="resolved")
    incident_services.change_status(
        actor=analyst, incident=incident, status="closed", resolution_summary="canary resolution"
    )
    lesson = incident_services.save_lesson(
        actor=officer.user,
        incident=incident,
        title="canary lesson",
        summary="canary summary",
        recommendations="canary advice",
    )
    attachment = incident.attachments.get()
    return [
        str(incident.public_id),
        str(entry.public_id),
        str(indicator.public_id),
        str(task.public_id),
        str(lesson.public_id),
        str(attachment.public_id),
    ]


VICTIM_BUILDERS.append(_incident_records)


def build_world():
    """Returns (observers, victim, object_ids): observers maps a label to a user."""
    # The victim: a VO board that no observer's reach includes.
    victim = OrganisationFactory(name="CANARY Scholengroep", sector=sector("VO"))
    officer = member(Role.IBP_OFFICER, victim, full_name="Canary Officer", email="canary.officer@victim.invalid")
    object_ids: list[str] = []
    for builder in VICTIM_BUILDERS:
        object_ids.extend(builder(victim, officer))

    home = OrganisationFactory(name="Bestuur Thuis", sector=sector("PO"))
    OrganisationFactory(
        name="School Thuis", kind=OrganisationKind.SCHOOL, parent=home, sector=sector("PO"), board_number=""
    )
    cert = OrganisationFactory(name="CERT Thuis", kind=OrganisationKind.CERT, sector=None, board_number="")
    cert.served_sectors.set([sector("PO")])
    coordinator_org = OrganisationFactory(
        name="Coordinatie Thuis", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    coordinator_org.served_sectors.set([sector("PO")])
    council = OrganisationFactory(
        name="Raad Thuis", kind=OrganisationKind.UMBRELLA_COUNCIL, sector=None, board_number=""
    )
    council.council_members.set([home])
    ministry = OrganisationFactory(
        name="Ministerie Thuis", kind=OrganisationKind.MINISTRY, sector=None, board_number=""
    )
    inspectorate = OrganisationFactory(
        name="Inspectie Thuis", kind=OrganisationKind.INSPECTORATE, sector=None, board_number=""
    )
    audit_firm = OrganisationFactory(name="Audit Thuis", kind=OrganisationKind.AUDIT_FIRM, sector=None, board_number="")

    observers = {
        "ibp_officer": member(Role.IBP_OFFICER, home).user,
        "dpo": member(Role.DPO, home).user,
        "board_member": member(Role.BOARD_MEMBER, home).user,
        "supervisory_board": member(Role.SUPERVISORY_BOARD, home).user,
        "auditor": member(Role.AUDITOR, audit_firm).user,
        "cert_analyst": member(Role.CERT_ANALYST, cert).user,
        "sector_coordinator": member(Role.SECTOR_COORDINATOR, coordinator_org).user,
        "council_member": member(Role.COUNCIL_MEMBER, council).user,
        "ministry_analyst": member(Role.MINISTRY_ANALYST, ministry).user,
        "inspector": member(Role.INSPECTOR, inspectorate).user,
    }
    return observers, victim, object_ids
