"""The supervisory-board view: its own organisation only, read-only, counts and scores only; no
evidence files and no incident details, not on the page, not in the PDF, not through the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import OrganisationFactory, member, sector
from tests.governance.conftest import signed_in
from weerbaar.assessments import services as assessment_services
from weerbaar.assessments.models import NormScore
from weerbaar.core.permissions import Role
from weerbaar.organisations.choices import OrganisationKind


@pytest.fixture
def evidence(world):
    """Evidence on the final assessment's first norm (added while it was a draft, in a copy)."""
    draft = assessment_services.start_assessment(
        actor=world.ibp, organisation=world.organisation, framework_version=world.version, title="Concept 2"
    )
    score = NormScore.objects.filter(assessment=draft).order_by("norm__position").first()
    return assessment_services.add_evidence_file(
        actor=world.ibp,
        score=score,
        upload=SimpleUploadedFile("SECRET-EVIDENCE.txt", b"SECRET-EVIDENCE beleid", content_type="text/plain"),
    )


def test_supervisor_sees_the_summary_of_its_own_organisation(client, world):
    signed_in(client, world.supervisor)
    response = client.get(reverse("governance:supervision", args=[world.organisation.public_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "2.92" in body or "2,92" in body  # maturity
    assert "120" in body  # budget
    # Serious incidents by kind, counts only.
    assert "Malicious code" in body or "Malware" in body or "malware" in body
    for secret in ("SECRET-TITLE", "SECRET-DESCRIPTION", "Contact", "0301234567"):
        assert secret not in body
    # Read only: no forms that change anything.
    assert 'method="post"' not in body.split('id="main"')[1].split("</main>")[0]


def test_supervisor_cannot_reach_evidence_or_incident_details(client, world, evidence):
    signed_in(client, world.supervisor)
    body = client.get(reverse("governance:supervision", args=[world.organisation.public_id])).content.decode()
    assert "SECRET-EVIDENCE" not in body
    incident = world.incidents[0]
    assert client.get(reverse("incidents:detail", args=[incident.public_id])).status_code == 404
    assert client.get(f"/api/v1/incidents/{incident.public_id}/").status_code == 404
    assert client.get(reverse("assessments:assessment_detail", args=[world.latest.public_id])).status_code == 404
    api = client.get(f"/api/v1/governance/supervision/{world.organisation.public_id}/")
    assert api.status_code == 200
    assert api.json()["serious_incidents"] == 1
    assert "SECRET" not in api.content.decode()
    pdf = client.get(reverse("governance:supervision_pdf", args=[world.organisation.public_id]))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_evidence_download_is_refused_to_the_supervisor(client, world, evidence):
    signed_in(client, world.supervisor)
    url = reverse("assessments:evidence_download", args=[evidence.public_id])
    assert client.get(url).status_code == 404
    # The IBP officer of the organisation does reach it: the refusal is about the role.
    signed_in(client, world.ibp)
    assert client.get(url).status_code in (200, 302)


@pytest.mark.parametrize("role", [Role.SUPERVISORY_BOARD, Role.IBP_OFFICER, Role.BOARD_MEMBER])
def test_people_of_another_organisation_get_not_found(client, world, role):
    other = OrganisationFactory(name="Andere Stichting", sector=sector("PO"))
    signed_in(client, member(role, other, with_mfa=role != Role.SUPERVISORY_BOARD).user)
    for url in (
        reverse("governance:supervision", args=[world.organisation.public_id]),
        reverse("governance:supervision_pdf", args=[world.organisation.public_id]),
        f"/api/v1/governance/supervision/{world.organisation.public_id}/",
    ):
        assert client.get(url).status_code == 404


def test_sector_roles_get_no_supervisory_view(client, world):
    coordination = OrganisationFactory(
        name="Coordinatie", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    coordination.served_sectors.set([sector("PO")])
    signed_in(client, member(Role.SECTOR_COORDINATOR, coordination).user)
    assert client.get(reverse("governance:supervision", args=[world.organisation.public_id])).status_code == 404


def test_a_supervisor_of_a_board_does_not_see_its_schools(client, world):
    school = OrganisationFactory(
        name="School", kind=OrganisationKind.SCHOOL, parent=world.organisation, sector=sector("PO"), board_number=""
    )
    signed_in(client, world.supervisor)
    assert client.get(reverse("governance:supervision", args=[school.public_id])).status_code == 404
