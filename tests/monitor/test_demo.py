"""The demo monitor: at least three cycles per sector group with aggregates, organisations that
improve at different speeds and some that do not take part, measures and SOC connections; a
second run changes nothing."""

from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import member
from weerbaar.assessments.models import Assessment, NormScore
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.frameworks import services as framework_services
from weerbaar.frameworks.management.files import read_files
from weerbaar.monitor import demo, services
from weerbaar.monitor.models import (
    Cycle,
    CycleAggregate,
    MeasureStatus,
    OrganisationResult,
    Participation,
    SocConnection,
)
from weerbaar.organisations.demo import generate_sector
from weerbaar.organisations.models import Organisation
from weerbaar.organisations.services import load_demo_sector

pytestmark = pytest.mark.django_db

CATALOGUES = Path(framework_services.__file__).resolve().parent / "catalogues"
TODAY = date(2026, 11, 23)


@pytest.fixture
def demo_sector(settings):
    settings.PRODUCTION = False
    framework_services.import_documents(
        actor=None,
        documents=read_files([CATALOGUES / "ibp-fo-2024.yaml", CATALOGUES / "surfaudit-2021.yaml"]),
    )
    load_demo_sector(actor=None, sector=generate_sector(60, 2026), password="demo-wachtwoord")


def row_counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Cycle,
            Participation,
            Assessment,
            NormScore,
            CycleAggregate,
            OrganisationResult,
            MeasureStatus,
            SocConnection,
            AuditEntry,
        )
    }


def test_the_demo_gives_each_sector_group_three_cycles_with_aggregates(demo_sector):
    counts = services.load_demo_monitor(actor=None, seed=2026, today=TODAY)

    assert counts["cycles"] == 6
    for coordinator in ("SIVON", "SURF"):
        cycles = Cycle.objects.filter(coordinator__name=coordinator)
        assert cycles.count() >= 3
        assert all(CycleAggregate.objects.filter(cycle=c).exists() for c in cycles)
    # The primary sector is large enough to publish: its PO cells carry statistics and, from the
    # second cycle on, a change against the previous one.
    monitor_2025 = Cycle.objects.get(name="Monitor IBP 2025")
    po = CycleAggregate.objects.get(cycle=monitor_2025, group="PO", column="overall")
    assert not po.suppressed
    assert po.count >= 20
    assert po.change is not None
    # The current cycle is still open and closes within the reminder period.
    current = Cycle.objects.get(name="Monitor IBP 2026")
    assert current.opens_on <= TODAY <= current.closes_on
    assert (current.closes_on - TODAY).days <= services.REMIND_DAYS_BEFORE_CLOSE


def test_demo_organisations_improve_at_different_speeds_and_some_do_not_take_part(demo_sector):
    services.load_demo_monitor(actor=None, seed=2026, today=TODAY)

    sivon_cycles = ["Nulmeting IBP 2024", "Monitor IBP 2025"]
    results = defaultdict(dict)
    for result in OrganisationResult.objects.filter(cycle__name__in=sivon_cycles).select_related("cycle"):
        results[result.organisation_id][result.cycle.name] = result.overall
    changes = [r[sivon_cycles[1]] - r[sivon_cycles[0]] for r in results.values() if len(r) == 2]
    assert max(changes) - min(changes) > 0.5
    assert any(change > 0.3 for change in changes)
    assert any(change < 0.1 for change in changes)
    for name in sivon_cycles:
        invited_only = Participation.objects.filter(cycle__name=name, assessment__isnull=True).count()
        assert invited_only >= 1
    # Every step of the open cycle occurs, so the coordinator's overview shows a real round.
    from weerbaar.monitor.selectors import participation_overview

    overview = participation_overview(Cycle.objects.get(name="Monitor IBP 2026"))
    assert all(overview[step] > 0 for step in ("invited", "started", "submitted", "final"))
    assert MeasureStatus.objects.count() > 100
    assert SocConnection.objects.filter(status="planned").exists()


def test_the_demo_ibp_officer_can_still_take_part_in_the_open_cycle(demo_sector):
    services.load_demo_monitor(actor=None, seed=2026, today=TODAY)
    home = Organisation.objects.get(memberships__user__email="ibp@demo.weerbaar.invalid")
    current = Participation.objects.get(cycle__name="Monitor IBP 2026", organisation=home)
    assert current.assessment is None
    assert OrganisationResult.objects.filter(organisation=home).count() == 2


def test_a_second_run_changes_nothing(demo_sector):
    services.load_demo_monitor(actor=None, seed=2026, today=TODAY)
    before = row_counts()

    assert services.load_demo_monitor(actor=None, seed=2026, today=TODAY) is None
    assert row_counts() == before


def test_only_the_system_loads_the_demo_and_never_in_production(demo_sector, settings):
    person = member(Role.SECTOR_COORDINATOR, Organisation.objects.get(name="SIVON")).user
    before = row_counts()
    with pytest.raises(PermissionDenied):
        services.load_demo_monitor(actor=person, today=TODAY)
    settings.PRODUCTION = True
    with pytest.raises(PermissionDenied):
        services.load_demo_monitor(actor=None, today=TODAY)
    assert row_counts() == before


def test_the_demo_history_is_the_same_on_every_machine():
    cycle = demo.demo_cycles(TODAY)[0]
    first = demo.profile(2026, "Stichting Voorbeeld", ["GO", "SM"])
    assert first == demo.profile(2026, "Stichting Voorbeeld", ["GO", "SM"])
    norms = [("GO.01", "GO"), ("SM.01", "SM")]
    assert demo.levels(2026, "Stichting Voorbeeld", cycle, first, norms, 1.0) == demo.levels(
        2026, "Stichting Voorbeeld", cycle, first, norms, 1.0
    )
