"""A small sector for advisory tests: a PO CERT with its constituency (two PO boards, one with a
school), a VO board outside it, and people with the roles that matter. The CSAF fixtures (the
OASIS test data and real advisories) are read from the shared fixtures folder beside the
repository; a missing folder fails."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import translation

from tests.factories import OrganisationFactory, member, sector
from weerbaar.core.permissions import Role
from weerbaar.organisations.choices import OrganisationKind
from weerbaar.organisations.models import Membership, Organisation

CSAF_FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "csaf"


def csaf_fixture(relative: str) -> Path:
    path = CSAF_FIXTURES / relative
    assert path.is_file(), f"the shared CSAF fixtures are missing: {path}"
    return path


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@dataclass
class World:
    cert: Organisation
    board_a: Organisation
    school_a: Organisation
    board_b: Organisation
    outsider: Organisation
    analyst: Membership
    officer_a: Membership
    dpo_a: Membership
    officer_b: Membership
    outsider_officer: Membership
    coordinator: Membership


@pytest.fixture
def world(db, after_commit) -> World:
    cert = OrganisationFactory(name="School-CERT", kind=OrganisationKind.CERT, sector=None, board_number="")
    cert.served_sectors.set([sector("PO")])
    board_a = OrganisationFactory(name="Stichting A", sector=sector("PO"))
    school_a = OrganisationFactory(
        name="School A1", kind=OrganisationKind.SCHOOL, parent=board_a, sector=sector("PO"), board_number=""
    )
    board_b = OrganisationFactory(name="Stichting B", sector=sector("PO"))
    outsider = OrganisationFactory(name="Scholengroep VO", sector=sector("VO"))
    coordination = OrganisationFactory(
        name="Coordinatie", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    return World(
        cert=cert,
        board_a=board_a,
        school_a=school_a,
        board_b=board_b,
        outsider=outsider,
        analyst=member(Role.CERT_ANALYST, cert),
        officer_a=member(Role.IBP_OFFICER, board_a),
        dpo_a=member(Role.DPO, board_a),
        officer_b=member(Role.IBP_OFFICER, board_b),
        outsider_officer=member(Role.IBP_OFFICER, outsider),
        coordinator=member(Role.SECTOR_COORDINATOR, coordination),
    )


@pytest.fixture
def after_commit(monkeypatch):
    """Run work queued for after the commit at once: tests run inside one transaction that never
    commits, and matching and notifications are queued that way."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture(autouse=True)
def _english(in_english):
    """These tests read English text; the Dutch pages have their own translation tests."""
