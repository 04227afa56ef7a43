"""Indicators: STIX 2.1 and MISP in and out, feeds per TLP level with the same reach as
advisories, RED never in a feed."""

import json

import pytest

from tests.api.helpers import assert_error, bearer, send, token_for
from weerbaar.advisories import iocs, services
from weerbaar.advisories.models import SharedIndicator
from weerbaar.incidents.stix import TLP2_MARKINGS


def _bundle(*patterns, marking="green"):
    objects = [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{n:08d}-0000-4000-8000-000000000000",
            "created": "2026-01-01T00:00:00.000Z",
            "modified": "2026-01-01T00:00:00.000Z",
            "pattern": p,
            "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00Z",
            "object_marking_refs": [TLP2_MARKINGS[marking]],
        }
        for n, p in enumerate(patterns, start=1)
    ]
    return json.dumps({"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000", "objects": objects})


def test_stix_in_and_out_round_trip(world):
    raw = _bundle(
        "[domain-name:value = 'evil.example']",
        "[file:hashes.'SHA-256' = '" + "a" * 64 + "']",
        "[ipv4-addr:value = '192.0.2.1'] AND [domain-name:value = 'x.example']",  # not simple: skipped
    )
    added, skipped = services.import_indicators(
        actor=world.analyst.user, owner=world.cert, raw=raw.encode(), kind="stix", tlp="amber"
    )
    assert (added, skipped) == (2, 1)
    assert set(SharedIndicator.objects.values_list("type", "value", "tlp")) == {
        ("domain", "evil.example", "green"),
        ("sha256", "a" * 64, "green"),
    }
    # Importing again adds nothing.
    assert services.import_indicators(
        actor=world.analyst.user, owner=world.cert, raw=raw.encode(), kind="stix", tlp="amber"
    ) == (0, 1)


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b'{"type": "report"}',
        _bundle("[domain-name:value = 'unclosed").encode(),
        json.dumps({"type": "bundle", "id": "bundle--1", "objects": [{"type": "indicator", "id": "x"}]}).encode(),
    ],
)
def test_bad_stix_is_refused_and_nothing_stored(world, raw):
    with pytest.raises(iocs.IocError):
        services.import_indicators(actor=world.analyst.user, owner=world.cert, raw=raw, kind="stix", tlp="green")
    assert not SharedIndicator.objects.exists()


def test_misp_event_in(world):
    event = {
        "Event": {
            "info": "Phishing campagne",
            "Tag": [{"name": "tlp:amber"}],
            "Attribute": [
                {"type": "domain", "value": "login-school.example", "to_ids": True, "category": "Network activity"},
                {"type": "comment", "value": "text", "to_ids": False, "category": "Other"},
            ],
        }
    }
    added, skipped = services.import_indicators(
        actor=world.analyst.user, owner=world.cert, raw=json.dumps(event).encode(), kind="misp", tlp="green"
    )
    assert (added, skipped) == (1, 1)
    assert SharedIndicator.objects.get().tlp == "amber"


def test_institution_cannot_share(world):
    from weerbaar.core.tenancy import NotPermitted

    with pytest.raises(NotPermitted):
        services.import_indicators(
            actor=world.officer_a.user,
            owner=world.cert,
            raw=_bundle("[url:value = 'http://x']").encode(),
            kind="stix",
            tlp="green",
        )


def _share(world):
    for tlp, value in (("green", "green.example"), ("amber", "amber.example"), ("red", "red.example")):
        services.import_indicators(
            actor=world.analyst.user,
            owner=world.cert,
            raw=_bundle(f"[domain-name:value = '{value}']", marking=tlp).encode(),
            kind="stix",
            tlp=tlp,
        )


def test_feeds_per_tlp_follow_reach(client, world):
    _share(world)
    officer = bearer(token_for(world.officer_a.user))
    outsider = bearer(token_for(world.outsider_officer.user))
    green = send(client, "GET", "/api/v1/iocs/stix/green/", headers=officer)
    assert green.status_code == 200
    bundle = json.loads(green.content)
    patterns = [o["pattern"] for o in bundle["objects"] if o["type"] == "indicator"]
    assert patterns == ["[domain-name:value = 'green.example']"]
    assert any(o["id"] == TLP2_MARKINGS["green"] for o in bundle["objects"])
    amber = json.loads(send(client, "GET", "/api/v1/iocs/stix/amber/", headers=officer).content)
    assert [o["pattern"] for o in amber["objects"] if o["type"] == "indicator"] == [
        "[domain-name:value = 'amber.example']"
    ]
    amber_outside = json.loads(send(client, "GET", "/api/v1/iocs/stix/amber/", headers=outsider).content)
    assert [o for o in amber_outside["objects"] if o["type"] == "indicator"] == []
    assert_error(send(client, "GET", "/api/v1/iocs/stix/red/", headers=officer), 404)


def test_misp_feed_directory(client, world):
    _share(world)
    officer = bearer(token_for(world.officer_a.user))
    manifest = json.loads(send(client, "GET", "/advisories/feeds/misp/amber/manifest.json", headers=officer).content)
    (event_id,) = manifest
    assert manifest[event_id]["Tag"][0]["name"] == "tlp:amber"
    hashes = send(client, "GET", "/advisories/feeds/misp/amber/hashes.csv", headers=officer).content.decode()
    assert hashes.strip().endswith(event_id)
    event = json.loads(send(client, "GET", f"/advisories/feeds/misp/amber/{event_id}.json", headers=officer).content)
    assert [a["value"] for a in event["Event"]["Attribute"]] == ["amber.example"]
    # The event reads back in as a MISP event.
    found, _skipped, tlp = iocs.read_misp(json.dumps(event).encode())
    assert [(i.type, i.value) for i in found] == [("domain", "amber.example")]
    assert tlp == "amber"
    outsider = bearer(token_for(world.outsider_officer.user))
    assert json.loads(send(client, "GET", "/advisories/feeds/misp/amber/manifest.json", headers=outsider).content) == {}
    assert_error(send(client, "GET", f"/advisories/feeds/misp/amber/{event_id}.json", headers=outsider), 404)


def test_import_through_api(client, world):
    analyst = bearer(token_for(world.analyst.user))
    body = {
        "owner": str(world.cert.public_id),
        "kind": "stix",
        "tlp": "green",
        "content": json.loads(_bundle("[domain-name:value = 'api.example']")),
    }
    response = send(client, "POST", "/api/v1/iocs/import/", body, headers=analyst)
    assert response.status_code == 201, response.content
    assert response.json() == {"added": 1, "skipped": 0}
    body["content"] = {"type": "report"}
    assert_error(send(client, "POST", "/api/v1/iocs/import/", body, headers=analyst), 400)
