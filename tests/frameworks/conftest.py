"""Catalogue tests: our own small files under data/, and NIST's real OSCAL catalogs from the
shared fixtures folder beside the repository (CI has it there too; a missing folder fails)."""

from pathlib import Path

import pytest
from django.utils import translation

from tests.factories import OrganisationFactory, member
from weerbaar.core.permissions import Role
from weerbaar.frameworks import services
from weerbaar.frameworks.documents import read_document
from weerbaar.organisations.choices import OrganisationKind

DATA = Path(__file__).resolve().parent / "data"
OSCAL_FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "oscal"
NIST_LOW = OSCAL_FIXTURES / "NIST_SP-800-53_rev5_LOW-baseline-resolved-profile_catalog.json"
NIST_BASIC = OSCAL_FIXTURES / "basic-catalog.json"


@pytest.fixture(autouse=True)
def _english(settings):
    # Messages are asserted in the source language, whatever translations exist.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def oscal_fixture(path: Path) -> bytes:
    assert path.is_file(), f"the shared OSCAL fixtures are missing: {path}"
    return path.read_bytes()


def load(name: str, *, actor=None, publish: bool = True, maintainer=None):
    """Import one of our test files as the platform (or `actor`); returns the version."""
    document = read_document(name, data(name))
    return services.import_catalogue(actor=actor, catalogue=document, publish=publish, maintainer=maintainer).version


def sector_organisation(name: str):
    return OrganisationFactory(name=name, kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number="")


@pytest.fixture
def coordinator(db):
    """A sector coordinator at Kennisnet."""
    return member(Role.SECTOR_COORDINATOR, sector_organisation("Kennisnet")).user


@pytest.fixture
def other_coordinator(db):
    """A sector coordinator at another sector organisation."""
    return member(Role.SECTOR_COORDINATOR, sector_organisation("SURF")).user


@pytest.fixture
def officer(db):
    """An IBP officer of a school board: reads catalogues, never changes them."""
    return member(Role.IBP_OFFICER).user
