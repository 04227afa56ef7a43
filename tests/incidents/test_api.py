"""The incident API: reporting and handling through the same rules as the pages, scoped answers,
and malformed or hostile requests refused in the one error format with nothing stored."""

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.api.helpers import assert_error, bearer, send, token_for
from tests.incidents.conftest import report
from weerbaar.core.models import AuditEntry
from weerbaar.incidents.models import Attachment, Incident, TimelineEntry

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 40


def body(desk, **overrides):
    now = timezone.now()
    data = {
        "organisation": str(desk.board_a.public_id),
        "submit": True,
        "title": "DDoS op de website",
        "description": "De website was drie uur onbereikbaar.",
        "category": "availability",
        "detected_at": (now - timedelta(hours=3)).isoformat(),
        "aware_at": (now - timedelta(hours=2)).isoformat(),
        "contact_name": "Anna Alfa",
        "contact_email": "anna@alfa.example",
        "teaching_hours_lost": 0,
    }
    data.update(overrides)
    return data


def stored():
    return (
        Incident.objects.count(),
        TimelineEntry.objects.count(),
        Attachment.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def officer(desk):
    return bearer(token_for(desk.officer_a.user))


def test_a_report_through_the_api_goes_to_the_cert_with_its_clocks(client, desk, officer):
    response = send(
        client,
        "POST",
        "/api/v1/incidents/",
        body(
            desk,
            personal_data_involved=True,
            personal_data_categories=["contact"],
            personal_data_risk="risk",
            data_encrypted="no",
        ),
        headers=officer,
    )

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "new"
    assert data["cert"] == str(desk.cert.public_id)
    assert {c["kind"] for c in data["clocks"]} == {"ap_notification", "cert_response"}
    analyst = bearer(token_for(desk.analyst.user))
    listed = send(client, "GET", "/api/v1/incidents/", headers=analyst).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    assert_error(
        send(
            client,
            "GET",
            f"/api/v1/incidents/{data['id']}/",
            headers=bearer(token_for(desk.officer_b.user)),
        ),
        404,
        "not_found",
    )


def test_a_draft_through_the_api_is_completed_and_sent_later(client, desk, officer):
    created = send(
        client,
        "POST",
        "/api/v1/incidents/",
        {"organisation": str(desk.board_a.public_id), "title": "Nog uitzoeken"},
        headers=officer,
    )
    assert created.status_code == 201
    incident_id = created.json()["id"]

    refused = send(client, "POST", f"/api/v1/incidents/{incident_id}/submit/", headers=officer)
    error = assert_error(refused, 400, "invalid")
    assert "aware_at" in error["fields"]

    facts = body(desk)
    for key in ("organisation", "submit", "title"):
        facts.pop(key)
    assert send(client, "PATCH", f"/api/v1/incidents/{incident_id}/", facts, headers=officer).status_code == 200
    sent = send(client, "POST", f"/api/v1/incidents/{incident_id}/submit/", headers=officer)
    assert sent.status_code == 200
    assert sent.json()["status"] == "new"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "red"}, "colour"),
        (
            {"aware_at": "2020-01-01T10:00:00+01:00", "detected_at": "2020-01-01T12:00:00+01:00"},
            "aware_at",
        ),
        ({"aware_at": "2999-01-01T10:00:00+01:00"}, "aware_at"),
        ({"aware_at": "gisteren"}, "aware_at"),
        ({"tlp": "amber+strict"}, "tlp"),
        ({"pupils_affected": -5}, "pupils_affected"),
        ({"personal_data_categories": "bsn"}, "personal_data_categories"),
        ({"organisation": "not-a-uuid"}, "organisation"),
        ({"named_people": ["someone@elsewhere.example"], "tlp": "red"}, "named_people"),
        ({"title": ""}, "title"),
    ],
)
def test_malformed_reports_are_refused_naming_the_field_and_store_nothing(client, desk, officer, change, field):
    before = stored()

    response = send(client, "POST", "/api/v1/incidents/", body(desk, **change), headers=officer)

    error = assert_error(response, 400, "invalid")
    assert field in error["fields"], error
    assert stored() == before


