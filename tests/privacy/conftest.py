"""A small world for privacy tests: a coordinator (SIVON-like) serving PO and VO with a catalogue
of two products, one with a published central DPIA; two PO boards (one with a school) with a DPO,
an IBP officer and a board member each; an MBO institution outside the catalogue's sectors."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from tests.factories import OrganisationFactory, member, sector
from weerbaar.core.permissions import Role
from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Membership, Organisation
from weerbaar.privacy import services
from weerbaar.privacy.models import CentralDPIA, Product


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@dataclass
class World:
    steward: Organisation
    coordinator: Membership
    board_a: Organisation
    school_a: Organisation
    board_b: Organisation
    mbo: Organisation
    dpo_a: Membership
    officer_a: Membership
    board_member_a: Membership
    dpo_b: Membership
    board_member_b: Membership
    mbo_dpo: Membership
    product: Product
    other_product: Product
    central: CentralDPIA


RISKS = [
    {"code": "R1", "title": "Vendor reads pupil data", "likelihood": "medium", "impact": "high", "residual": "medium"},
    {"code": "R2", "title": "Telemetry to the US", "likelihood": "high", "impact": "medium", "residual": "low"},
    {"code": "R3", "title": "Long retention", "likelihood": "low", "impact": "low", "residual": "low"},
]
SCHOOL_MEASURES = [
    {"code": "M1", "kind": "settings", "title": "Turn off diagnostic data"},
    {"code": "M2", "kind": "contract", "title": "Sign the model agreement 4.0"},
    {"code": "M3", "kind": "instruction", "title": "Tell teachers not to share grades in chat"},
]


def make_central(actor, product, *, advice="medium", publish=True, assessed_on=None):
    central = services.create_central_draft(
        actor=actor,
        product=product,
        assessed_on=assessed_on or timezone.localdate() - timedelta(days=30),
        assessor="Privacy bureau",
        advice=advice,
        advice_text="Use with the settings below.",
        risks=RISKS,
        vendor_measures=[{"title": "Process telemetry in the EU", "due_on": date(2024, 1, 1)}],
        school_measures=SCHOOL_MEASURES,
    )
    if publish:
        central = services.publish_central(actor=actor, central=central)
    return central


@pytest.fixture
def world(db) -> World:
    po, vo, mbo_sector = sector("PO"), sector("VO"), sector("MBO")
    steward = OrganisationFactory(
        name="Coordinatie PO-VO", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    steward.served_sectors.set([po, vo])
    coordinator = member(Role.SECTOR_COORDINATOR, steward)
    board_a = OrganisationFactory(name="Stichting Alfa", sector=po)
    school_a = OrganisationFactory(
        name="School Alfa", kind=OrganisationKind.SCHOOL, parent=board_a, sector=po, board_number=""
    )
    board_b = OrganisationFactory(name="Stichting Beta", sector=po)
    mbo = OrganisationFactory(name="ROC Gamma", kind=OrganisationKind.INSTITUTION, sector=mbo_sector)
    product = services.save_product(
        actor=coordinator.user,
        steward=steward,
        code="leerplatform",
        vendor_name="Leer BV",
        vendor_country="NL",
        name="Leerplatform",
        edition="Onderwijs",
        version="5",
        covenant_status="participant",
        covenant_since=date(2022, 8, 1),
        dpa_version="4.0",
        dpa_annexes=["privacy_notice", "security"],
        data_locations=[{"purpose": "storage", "country": "NL"}, {"purpose": "telemetry", "country": "US"}],
        transfers=[{"country": "US", "mechanism": "scc"}],
        sub_processors=[{"name": "Cloud Hosting", "country": "IE"}],
        trackers=["Analytics SDK"],
    )
    other = services.save_product(
        actor=coordinator.user, steward=steward, code="rekenapp", vendor_name="Reken BV", name="Rekenapp"
    )
    central = make_central(coordinator.user, product)
    return World(
        steward=steward,
        coordinator=coordinator,
        board_a=board_a,
        school_a=school_a,
        board_b=board_b,
        mbo=mbo,
        dpo_a=member(Role.DPO, board_a),
        officer_a=member(Role.IBP_OFFICER, board_a),
        board_member_a=member(Role.BOARD_MEMBER, board_a),
        dpo_b=member(Role.DPO, board_b),
        board_member_b=member(Role.BOARD_MEMBER, board_b),
        mbo_dpo=member(Role.DPO, mbo),
        product=product,
        other_product=other,
        central=central,
    )


@pytest.fixture(autouse=True)
def _english(in_english):
    """These tests read English text; the Dutch pages have their own translation tests."""
