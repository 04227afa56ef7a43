"""A small sector for incident tests: two PO boards (one with a school), a university, the CERT for
primary education and one for higher education, and people with every relevant role."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from tests.factories import OrganisationFactory, member, sector
from weerbaar.core.permissions import Role
from weerbaar.incidents import services
from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Membership, Organisation


@pytest.fixture(autouse=True)
def _english():
    """Messages and document labels in English, whatever the Dutch catalogue holds."""
    with translation.override("en"):
        yield


@dataclass
class Desk:
    board_a: Organisation
    school_a: Organisation
    board_b: Organisation
    university: Organisation
    cert: Organisation
    surfcert: Organisation
    officer_a: Membership
    dpo_a: Membership
    board_member_a: Membership
    school_officer: Membership
    officer_b: Membership
    university_officer: Membership
    analyst: Membership
    analyst_2: Membership
    surf_analyst: Membership
    coordinator: Membership
    council: Membership
    ministry: Membership


@pytest.fixture
def desk(db) -> Desk:
    po = sector("PO")
    board_a = OrganisationFactory(name="Stichting Alfa", sector=po)
    school_a = OrganisationFactory(
        name="School Alfa Oost",
        kind=OrganisationKind.SCHOOL,
        parent=board_a,
        sector=po,
        board_number="",
        brin="12AB01",
    )
    board_b = OrganisationFactory(name="Stichting Beta", sector=po)
    university = OrganisationFactory(name="Universiteit Gamma", kind=OrganisationKind.INSTITUTION, sector=sector("WO"))
    cert = OrganisationFactory(name="School-CERT", kind=OrganisationKind.CERT, sector=None, board_number="")
    cert.served_sectors.set([po, sector("VO")])
    surfcert = OrganisationFactory(name="SURFcert", kind=OrganisationKind.CERT, sector=None, board_number="")
    surfcert.served_sectors.set([sector("HBO"), sector("WO")])
    coordinator_org = OrganisationFactory(
        name="Kennisnet", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    coordinator_org.served_sectors.set([po])
    council = OrganisationFactory(name="PO-Raad", kind=OrganisationKind.UMBRELLA_COUNCIL, sector=None, board_number="")
    ministry = OrganisationFactory(name="OCW", kind=OrganisationKind.MINISTRY, sector=None, board_number="")
    return Desk(
        board_a=board_a,
        school_a=school_a,
        board_b=board_b,
        university=university,
        cert=cert,
        surfcert=surfcert,
        officer_a=member(Role.IBP_OFFICER, board_a, full_name="Anna Alfa"),
        dpo_a=member(Role.DPO, board_a, full_name="Dirk Privacy"),
        board_member_a=member(Role.BOARD_MEMBER, board_a),
        school_officer=member(Role.IBP_OFFICER, school_a),
        officer_b=member(Role.IBP_OFFICER, board_b),
        university_officer=member(Role.IBP_OFFICER, university),
        analyst=member(Role.CERT_ANALYST, cert, full_name="Carla Cert"),
        analyst_2=member(Role.CERT_ANALYST, cert, full_name="Cees Cert"),
        surf_analyst=member(Role.CERT_ANALYST, surfcert),
        coordinator=member(Role.SECTOR_COORDINATOR, coordinator_org),
        council=member(Role.COUNCIL_MEMBER, council),
        ministry=member(Role.MINISTRY_ANALYST, ministry),
    )


def complete_facts(**overrides) -> dict:
    """Everything a report needs before it can go to the CERT."""
    now = timezone.now()
    facts = {
        "title": "Phishing: drie accounts overgenomen",
        "description": "Medewerkers vulden hun wachtwoord in op een nagemaakte inlogpagina.",
        "category": "fraud",
        "detected_at": now - timedelta(hours=5),
        "aware_at": now - timedelta(hours=4),
        "contact_name": "Anna Alfa",
        "contact_role": "IBP-coördinator",
        "contact_phone": "+31 30 123 4567",
        "contact_email": "anna@alfa.example",
    }
    facts.update(overrides)
    return facts


def report(membership, organisation=None, *, submit=True, **overrides):
    """An incident reported through the service, sent to the CERT unless `submit` is false."""
    return services.create_report(
        actor=membership.user,
        organisation=organisation or membership.organisation,
        submit=submit,
        **complete_facts(**overrides),
    )
