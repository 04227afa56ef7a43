"""Governance pages: empty states, the paragraph's workflow from the pages, role-dependent
buttons, and a coordinator's sector settings."""

from django.urls import reverse

from tests.factories import OrganisationFactory, member, sector
from tests.governance.conftest import signed_in
from weerbaar.core.permissions import Role
from weerbaar.governance.models import AnnualReportParagraph, SectorParagraphSettings
from weerbaar.organisations.choices import OrganisationKind


def test_empty_states(client, db):
    board = OrganisationFactory(name="Leeg Bestuur", sector=sector("PO"))
    signed_in(client, member(Role.IBP_OFFICER, board).user)
    index = client.get(reverse("governance:index"))
    assert index.status_code == 200
    assert "Leeg Bestuur" in index.content.decode()
    page = client.get(reverse("governance:organisation", args=[board.public_id])).content.decode()
    assert "There is no paragraph yet." in page or "empty-state" in page
    assert "No budget has been recorded yet." in page or page.count("empty-state") >= 2
    supervision = client.get(reverse("governance:supervision", args=[board.public_id]))
    assert supervision.status_code == 200
    # Generating without any figures says so and writes nothing.
    response = client.post(reverse("governance:generate", args=[board.public_id]), {"year": 2025}, follow=True)
    assert response.status_code == 200
    assert not AnnualReportParagraph.objects.exists()
    assert "utrecht-alert--error" in response.content.decode()


def test_workflow_through_the_pages(client, world):
    signed_in(client, world.ibp)
    response = client.post(reverse("governance:generate", args=[world.organisation.public_id]), {"year": world.year})
    paragraph = AnnualReportParagraph.objects.get()
    assert response.url == reverse("governance:paragraph", args=[paragraph.public_id])
    detail = client.get(response.url).content.decode()
    assert "Submit to the board" in detail or "paragraph_submit" in detail or "/submit/" in detail
    assert "/approve/" not in detail
    edit = client.post(
        reverse("governance:paragraph_edit", args=[paragraph.public_id]), {"text_nl": "Eigen tekst.", "text_en": ""}
    )
    assert edit.status_code == 302
    empty = client.post(reverse("governance:paragraph_edit", args=[paragraph.public_id]), {"text_nl": "   "})
    assert empty.status_code == 400
    client.post(reverse("governance:paragraph_submit", args=[paragraph.public_id]))
    # The IBP officer cannot approve.
    assert client.post(reverse("governance:paragraph_approve", args=[paragraph.public_id])).status_code == 404
    signed_in(client, world.board)
    detail = client.get(reverse("governance:paragraph", args=[paragraph.public_id])).content.decode()
    assert "/approve/" in detail
    client.post(reverse("governance:paragraph_approve", args=[paragraph.public_id]))
    paragraph.refresh_from_db()
    assert paragraph.status == "approved"
    assert paragraph.text_nl == "Eigen tekst."
    signed_in(client, world.ibp)
    detail = client.get(reverse("governance:paragraph", args=[paragraph.public_id])).content.decode()
    assert "/new-version/" in detail
    assert "/edit/" not in detail
    response = client.post(reverse("governance:paragraph_new_version", args=[paragraph.public_id]))
    assert AnnualReportParagraph.objects.filter(version=2, status="draft").exists()


def test_supervisor_has_no_buttons(client, world):
    signed_in(client, world.ibp)
    client.post(reverse("governance:generate", args=[world.organisation.public_id]), {"year": world.year})
    paragraph = AnnualReportParagraph.objects.get()
    signed_in(client, world.supervisor)
    detail = client.get(reverse("governance:paragraph", args=[paragraph.public_id])).content.decode()
    main = detail.split('id="main"')[1]
    assert 'method="post"' not in main
    assert client.post(reverse("governance:paragraph_submit", args=[paragraph.public_id])).status_code == 404
    assert client.get(reverse("governance:budget_edit", args=[world.organisation.public_id])).status_code == 404


def test_coordinator_sets_the_sector_elements(client, db):
    coordination = OrganisationFactory(
        name="Coordinatie", kind=OrganisationKind.SECTOR_ORGANISATION, sector=None, board_number=""
    )
    coordination.served_sectors.set([sector("MBO")])
    signed_in(client, member(Role.SECTOR_COORDINATOR, coordination).user)
    listing = client.get(reverse("governance:sector_settings"))
    assert listing.status_code == 200
    url = reverse("governance:sector_settings_edit", args=["MBO"])
    bad = client.post(url, {"elements": ["budget"], "due_month": 2, "due_day": 30, "remind_days_before": 30})
    assert bad.status_code == 400
    assert not SectorParagraphSettings.objects.exists()
    good = client.post(
        url, {"elements": ["budget", "incidents"], "due_month": 6, "due_day": 1, "remind_days_before": 20}
    )
    assert good.status_code == 302
    stored = SectorParagraphSettings.objects.get(sector__code="MBO")
    assert stored.elements == ["incidents", "budget"]
    # A sector it does not serve is not found.
    assert client.get(reverse("governance:sector_settings_edit", args=["PO"])).status_code == 404
    api = client.put(
        "/api/v1/governance/sector-settings/MBO/",
        {"elements": ["maturity"], "due_month": 7, "due_day": 1},
        content_type="application/json",
    )
    assert api.status_code == 200
    assert api.json()["elements"] == ["maturity"]
