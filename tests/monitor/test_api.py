"""The monitor API: cycles and participation counts for coordinators, anonymised benchmarks for
sector roles, the organisation's own position and forecast, and basic measures and SOC."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.api.helpers import assert_error, bearer, send, snapshot, token_for
from tests.factories import OrganisationFactory, member, sector
from weerbaar.core.permissions import Role
from weerbaar.monitor.models import Cycle, MeasureStatus, SocConnection
from weerbaar.organisations.choices import OrganisationKind

pytestmark = pytest.mark.django_db


def headers_for(user, scope="read_write"):
    return bearer(token_for(user, scope=scope))


def test_a_coordinator_lists_its_cycles_and_their_participation_counts(client, monitor_world):
    headers = headers_for(monitor_world.coordinator.user, "read")
    listed = client.get("/api/v1/monitor/cycles/", headers=headers).json()
    assert [c["name"] for c in listed["results"]] == ["Monitor PO VO"]
    assert listed["results"][0]["sectors"] == ["PO", "VO"]
    counts = client.get(
        f"/api/v1/monitor/cycles/{monitor_world.cycle.public_id}/participation/", headers=headers
    ).json()
    assert counts == {"invited": 1, "started": 0, "submitted": 0, "final": 13}


def test_a_coordinator_opens_a_cycle_through_the_api(client, monitor_world):
    today = timezone.localdate()
    body = {
        "name": "Monitor VO 2027",
        "kind": "monitor",
        "sectors": ["VO"],
        "framework_version": str(monitor_world.version.public_id),
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
    }
    response = send(
        client,
        "POST",
        "/api/v1/monitor/cycles/",
        body,
        headers=headers_for(monitor_world.coordinator.user),
    )
    assert response.status_code == 201, response.content
    cycle = Cycle.objects.get(public_id=response.json()["id"])
    assert cycle.participations.count() == 6


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sectors": ["MBO"]}, "sectors"),
        ({"colour": "red"}, "colour"),
        ({"kind": "census"}, "kind"),
    ],
)
def test_a_bad_cycle_is_refused_and_nothing_is_opened(client, monitor_world, change, field):
    today = timezone.localdate()
    body = {
        "name": "Ronde",
        "kind": "monitor",
        "sectors": ["VO"],
        "framework_version": str(monitor_world.version.public_id),
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        **change,
    }
    headers = headers_for(monitor_world.coordinator.user)
    before = snapshot()
    response = send(client, "POST", "/api/v1/monitor/cycles/", body, headers=headers)
    error = assert_error(response, 400, "invalid")
    assert field in error["fields"]
    assert snapshot() == before
    assert Cycle.objects.count() == 1


def test_an_ibp_officer_cannot_open_a_cycle(client, monitor_world):
    today = timezone.localdate()
    body = {
        "name": "Eigen ronde",
        "kind": "monitor",
        "sectors": ["PO"],
        "framework_version": str(monitor_world.version.public_id),
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
    }
    response = send(
        client,
        "POST",
        "/api/v1/monitor/cycles/",
        body,
        headers=headers_for(monitor_world.planted_officer.user),
    )
    assert response.status_code in (400, 403)
    assert Cycle.objects.count() == 1


def test_the_benchmark_gives_anonymised_cells_with_suppressed_ones_empty(client, monitor_world):
    response = client.get(
        f"/api/v1/monitor/benchmarks/{monitor_world.cycle.public_id}/",
        headers=headers_for(monitor_world.council.user, "read"),
    )
    body = response.json()
    assert response.status_code == 200
    assert body["groups"] == ["all", "PO", "VO"]
    cells = {(c["group"], c["column"]): c for c in body["cells"]}
    po = cells[("PO", "overall")]
    assert po["count"] == 8
    assert po["mean"] == pytest.approx(263 / 96)  # (29/12 + 11/4 + 2 + 65/24 + 55/24 + 3 + 55/24 + 107/24) / 8
    assert po["share_at_target"] == pytest.approx(2 / 8)
    vo = cells[("VO", "overall")]
    assert vo["suppressed"] is True
    assert {vo[k] for k in ("count", "mean", "median", "q1", "q3", "share_at_target")} == {None}
    assert vo["distribution"] == {}


def test_a_coordinator_sees_only_the_groups_of_the_sectors_it_serves(client, monitor_world):
    po_only = OrganisationFactory(
        name="Coordinatie PO",
        kind=OrganisationKind.SECTOR_ORGANISATION,
        sector=None,
        board_number="",
    )
    po_only.served_sectors.set([sector("PO")])
    user = member(Role.SECTOR_COORDINATOR, po_only).user
    body = client.get(
        f"/api/v1/monitor/benchmarks/{monitor_world.cycle.public_id}/",
        headers=headers_for(user, "read"),
    ).json()
    assert body["groups"] == ["PO"]
    assert {c["group"] for c in body["cells"]} == {"PO"}
    # Not its cycle: no participation figures either.
    response = client.get(
        f"/api/v1/monitor/cycles/{monitor_world.cycle.public_id}/participation/",
        headers=headers_for(user, "read"),
    )
    assert_error(response, 404, "not_found")


def test_an_ibp_officer_reads_no_benchmark_but_its_own_position(client, monitor_world):
    headers = headers_for(monitor_world.planted_officer.user, "read")
    assert client.get("/api/v1/monitor/benchmarks/", headers=headers).json()["results"] == []
    assert_error(
        client.get(f"/api/v1/monitor/benchmarks/{monitor_world.cycle.public_id}/", headers=headers),
        404,
    )
    own = client.get(f"/api/v1/monitor/positions/{monitor_world.planted.public_id}/", headers=headers).json()
    position = own["positions"][0]
    assert position["overall"] == pytest.approx(107 / 24)
    assert position["percentiles"]["overall"] == pytest.approx(100 * 7.5 / 8)
    assert own["forecast"]["outlook"] == "on_track"
    assert own["forecast"]["reason"] == "already_there"
    other = monitor_world.po_boards[0].public_id
    assert_error(client.get(f"/api/v1/monitor/positions/{other}/", headers=headers), 404)


def test_the_ibp_officer_records_measures_and_soc_through_the_api(client, monitor_world):
    board = monitor_world.planted
    headers = headers_for(monitor_world.planted_officer.user)
    response = send(
        client,
        "POST",
        f"/api/v1/monitor/posture/{board.public_id}/measures/",
        {"measure": "BACKUPS", "state": "in_place", "as_of": timezone.localdate().isoformat()},
        headers=headers,
    )
    assert response.status_code == 200, response.content
    states = {m["measure"]: m["state"] for m in response.json()["measures"]}
    assert states["BACKUPS"] == "in_place"
    response = send(
        client,
        "POST",
        f"/api/v1/monitor/posture/{board.public_id}/soc/",
        {"status": "connected", "provider": "SOC Noord"},
        headers=headers,
    )
    assert response.json()["soc"]["provider"] == "SOC Noord"


def test_posture_writes_need_posture_edit_and_change_nothing_otherwise(client, monitor_world):
    board = monitor_world.planted
    reader = member(Role.SUPERVISORY_BOARD, board).user
    reader_headers, officer_headers = (
        headers_for(reader),
        headers_for(monitor_world.planted_officer.user),
    )
    before = snapshot()
    response = send(
        client,
        "POST",
        f"/api/v1/monitor/posture/{board.public_id}/measures/",
        {"measure": "MFA", "state": "in_place"},
        headers=reader_headers,
    )
    assert_error(response, 404, "not_found")
    response = send(
        client,
        "POST",
        f"/api/v1/monitor/posture/{board.public_id}/soc/",
        {"status": "none", "extra": 1},
        headers=officer_headers,
    )
    assert "extra" in assert_error(response, 400, "invalid")["fields"]
    assert snapshot() == before
    assert not MeasureStatus.objects.exists()
    assert not SocConnection.objects.exists()
    # Reading is allowed to the supervisory board.
    read = client.get(f"/api/v1/monitor/posture/{board.public_id}/", headers=reader_headers)
    assert read.status_code == 200
