from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.factories import OrganisationFactory, member, sector
from weerbaar.awareness import services
from weerbaar.core.permissions import Role
from weerbaar.organisations.choices import OrganisationKind


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


@pytest.fixture
def officer(organisation):
    return member(Role.IBP_OFFICER, organisation)


@pytest.fixture
def coordinator_member(db):
    coordinator = OrganisationFactory(
        name="Coordinatie PO", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    coordinator.served_sectors.set([sector("PO")])
    return member(Role.SECTOR_COORDINATOR, coordinator)


def phishing(officer, **counts):
    values = {"sent": 100, "opened": 50, "clicked": 20, "reported": 30, **counts}
    return services.create_activity(
        actor=officer.user,
        organisation=officer.organisation,
        kind="phishing",
        title="Phishing voorjaar",
        held_on=days_ago(30),
        **values,
    )


def exercise(officer, held_on=None, **values):
    return services.create_activity(
        actor=officer.user,
        organisation=officer.organisation,
        kind="exercise",
        title=values.pop("title", "Ransomware-oefening"),
        held_on=held_on or days_ago(20),
        scenario="Versleutelde servers op maandagochtend",
        groups=values.pop("groups", ["board", "it", "communication"]),
        **values,
    )


def training(officer, held_on=None, **values):
    return services.create_activity(
        actor=officer.user,
        organisation=officer.organisation,
        kind="training",
        title=values.pop("title", "Veilig werken"),
        held_on=held_on or days_ago(10),
        **values,
    )


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages are asserted in their English source text, whatever the active language."""
    from django.utils import translation

    # Pages follow the language cookie; assertions use the English source text.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
