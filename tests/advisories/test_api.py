"""The advisories API: TLP-scoped list, taking in CSAF (refusal names the test), exposures,
answers, the CERT's counts and the software lists."""

import json

from tests.advisories.conftest import csaf_fixture
from tests.advisories.test_services import _inventory, write
from tests.api.helpers import assert_error, bearer, send, token_for
from weerbaar.advisories.models import Advisory, InventoryItem


def test_list_detail_and_tlp(client, world):
    _inventory(world)
    advisory = write(world)
    officer = bearer(token_for(world.officer_a.user))
    rows = send(client, "GET", "/api/v1/advisories/", headers=officer).json()["results"]
    assert [(r["id"], r["matches_me"]) for r in rows] == [(str(advisory.public_id), True)]
    outsider = bearer(token_for(world.outsider_officer.user))
    assert send(client, "GET", "/api/v1/advisories/", headers=outsider).json()["results"] == []
    assert_error(send(client, "GET", f"/api/v1/advisories/{advisory.public_id}/", headers=outsider), 404)
    exposures = send(client, "GET", f"/api/v1/advisories/{advisory.public_id}/exposures/", headers=officer).json()
    assert {e["tier"] for e in exposures} == {1, 3}
    csaf = send(client, "GET", f"/api/v1/advisories/{advisory.public_id}/csaf/", headers=officer)
    assert json.loads(csaf.content)["document"]["tracking"]["id"] == advisory.tracking_id


def test_answers_and_constituency(client, world):
    _inventory(world)
    advisory = write(world)
    officer = bearer(token_for(world.officer_a.user))
    url = f"/api/v1/advisories/{advisory.public_id}/answers/"
    response = send(
        client, "POST", url, {"organisation": str(world.board_a.public_id), "state": "patched"}, headers=officer
    )
    assert_error(response, 400)
    response = send(
        client,
        "POST",
        url,
        {"organisation": str(world.board_a.public_id), "state": "patched", "patched_on": "2024-01-02"},
        headers=officer,
    )
    assert response.status_code == 200, response.content
    assert response.json()[0]["state"] == "patched"
    refused = send(
        client, "POST", url, {"organisation": str(world.board_b.public_id), "state": "not_affected"}, headers=officer
    )
    assert_error(refused, 400)
    analyst = bearer(token_for(world.analyst.user))
    counts = send(client, "GET", f"/api/v1/advisories/{advisory.public_id}/constituency/", headers=analyst).json()
    assert (counts["affected"], counts["patched"]) == (2, 1)
    assert "Stichting" not in json.dumps(counts)
    assert_error(send(client, "GET", f"/api/v1/advisories/{advisory.public_id}/constituency/", headers=officer), 404)


def test_import_through_api(client, world):
    analyst = bearer(token_for(world.analyst.user))
    bad = json.loads(csaf_fixture("oasis-testdata/mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json").read_text())
    error = assert_error(
        send(
            client,
            "POST",
            "/api/v1/advisories/",
            {"owner": str(world.cert.public_id), "document": bad, "default_tlp": "green"},
            headers=analyst,
        ),
        400,
    )
    assert "6.1.1" in json.dumps(error)
    assert not Advisory.objects.exists()
    good = json.loads(csaf_fixture("examples/bsi-2022-0001.json").read_text())
    response = send(
        client, "POST", "/api/v1/advisories/", {"owner": str(world.cert.public_id), "document": good}, headers=analyst
    )
    assert response.status_code == 201, response.content
    officer = bearer(token_for(world.officer_a.user))
    assert_error(
        send(
            client,
            "POST",
            "/api/v1/advisories/",
            {"owner": str(world.cert.public_id), "document": good},
            headers=officer,
        ),
        400,
    )


def test_inventory_api(client, world):
    officer = bearer(token_for(world.officer_a.user))
    response = send(
        client,
        "POST",
        "/api/v1/inventory/",
        {
            "organisation": str(world.board_a.public_id),
            "vendor": "Microsoft",
            "product": "Windows 10",
            "version": "10.0.19045.100",
        },
        headers=officer,
    )
    assert response.status_code == 201, response.content
    item_id = response.json()["id"]
    assert [r["id"] for r in send(client, "GET", "/api/v1/inventory/", headers=officer).json()["results"]] == [item_id]
    other = bearer(token_for(world.officer_b.user))
    assert send(client, "GET", "/api/v1/inventory/", headers=other).json()["results"] == []
    assert_error(send(client, "DELETE", f"/api/v1/inventory/{item_id}/", headers=other), 404)
    assert send(client, "DELETE", f"/api/v1/inventory/{item_id}/", headers=officer).status_code == 204
    assert not InventoryItem.objects.exists()
