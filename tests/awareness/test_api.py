"""The awareness API: the same rules as the pages, scoped answers, and bad input refused in the
one error format with nothing stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.helpers import assert_error, bearer, send, token_for
from tests.awareness.conftest import days_ago, exercise, phishing
from tests.factories import OrganisationFactory, member
from weerbaar.assessments.models import ImprovementAction
from weerbaar.awareness.models import Activity, GroupParticipation
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role

pytestmark = pytest.mark.django_db

BASE = "/api/v1/awareness/activities/"


def test_create_list_and_summary(client, officer):
    headers = bearer(token_for(officer.user))
    response = send(
        client,
        "post",
        BASE,
        {
            "organisation": str(officer.organisation.public_id),
            "kind": "phishing",
            "title": "Najaar",
            "held_on": days_ago(2).isoformat(),
            "sent": 40,
            "opened": 20,
            "clicked": 4,
            "reported": 10,
        },
        headers=headers,
    )
    assert response.status_code == 201, response.content
    activity_id = response.json()["id"]
    listed = client.get(BASE, {"organisation": str(officer.organisation.public_id)}, headers=headers).json()
    assert [row["id"] for row in listed["results"]] == [activity_id]
    summary = client.get(
        BASE + "summary/",
        {"organisation": str(officer.organisation.public_id), "year": days_ago(2).year},
        headers=headers,
    ).json()
    assert summary["phishing_sent"] == 40
    assert summary["phishing_report_rate"] == pytest.approx(0.25)


def test_impossible_counts_and_unknown_fields_are_refused(client, officer):
    headers = bearer(token_for(officer.user))
    body = {
        "organisation": str(officer.organisation.public_id),
        "kind": "phishing",
        "title": "Najaar",
        "held_on": days_ago(2).isoformat(),
        "sent": 40,
        "opened": 20,
        "clicked": 30,
        "reported": 50,
    }
    error = assert_error(send(client, "post", BASE, body, headers=headers), 400)
    assert {"clicked", "reported"} <= set(error["fields"])
    assert_error(send(client, "post", BASE, {**body, "clicked": 1, "reported": 1, "secret": 1}, headers=headers), 400)
    assert not Activity.objects.exists()


def test_participation_and_csv_import_through_the_api(client, officer):
    activity = phishing(officer)
    headers = bearer(token_for(officer.user))
    url = f"{BASE}{activity.public_id}/"
    error = assert_error(
        send(
            client,
            "post",
            url + "participation/",
            {"group": "it", "people": 5, "invited": 5, "participated": 6},
            headers=headers,
        ),
        400,
    )
    assert "participated" in error["fields"]
    upload = SimpleUploadedFile("x.csv", b"group,people,invited,completed\nit,5,5,4\nboard,3,4,1\n")
    assert_error(client.post(url + "import/", {"file": upload}, headers=headers), 400)
    assert not GroupParticipation.objects.exists()
    upload = SimpleUploadedFile("x.csv", b"group,people,invited,completed\nit,5,5,4\n")
    response = client.post(url + "import/", {"file": upload}, headers=headers)
    assert response.status_code == 200, response.content
    assert response.json()["participation"] == [{"group": "it", "people": 5, "invited": 5, "participated": 4}]


def test_findings_through_the_api_are_improvement_actions(client, officer):
    activity = exercise(officer)
    headers = bearer(token_for(officer.user))
    url = f"{BASE}{activity.public_id}/findings/"
    response = send(client, "post", url, {"text": "Niemand wist wie de pers te woord stond"}, headers=headers)
    assert response.status_code == 201, response.content
    action = ImprovementAction.objects.get()
    assert response.json()["improvement_action"] == str(action.public_id)
    assert client.get(url, headers=headers).json()[0]["text"] == "Niemand wist wie de pers te woord stond"


@pytest.mark.parametrize("role", [Role.IBP_OFFICER, Role.BOARD_MEMBER, Role.SECTOR_COORDINATOR])
def test_another_organisation_sees_nothing_and_changes_nothing(client, officer, role):
    activity = phishing(officer)
    stranger = member(role, OrganisationFactory())
    headers = bearer(token_for(stranger.user))
    assert client.get(BASE, headers=headers).json()["results"] == []
    assert_error(client.get(f"{BASE}{activity.public_id}/", headers=headers), 404)
    assert_error(send(client, "patch", f"{BASE}{activity.public_id}/", {"title": "x"}, headers=headers), 404)
    assert_error(send(client, "delete", f"{BASE}{activity.public_id}/", headers=headers), 404)
    body = {"organisation": str(officer.organisation.public_id), "kind": "campaign", "title": "x"}
    body["held_on"] = days_ago(1).isoformat()
    assert_error(send(client, "post", BASE, body, headers=headers), 400)
    summary = {"organisation": str(officer.organisation.public_id), "year": 2025}
    assert_error(client.get(BASE + "summary/", summary, headers=headers), 400)
    assert Activity.objects.get().title == "Phishing voorjaar"
    assert not AuditEntry.objects.filter(organisation_ref=officer.organisation.pk, actor_ref=stranger.user.pk).exists()


def test_a_reader_may_not_write(client, officer):
    activity = phishing(officer)
    board = member(Role.BOARD_MEMBER, officer.organisation)
    headers = bearer(token_for(board.user))
    assert client.get(f"{BASE}{activity.public_id}/", headers=headers).status_code == 200
    assert_error(send(client, "patch", f"{BASE}{activity.public_id}/", {"title": "x"}, headers=headers), 404)


def test_sector_figures_for_sector_roles_never_per_organisation(client, settings, officer):
    settings.BENCHMARK_MIN_GROUP = 5
    phishing(officer)
    inspector = member(Role.INSPECTOR, OrganisationFactory(kind="inspectorate", sector=None))
    rows = client.get("/api/v1/awareness/sector-figures/", headers=bearer(token_for(inspector.user))).json()
    po = next(row for row in rows if row["group"] == "PO")
    assert po["phishing_report"] == {
        "suppressed": True,
        "count": None,
        "mean": None,
        "median": None,
        "q1": None,
        "q3": None,
    }
    # An institution's own people read no sector figures here (like the monitor's benchmarks).
    assert client.get("/api/v1/awareness/sector-figures/", headers=bearer(token_for(officer.user))).json() == []


def test_offer_through_the_api(client, coordinator_member, officer):
    headers = bearer(token_for(coordinator_member.user))
    body = {
        "title": "Crisiscommunicatie",
        "audience": "communication",
        "format": "classroom",
        "starts_on": days_ago(0).isoformat(),
        "ends_on": days_ago(-30).isoformat(),
        "published": True,
        "sectors": ["PO"],
    }
    response = send(client, "post", "/api/v1/awareness/training-offer/", body, headers=headers)
    assert response.status_code == 201, response.content
    offer_id = response.json()["id"]
    assert_error(
        send(client, "post", "/api/v1/awareness/training-offer/", body, headers=bearer(token_for(officer.user))), 400
    )
    officer_headers = bearer(token_for(officer.user))
    response = send(
        client,
        "post",
        f"/api/v1/awareness/training-offer/{offer_id}/enrol/",
        {"organisation": str(officer.organisation.public_id), "places": 4},
        headers=officer_headers,
    )
    assert response.status_code == 201, response.content
    error = assert_error(
        send(
            client,
            "post",
            f"/api/v1/awareness/training-offer/{offer_id}/enrol/",
            {"organisation": str(officer.organisation.public_id), "places": -4},
            headers=officer_headers,
        ),
        400,
    )
    assert "places" in error["fields"]