def test_reporting_for_another_organisation_is_refused_like_an_unknown_one(client, desk, officer):
    before = stored()

    response = send(
        client,
        "POST",
        "/api/v1/incidents/",
        body(desk, organisation=str(desk.board_b.public_id)),
        headers=officer,
    )

    assert "organisation" in assert_error(response, 400, "invalid")["fields"]
    assert stored() == before


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[" * 5000 + b"]" * 5000, "application/json", 400),
        (b"title=x", "application/x-www-form-urlencoded", 415),
        (b"[]", "application/json", 400),
    ],
)
def test_bodies_that_are_not_a_json_object_are_refused(client, desk, officer, raw, content_type, status):
    before = stored()

    response = send(client, "POST", "/api/v1/incidents/", raw=raw, content_type=content_type, headers=officer)

    assert_error(response, status)
    assert stored() == before


def test_a_body_above_the_limit_is_refused_before_it_is_read(client, desk, officer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = stored()

    response = send(client, "POST", "/api/v1/incidents/", body(desk, description="x" * 5000), headers=officer)

    assert_error(response, 413, "too_large")
    assert stored() == before


def test_a_read_only_token_cannot_report(client, desk):
    response = send(
        client,
        "POST",
        "/api/v1/incidents/",
        body(desk),
        headers=bearer(token_for(desk.officer_a.user, scope="read")),
    )

    assert_error(response, 403)
    assert not Incident.objects.exists()


def test_files_are_uploaded_as_multipart_with_their_hash(client, desk, officer):
    incident = report(desk.officer_a)
    path = f"/api/v1/incidents/{incident.public_id}/attachments/"

    response = client.post(path, {"files": [SimpleUploadedFile("bewijs.png", PNG)]}, headers=officer)

    assert response.status_code == 201, response.content
    assert response.json()[0]["sha256"] == hashlib.sha256(PNG).hexdigest()
    before = stored()
    refused = client.post(path, {"files": [SimpleUploadedFile("tool.exe", b"MZ\x00")]}, headers=officer)
    assert "attachments" in assert_error(refused, 400, "invalid")["fields"]
    unknown = client.post(path, {"files": [SimpleUploadedFile("b.png", PNG)], "extra": "x"}, headers=officer)
    assert "extra" in assert_error(unknown, 400, "invalid")["fields"]
    assert stored() == before


def test_the_cert_handles_through_the_api(client, desk):
    incident = report(desk.officer_a)
    analyst = bearer(token_for(desk.analyst.user))
    base = f"/api/v1/incidents/{incident.public_id}"

    assert (
        send(
            client,
            "POST",
            f"{base}/triage/",
            {"severity": "high", "category": "availability"},
            headers=analyst,
        ).status_code
        == 200
    )
    assert (
        send(
            client,
            "POST",
            f"{base}/assign/",
            {"analyst": desk.analyst_2.user.email},
            headers=analyst,
        ).status_code
        == 200
    )
    entry = send(
        client,
        "POST",
        f"{base}/timeline/",
        {"body": "Alleen voor ons", "internal": True},
        headers=analyst,
    )
    indicator = send(
        client,
        "POST",
        f"{base}/indicators/",
        {"type": "url", "value": "https://evil.example/login"},
        headers=analyst,
    )
    closing = send(client, "POST", f"{base}/status/", {"status": "closed"}, headers=analyst)

    assert entry.status_code == 201
    assert indicator.status_code == 201
    assert_error(closing, 400, "invalid")
    officer = bearer(token_for(desk.officer_a.user))
    timeline = send(client, "GET", f"{base}/timeline/", headers=officer).json()
    assert "Alleen voor ons" not in str(timeline)
    stix = send(client, "GET", f"{base}/stix/", headers=officer).json()
    assert "[url:value = 'https://evil.example/login']" in str(stix)
    assert_error(
        send(
            client,
            "POST",
            f"{base}/triage/",
            {"severity": "low", "category": "fraud"},
            headers=officer,
        ),
        404,
    )


def test_statistics_for_sector_roles_and_lessons_for_everyone(client, desk):
    assert (
        send(
            client,
            "GET",
            "/api/v1/incident-statistics/",
            headers=bearer(token_for(desk.ministry.user)),
        ).status_code
        == 200
    )
    assert_error(
        send(
            client,
            "GET",
            "/api/v1/incident-statistics/",
            headers=bearer(token_for(desk.officer_a.user)),
        ),
        404,
    )
    lessons = send(
        client,
        "GET",
        "/api/v1/lessons/?search=back-up",
        headers=bearer(token_for(desk.officer_b.user)),
    )
    assert lessons.status_code == 200
    assert lessons.json()["results"] == []
