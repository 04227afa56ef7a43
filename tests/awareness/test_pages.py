"""The awareness pages: an organisation's activities, an activity with participation, import,
evaluation and findings, the training offer and the sector figures; outsiders get 404."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.awareness.conftest import days_ago, exercise, phishing, training
from tests.factories import OrganisationFactory, member, sector
from weerbaar.assessments.models import ImprovementAction
from weerbaar.awareness import services
from weerbaar.awareness.models import Activity, Enrolment, GroupParticipation
from weerbaar.core.permissions import Role

pytestmark = pytest.mark.django_db


def test_officer_records_a_phishing_simulation_through_the_form(client_as, officer):
    client = client_as(officer)
    url = reverse("awareness:activity_new", args=[officer.organisation.public_id])
    assert "Phishing simulation" in client.get(url).content.decode()
    form = client.get(url + "?kind=phishing").content.decode()
    assert 'name="scenario"' not in form
    assert 'name="clicked"' in form
    response = client.post(
        url + "?kind=phishing",
        {
            "title": "Voorjaar",
            "held_on": days_ago(3).isoformat(),
            "sent": 50,
            "opened": 60,
            "clicked": 1,
            "reported": 2,
        },
    )
    assert response.status_code == 200
    assert "More e-mails opened than were sent." in response.content.decode()
    assert not Activity.objects.exists()
    response = client.post(
        url + "?kind=phishing",
        {
            "title": "Voorjaar",
            "held_on": days_ago(3).isoformat(),
            "sent": 50,
            "opened": 30,
            "clicked": 5,
            "reported": 9,
        },
    )
    activity = Activity.objects.get()
    assert response.headers["Location"] == reverse("awareness:activity", args=[activity.public_id])
    page = client.get(response.headers["Location"]).content.decode()
    assert "18%" in page  # 9 of 50 reported


def test_activity_list_paginates_and_filters(client_as, officer):
    for i in range(30):
        Activity.objects.create(organisation=officer.organisation, kind="campaign", title=f"C{i}", held_on=days_ago(i))
    phishing(officer)
    client = client_as(officer)
    url = reverse("awareness:organisation", args=[officer.organisation.public_id])
    page = client.get(url).content.decode()
    assert "31 activities" in page
    assert "Page 1 of 2" in page
    page = client.get(url, {"kind": "phishing"}).content.decode()
    assert "1 activity" in page
    assert "Phishing voorjaar" in page


def test_empty_states(client_as, officer):
    client = client_as(officer)
    page = client.get(reverse("awareness:organisation", args=[officer.organisation.public_id])).content.decode()
    assert "No awareness activities have been recorded yet." in page
    activity = training(officer)
    page = client.get(reverse("awareness:activity", args=[activity.public_id])).content.decode()
    assert "No participation has been recorded for this activity yet." in page
    assert "There are no courses on offer" in client.get(reverse("awareness:offer_list")).content.decode()


def test_csv_import_through_the_page_shows_every_problem(client_as, officer):
    activity = training(officer)
    client = client_as(officer)
    url = reverse("awareness:import", args=[activity.public_id])
    bad = SimpleUploadedFile("export.csv", b"group;people;invited;completed\nit;5;6;1\nboard;2;2;2\n")
    response = client.post(url, {"file": bad})
    assert response.status_code == 400
    assert "row 2, invited" in response.content.decode()
    assert not GroupParticipation.objects.exists()
    good = SimpleUploadedFile("export.csv", b"group;people;invited;completed\nit;5;5;1\nboard;2;2;2\n")
    assert client.post(url, {"file": good}).status_code == 302
    assert GroupParticipation.objects.count() == 2


def test_exercise_finding_through_the_page_lands_in_the_improvement_plan(client_as, officer):
    activity = exercise(officer)
    client = client_as(officer)
    response = client.post(
        reverse("awareness:finding_add", args=[activity.public_id]),
        {"text": "Back-ups niet getest", "action_title": "Back-ups maandelijks testen", "due_date": ""},
    )
    assert response.status_code == 302
    action = ImprovementAction.objects.get(organisation=officer.organisation)
    assert action.title == "Back-ups maandelijks testen"
    page = client.get(reverse("awareness:activity", args=[activity.public_id])).content.decode()
    assert "Back-ups maandelijks testen" in page


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.DPO])
def test_readers_see_but_get_no_forms(client_as, officer, role):
    activity = exercise(officer)
    reader = member(role, officer.organisation)
    client = client_as(reader)
    page = client.get(reverse("awareness:activity", args=[activity.public_id]))
    assert page.status_code == 200
    assert "Add the finding" not in page.content.decode()
    assert client.get(reverse("awareness:activity_edit", args=[activity.public_id])).status_code == 404
    response = client.post(reverse("awareness:finding_add", args=[activity.public_id]), {"text": "x"})
    assert response.status_code == 404
    assert not ImprovementAction.objects.exists()


@pytest.mark.parametrize("role", [Role.IBP_OFFICER, Role.BOARD_MEMBER, Role.SECTOR_COORDINATOR, Role.SUPERVISORY_BOARD])
def test_another_organisation_gets_404(client, officer, role):
    activity = phishing(officer)
    stranger = member(role, OrganisationFactory())
    client.force_login(stranger.user)
    for name in ("activity", "activity_edit"):
        assert client.get(reverse(f"awareness:{name}", args=[activity.public_id])).status_code == 404
    for name in ("activity_delete", "participation", "evaluation", "finding_add", "import"):
        assert client.post(reverse(f"awareness:{name}", args=[activity.public_id])).status_code == 404
    organisation_url = reverse("awareness:organisation", args=[officer.organisation.public_id])
    assert client.get(organisation_url).status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_offer_pages_for_coordinator_and_member(client, coordinator_member, officer):
    client.force_login(coordinator_member.user)
    today = timezone.localdate()
    response = client.post(
        reverse("awareness:offer_new"),
        {
            "title": "Wachtwoorden en MFA",
            "audience": "teaching_staff",
            "format": "webinar",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=30)).isoformat(),
            "sectors": ["PO"],
            "published": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    offer_url = response.headers["Location"]
    client.force_login(officer.user)
    assert "Wachtwoorden en MFA" in client.get(reverse("awareness:offer_list")).content.decode()
    assert client.get(reverse("awareness:offer_new")).status_code == 404
    response = client.post(offer_url, {"organisation": str(officer.organisation.public_id), "places": 20})
    assert response.status_code == 302
    assert Enrolment.objects.get().places == 20
    vo = member(Role.IBP_OFFICER, OrganisationFactory(sector=sector("VO")))
    client.force_login(vo.user)
    assert client.get(offer_url).status_code == 404
    # The coordinator sees how many places, not which organisations.
    client.force_login(coordinator_member.user)
    page = client.get(offer_url).content.decode()
    assert "20 places for 1 organisations" in page
    assert officer.organisation.name not in page


def test_sector_page_for_sector_roles_only(client, settings, officer):
    settings.BENCHMARK_MIN_GROUP = 1
    ministry = member(Role.MINISTRY_ANALYST, OrganisationFactory(kind="ministry", sector=None))
    services.create_activity(
        actor=officer.user,
        organisation=officer.organisation,
        kind="exercise",
        title="Oefening",
        held_on=days_ago(5),
        scenario="s",
        groups=["it"],
    )
    OrganisationFactory()
    client.force_login(ministry.user)
    page = client.get(reverse("awareness:sector"))
    assert page.status_code == 200
    assert "Organisations that held a crisis exercise" in page.content.decode()
    assert "50%" in page.content.decode()
    client.force_login(officer.user)
    assert client.get(reverse("awareness:sector")).status_code == 404
