"""The world for the isolation test: a victim organisation full of canary strings, and one user per
role elsewhere in the sector who must never see any of it.

Apps add their own records to the victim with a builder: a function taking the victim organisation
and one of its members (an IBP officer) and returning the public ids of what it made. Declare the
app whose routes take those ids, which also registers the builder:

    @victim_builder("advisories")
    def _advisory_records(victim, officer) -> list[str]: ...

Each id is then tried in every URL parameter of every route of the apps it belongs to: the declared
ones, plus the app of whichever model the id turns out to be (so an assessment made by a monitor
builder is also tried in the assessment routes). Trying an id in another app's routes only ever
gives 404, so the walk skips that. A builder appended to VICTIM_BUILDERS without a declaration
still works: its ids go to the apps of their models, and an id no model owns goes everywhere.
Ids of the organisations builder (the victim itself, its members, a token) go to every app,
since every app has routes scoped by organisation.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from uuid import UUID

from django.apps import apps

from tests.factories import OrganisationFactory, member, sector
from weerbaar.accounts.services import create_api_token
from weerbaar.core.permissions import Role
from weerbaar.organisations import services as organisation_services
from weerbaar.organisations.choices import OrganisationKind

CANARY = "canary"
EVERY_APP = "*"

VICTIM_BUILDERS: list[Callable] = []


def victim_builder(*app_names: str) -> Callable[[Callable], Callable]:
    """Declare the app(s) (package names under weerbaar, or EVERY_APP) whose routes take the ids
    a builder returns, and register the builder."""
    if not app_names:
        raise TypeError("victim_builder needs at least one app name")

    def register(builder: Callable) -> Callable:
        builder.victim_apps = frozenset(app_names)
        VICTIM_BUILDERS.append(builder)
        return builder

    return register


@victim_builder(EVERY_APP)
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


@victim_builder("monitor")
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


@victim_builder("assessments")
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


@victim_builder("incidents")
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


@victim_builder("advisories")
def _advisory_records(victim, officer) -> list[str]:
    """A TLP:AMBER advisory of a CERT serving the victim's sector (the observers' CERT serves
    another), matched to a canary item on the victim's software list, and the victim's answer."""
    from django.db import transaction

    from weerbaar.advisories import services as advisory_services

    cert = OrganisationFactory(name="CERT Adviezen", kind=OrganisationKind.CERT, sector=None, board_number="")
    cert.served_sectors.set([sector("VO")])
    analyst = member(Role.CERT_ANALYST, cert).user
    item = advisory_services.add_item(
        actor=officer.user, organisation=victim, vendor="Canary Vendor", product="Canary Suite", version="1.0"
    )
    advisory = advisory_services.write_advisory(
        actor=analyst,
        owner=cert,
        title="CANARY advisory",
        tlp="amber",
        summary="canary summary",
        products=[{"vendor": "Canary Vendor", "product": "Canary Suite", "version_range": "vers:generic/<2.0"}],
    )
    # The world is built inside a transaction that never commits: match now.
    with transaction.atomic():
        advisory_services.match_advisory(advisory)
    advisory_services.answer(actor=officer.user, advisory=advisory, organisation=victim, state="mitigating")
    return [str(advisory.public_id), str(item.public_id)]


@victim_builder("awareness")
def _awareness_records(victim, officer) -> list[str]:
    """Canary activities of the victim (a phishing simulation with participation, an exercise
    with a finding in the improvement plan), and its enrolment in a canary course that a VO
    coordinator (not the observers') offers."""
    from datetime import timedelta

    from django.utils import timezone

    from weerbaar.awareness import services as awareness_services

    today = timezone.localdate()
    phishing = awareness_services.create_activity(
        actor=officer.user,
        organisation=victim,
        kind="phishing",
        title="CANARY phishing",
        description="canary description",
        held_on=today - timedelta(days=20),
        sent=10,
        opened=5,
        clicked=2,
        reported=3,
    )
    awareness_services.set_participation(
        actor=officer.user, activity=phishing, group="teaching_staff", people=10, invited=10, participated=9
    )
    exercise = awareness_services.create_activity(
        actor=officer.user,
        organisation=victim,
        kind="exercise",
        title="CANARY exercise",
        held_on=today - timedelta(days=10),
        scenario="canary scenario",
        groups=["board", "it"],
    )
    finding = awareness_services.add_finding(actor=officer.user, activity=exercise, text="canary finding")
    coordinator = OrganisationFactory(
        name="Coordinatie Training VO", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    coordinator.served_sectors.set([sector("VO")])
    offer = awareness_services.create_offer(
        actor=member(Role.SECTOR_COORDINATOR, coordinator).user,
        coordinator=coordinator,
        title="CANARY course",
        audience="teaching_staff",
        format="online",
        starts_on=today,
        ends_on=today + timedelta(days=30),
        published=True,
        sectors=[sector("VO")],
    )
    enrolment = awareness_services.enrol(actor=officer.user, offer=offer, organisation=victim, places=3)
    return [
        str(phishing.public_id),
        str(exercise.public_id),
        str(finding.public_id),
        str(finding.action.public_id),
        str(offer.public_id),
        str(enrolment.public_id),
    ]


@victim_builder("governance")
def _governance_records(victim, officer) -> list[str]:
    """A canary budget and two versions of the victim's paragraph: the first approved and locked,
    the second a draft, both with canary text."""
    from django.utils import timezone

    from weerbaar.governance import services as governance_services

    year = timezone.localdate().year
    budget = governance_services.save_budget(
        actor=officer.user,
        organisation=victim,
        year=year,
        total_budget=9000000,
        ict_budget=400000,
        security_budget=31337,
        headcount_fte=80,
        ibp_officer_fte=0.5,
        external_services="Canary SOC services",
        note="canary budget note",
    )
    first = governance_services.generate_paragraph(actor=officer.user, organisation=victim, year=year)
    governance_services.edit_paragraph(actor=officer.user, paragraph=first, text_nl="Canary paragraaf, goedgekeurd.")
    governance_services.submit_paragraph(actor=officer.user, paragraph=first)
    governance_services.approve_paragraph(actor=member(Role.BOARD_MEMBER, victim).user, paragraph=first)
    second = governance_services.start_new_version(actor=officer.user, paragraph=first)
    governance_services.edit_paragraph(actor=officer.user, paragraph=second, text_nl="Canary paragraaf, versie twee.")
    return [str(budget.public_id), str(first.public_id), str(second.public_id)]


@victim_builder("privacy")
def _privacy_records(victim, officer) -> list[str]:
    """A VO catalogue product the victim uses, a local DPIA built on its central DPIA (with a
    canary risk and measure), a canary processing activity and a canary breach."""
    from django.utils import timezone

    from weerbaar.privacy import services as privacy_services

    today = timezone.localdate()
    keeper = OrganisationFactory(
        name="Catalogus VO", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    keeper.served_sectors.set([sector("VO")])
    coordinator = member(Role.SECTOR_COORDINATOR, keeper).user
    product = privacy_services.save_product(
        actor=coordinator, steward=keeper, code="vo-leerplatform", vendor_name="Leer BV", name="VO Leerplatform"
    )
    central = privacy_services.create_central_draft(
        actor=coordinator,
        product=product,
        assessed_on=today,
        assessor="Coordinatie",
        advice="medium",
        risks=[{"code": "R1", "title": "Profiling", "likelihood": "low", "impact": "high", "residual": "low"}],
        school_measures=[{"code": "M1", "kind": "settings", "title": "Turn off tracking"}],
    )
    privacy_services.publish_central(actor=coordinator, central=central)
    dpo = member(Role.DPO, victim, email="canary.privacy@victim.invalid").user
    use = privacy_services.record_use(actor=dpo, organisation=victim, product=product, decided_by="Canary board")
    dpia = privacy_services.start_local_dpia(actor=dpo, organisation=victim, title="CANARY local DPIA", central=central)
    privacy_services.update_local_dpia(actor=dpo, dpia=dpia, lawfulness="canary lawfulness")
    own = privacy_services.add_local_risk(
        actor=dpo, dpia=dpia, title="canary risk", likelihood="low", impact="low", residual="low"
    )
    measure = dpia.measures.get()
    activity = privacy_services.save_activity(
        actor=dpo,
        organisation=victim,
        name="CANARY activity",
        purposes="canary purposes",
        legal_basis="public_task",
        processor_codes=["vo-leerplatform"],
    )
    breach = privacy_services.record_breach(
        actor=dpo, organisation=victim, title="CANARY breach", discovered_on=today, description="canary usb"
    )
    return [
        str(use.public_id),
        str(dpia.public_id),
        str(own.public_id),
        str(measure.public_id),
        str(activity.public_id),
        str(breach.public_id),
    ]


# The observers, one per role, each in an organisation of its own kind outside the victim's reach.
OBSERVER_ROLES = (
    "ibp_officer",
    "dpo",
    "board_member",
    "supervisory_board",
    "auditor",
    "cert_analyst",
    "sector_coordinator",
    "council_member",
    "ministry_analyst",
    "inspector",
)


@dataclass
class World:
    observers: dict  # label from OBSERVER_ROLES -> user
    victim: object
    records: dict[str, frozenset[str]]  # public id -> app names (or EVERY_APP) whose routes take it


def _model_apps(ids: Iterable[str]) -> dict[str, set[str]]:
    """For each id, the weerbaar app(s) of the model(s) with that public id."""
    uuids = []
    for value in ids:
        try:
            uuids.append(UUID(value))
        except ValueError:
            continue
    owners: dict[str, set[str]] = {}
    for model in apps.get_models():
        if not model._meta.app_config.name.startswith("weerbaar.") or "public_id" not in {
            field.name for field in model._meta.concrete_fields
        }:
            continue
        app_name = model._meta.app_config.name.split(".")[1]
        for found in model._base_manager.filter(public_id__in=uuids).values_list("public_id", flat=True):
            owners.setdefault(str(found), set()).add(app_name)
    return owners


def build_world() -> World:
    # The victim: a VO board that no observer's reach includes.
    victim = OrganisationFactory(name="CANARY Scholengroep", sector=sector("VO"))
    officer = member(Role.IBP_OFFICER, victim, full_name="Canary Officer", email="canary.officer@victim.invalid")
    made: list[tuple[str, frozenset[str]]] = []
    # dict.fromkeys: a builder both declared and appended by hand runs once.
    for builder in dict.fromkeys(VICTIM_BUILDERS):
        declared = getattr(builder, "victim_apps", frozenset())
        made.extend((str(public_id), declared) for public_id in builder(victim, officer))
    owners = _model_apps(public_id for public_id, _ in made)
    records: dict[str, frozenset[str]] = {}
    for public_id, declared in made:
        # An id neither declared nor owned by a model is tried everywhere rather than nowhere.
        found = set(declared) | owners.get(public_id, set()) or {EVERY_APP}
        records[public_id] = records.get(public_id, frozenset()) | found

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
    assert tuple(observers) == OBSERVER_ROLES, "keep OBSERVER_ROLES in step with the observers"
    return World(observers=observers, victim=victim, records=records)
