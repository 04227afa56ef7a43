"""The read-only catalogue API: frameworks, versions and norms with filters; no writes."""

import pytest

from tests.frameworks.conftest import data, load
from tests.frameworks.test_services import snapshot
from weerbaar.accounts.models import PersonalAccessToken
from weerbaar.accounts.services import create_api_token
from weerbaar.frameworks import catalogue_format as cf
from weerbaar.frameworks import services
from weerbaar.frameworks.models import Norm

pytestmark = pytest.mark.django_db


def headers_for(user) -> dict:
    _token, secret = create_api_token(
        actor=user, name="test", scope=PersonalAccessToken.Scope.READ_WRITE, days_valid=30
    )
    return {"authorization": f"Bearer {secret}", "accept-language": "en"}


@pytest.fixture
def catalogue():
    version = load("mini.yaml")
    load("reference-list.yaml")
    services.import_mappings(actor=None, mappings=cf.read_yaml(data("mappings.yaml")))
    return version


def test_frameworks_list_with_their_versions(client, officer, catalogue):
    body = client.get("/api/v1/frameworks/", headers=headers_for(officer)).json()

    assert body["count"] == 2
    framework = body["results"][0]
    assert (framework["code"], framework["name_en"], framework["sectors"]) == (
        "TEST-KADER",
        "Resilience test framework",
        ["PO", "VO"],
    )
    assert framework["versions"] == [
        {
            "id": str(catalogue.public_id),
            "label": "2024",
            "status": "published",
            "released": "2024-06-06",
            "scored": True,
        }
    ]


def test_norms_of_a_version_filtered_by_domain_and_search(client, officer, catalogue):
    headers = headers_for(officer)
    version = client.get(f"/api/v1/framework-versions/{catalogue.public_id}/", headers=headers).json()
    assert [d["code"] for d in version["domains"]] == ["GO", "PR"]
    go = version["domains"][0]["id"]

    all_norms = client.get("/api/v1/norms/", {"version": str(catalogue.public_id)}, headers=headers).json()
    in_go = client.get("/api/v1/norms/", {"version": str(catalogue.public_id), "domain": go}, headers=headers).json()
    found = client.get(
        "/api/v1/norms/",
        {"version": str(catalogue.public_id), "search": "register"},
        headers=headers,
    ).json()

    assert [n["code"] for n in all_norms["results"]] == ["GO.01", "GO.02", "PR.01"]
    assert [n["code"] for n in in_go["results"]] == ["GO.01", "GO.02"]
    assert [n["code"] for n in found["results"]] == ["PR.01"]
    first = all_norms["results"][0]
    assert first["levels"]["3"] == {
        "nl": "Het beleid is vastgesteld.",
        "en": "The policy is adopted.",
    }
    assert first["references"] == ["AVG art. 32", "ISO/IEC 27002:2022 5.1"]


def test_one_norm_with_its_mapped_norms(client, officer, catalogue):
    norm = Norm.objects.get(version=catalogue, code="GO.01")

    body = client.get(f"/api/v1/norms/{norm.public_id}/", headers=headers_for(officer)).json()

    assert body["code"] == "GO.01"
    assert [(m["framework_code"], m["code"], m["relation"]) for m in body["mapped"]] == [
        ("TEST-REF", "5.1", "equivalent")
    ]


def test_drafts_are_hidden_from_those_who_do_not_maintain(client, officer, coordinator, catalogue):
    draft = services.create_draft_from(actor=None, version=catalogue, label="2025")

    assert client.get(f"/api/v1/framework-versions/{draft.public_id}/", headers=headers_for(officer)).status_code == 404
    assert (
        client.get(f"/api/v1/framework-versions/{draft.public_id}/", headers=headers_for(coordinator)).status_code
        == 200
    )
    labels = [
        v["label"]
        for v in client.get(
            "/api/v1/framework-versions/", {"status": "draft"}, headers=headers_for(coordinator)
        ).json()["results"]
    ]
    assert labels == ["2025"]


def test_the_api_cannot_change_the_catalogue(client, coordinator, catalogue):
    norm = Norm.objects.get(version=catalogue, code="GO.01")
    headers = headers_for(coordinator)
    before = snapshot()

    assert (
        client.patch(
            f"/api/v1/norms/{norm.public_id}/",
            {"title_nl": "Anders"},
            content_type="application/json",
            headers=headers,
        ).status_code
        == 405
    )
    assert client.delete(f"/api/v1/norms/{norm.public_id}/", headers=headers).status_code == 405
    assert (
        client.post("/api/v1/frameworks/", {"code": "X"}, content_type="application/json", headers=headers).status_code
        == 405
    )
    assert snapshot() == before


def test_bad_filters_and_anonymous_requests_are_refused(client, officer, catalogue):
    assert client.get("/api/v1/norms/", {"version": "not-a-uuid"}, headers=headers_for(officer)).status_code == 400
    assert (
        client.get("/api/v1/framework-versions/", {"status": "secret"}, headers=headers_for(officer)).status_code == 400
    )
    assert client.get("/api/v1/norms/").status_code in (401, 403)
