"""The demo data: real advisories, written ones, inventories, matches and answers; once only."""

from tests.factories import OrganisationFactory, member, sector
from weerbaar.advisories.demo import load_demo_advisories
from weerbaar.advisories.models import Advisory, Answer, Exposure
from weerbaar.core.permissions import Role
from weerbaar.organisations.choices import OrganisationKind


def test_demo_loads_once(db, after_commit):
    cert = OrganisationFactory(name="School-CERT", kind=OrganisationKind.CERT, sector=None, board_number="")
    cert.served_sectors.set([sector("PO")])
    member(Role.CERT_ANALYST, cert)
    for _ in range(6):
        member(Role.IBP_OFFICER, OrganisationFactory(sector=sector("PO")))
    counts = load_demo_advisories(seed=3)
    assert counts["advisories"] == 4
    assert set(Advisory.objects.values_list("tracking_id", flat=True)) >= {"BSI-2022-0001", "cisco-sa-20180328-smi2"}
    assert Exposure.objects.exists()
    assert counts["answers"] == Answer.objects.count()
    assert load_demo_advisories(seed=3) is None
