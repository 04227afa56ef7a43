"""The privacy API: the same rules as the pages, one error format, anonymised counts."""

from datetime import timedelta

from django.utils import timezone

from tests.api.helpers import bearer, send, token_for
from weerbaar.privacy import services
from weerbaar.privacy.models import LocalDPIA

TODAY = timezone.localdate


def _h(membership):
    return bearer(token_for(membership.user, scope="read_write"))


def test_catalogue_with_anonymised_counts(client, world):
    services.record_use(actor=world.dpo_a.user, organisation=world.board_a, product=world.product)
    body = client.get("/api/v1/privacy/products/", headers=_h(world.dpo_a)).json()
    rows = {r["code"]: r for r in body["results"]}
    assert rows["leerplatform"]["organisations_using"] is None  # one organisation: too few
    assert rows["leerplatform"]["used_by_me"] is True
    assert rows["leerplatform"]["central_dpia"]["advice"] == "medium"
    assert client.get("/api/v1/privacy/products/", headers=_h(world.mbo_dpo)).json()["results"] == []


def test_local_dpia_flow_through_the_api(client, world):
    created = send(
        client,
        "post",
        "/api/v1/privacy/local-dpias/",
        {
            "organisation": str(world.board_a.public_id),
            "title": "Via API",
            "central_dpia": str(world.central.public_id),
        },
        headers=_h(world.dpo_a),
    )
    assert created.status_code == 201, created.json()
    dpia_id = created.json()["id"]
    assert len(created.json()["risks"]) == 3
    patched = send(
        client, "patch", f"/api/v1/privacy/local-dpias/{dpia_id}/", {"ap_types": ["camera"]}, headers=_h(world.dpo_a)
    )
    assert patched.json()["prescan"]["dpia"] == "required"
    bad = send(client, "patch", f"/api/v1/privacy/local-dpias/{dpia_id}/", {"colour": "red"}, headers=_h(world.dpo_a))
    assert bad.status_code == 400
    send(
        client,
        "post",
        f"/api/v1/privacy/local-dpias/{dpia_id}/advice/",
        {"advice": "ok", "advised_on": TODAY().isoformat()},
        headers=_h(world.dpo_a),
    )
    early = send(
        client,
        "post",
        f"/api/v1/privacy/local-dpias/{dpia_id}/accept/",
        {
            "accepted_on": (TODAY() - timedelta(days=1)).isoformat(),
            "review_due": (TODAY() + timedelta(days=200)).isoformat(),
            "residual_accepted": "R1",
        },
        headers=_h(world.board_member_a),
    )
    assert early.status_code == 400
    assert "accepted_on" in early.json()["error"]["fields"]
    accepted = send(
        client,
        "post",
        f"/api/v1/privacy/local-dpias/{dpia_id}/accept/",
        {
            "accepted_on": TODAY().isoformat(),
            "review_due": (TODAY() + timedelta(days=200)).isoformat(),
            "residual_accepted": "R1",
        },
        headers=_h(world.board_member_a),
    )
    assert accepted.json()["status"] == "accepted"
    # Another organisation's DPO gets nothing.
    assert client.get(f"/api/v1/privacy/local-dpias/{dpia_id}/", headers=_h(world.dpo_b)).status_code == 404
    assert client.get("/api/v1/privacy/local-dpias/", headers=_h(world.dpo_b)).json()["results"] == []


def test_only_the_coordinator_publishes(client, world):
    body = {
        "product": str(world.other_product.public_id),
        "assessed_on": TODAY().isoformat(),
        "assessor": "SIVON",
        "advice": "low",
        "risks": [{"code": "R1", "title": "x", "likelihood": "low", "impact": "low", "residual": "low"}],
    }
    refused = send(client, "post", "/api/v1/privacy/central-dpias/", body, headers=_h(world.dpo_a))
    assert refused.status_code == 404
    made = send(client, "post", "/api/v1/privacy/central-dpias/", body, headers=_h(world.coordinator))
    assert made.status_code == 201
    central_id = made.json()["id"]
    assert (
        send(
            client, "post", f"/api/v1/privacy/central-dpias/{central_id}/publish/", {}, headers=_h(world.dpo_a)
        ).status_code
        == 404
    )
    published = send(
        client, "post", f"/api/v1/privacy/central-dpias/{central_id}/publish/", {}, headers=_h(world.coordinator)
    )
    assert published.json()["status"] == "published"


def test_registers_through_the_api(client, world):
    made = send(
        client,
        "post",
        "/api/v1/privacy/processing-activities/",
        {
            "organisation": str(world.board_a.public_id),
            "name": "Leerlingvolgsysteem",
            "purposes": "Volgen van voortgang",
            "legal_basis": "public_task",
            "processors": ["leerplatform"],
            "transfers": [{"country": "US", "mechanism": "scc"}],
        },
        headers=_h(world.dpo_a),
    )
    assert made.status_code == 201, made.json()
    assert made.json()["processors"] == ["leerplatform"]
    breach = send(
        client,
        "post",
        "/api/v1/privacy/breaches/",
        {"organisation": str(world.board_a.public_id), "title": "USB-stick", "discovered_on": TODAY().isoformat()},
        headers=_h(world.dpo_a),
    )
    assert breach.status_code == 201
    listed = client.get(
        f"/api/v1/privacy/breaches/?organisation={world.board_a.public_id}", headers=_h(world.dpo_a)
    ).json()
    assert [r["title"] for r in listed["results"]] == ["USB-stick"]
    assert (
        client.get(
            f"/api/v1/privacy/breaches/?organisation={world.board_a.public_id}", headers=_h(world.dpo_b)
        ).status_code
        == 404
    )
    assert not LocalDPIA.objects.exists()
