"""Draft, submit, approve and lock; changes only through a new version; a locked paragraph is
refused through every door (service, page, API) and nothing changes."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.governance.conftest import signed_in
from weerbaar.core.models import AuditEntry
from weerbaar.core.tenancy import NotPermitted
from weerbaar.governance import services
from weerbaar.governance.models import AnnualReportParagraph


def approved(world):
    paragraph = services.generate_paragraph(actor=world.ibp, organisation=world.organisation, year=world.year)
    services.edit_paragraph(actor=world.ibp, paragraph=paragraph, text_nl="Onze eigen tekst.", text_en="Our text.")
    services.submit_paragraph(actor=world.ibp, paragraph=paragraph)
    return services.approve_paragraph(actor=world.board, paragraph=paragraph)


def test_workflow_and_who_may_do_what(world):
    paragraph = services.generate_paragraph(actor=world.ibp, organisation=world.organisation, year=world.year)
    # Only a board member approves, only the IBP officer edits and submits.
    with pytest.raises(NotPermitted):
        services.edit_paragraph(actor=world.board, paragraph=paragraph, text_nl="x")
    with pytest.raises(NotPermitted):
        services.submit_paragraph(actor=world.dpo, paragraph=paragraph)
    services.submit_paragraph(actor=world.ibp, paragraph=paragraph)
    with pytest.raises(NotPermitted):
        services.approve_paragraph(actor=world.ibp, paragraph=paragraph)
    with pytest.raises(NotPermitted):
        services.approve_paragraph(actor=world.supervisor, paragraph=paragraph)
    # Submitted: no edits until it is back to draft.
    with pytest.raises(ValidationError):
        services.edit_paragraph(actor=world.ibp, paragraph=paragraph, text_nl="x")
    services.return_paragraph(actor=world.board, paragraph=paragraph, note="Graag korter.")
    paragraph.refresh_from_db()
    assert paragraph.status == "draft"
    assert paragraph.return_note == "Graag korter."
    services.edit_paragraph(actor=world.ibp, paragraph=paragraph, text_nl="Korter.")
    services.submit_paragraph(actor=world.ibp, paragraph=paragraph)
    services.approve_paragraph(actor=world.board, paragraph=paragraph)
    paragraph.refresh_from_db()
    assert paragraph.is_locked
    assert paragraph.approved_by == world.board
    actions = list(
        AuditEntry.objects.filter(object_id=str(paragraph.public_id)).order_by("seq").values_list("action", flat=True)
    )
    assert actions == [
        "paragraph.generate",
        "paragraph.submit",
        "paragraph.return",
        "paragraph.edit",
        "paragraph.submit",
        "paragraph.approve",
    ]


def test_locked_paragraph_refused_by_the_services(world):
    paragraph = approved(world)
    entries = AuditEntry.objects.count()
    for attempt in (
        lambda: services.edit_paragraph(actor=world.ibp, paragraph=paragraph, text_nl="Anders."),
        lambda: services.submit_paragraph(actor=world.ibp, paragraph=paragraph),
        lambda: services.approve_paragraph(actor=world.board, paragraph=paragraph),
        lambda: services.return_paragraph(actor=world.board, paragraph=paragraph),
        lambda: services.generate_paragraph(actor=world.ibp, organisation=world.organisation, year=world.year),
    ):
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert "locked" in str(exc.value)
    paragraph.refresh_from_db()
    assert paragraph.text_nl == "Onze eigen tekst."
    assert paragraph.status == "approved"
    assert AuditEntry.objects.count() == entries


def test_locked_paragraph_refused_by_the_page(client, world):
    paragraph = approved(world)
    signed_in(client, world.ibp)
    response = client.post(
        reverse("governance:paragraph_edit", args=[paragraph.public_id]), {"text_nl": "Via de pagina."}
    )
    assert response.status_code == 400
    assert "locked" in response.content.decode() or "vergrendeld" in response.content.decode()
    response = client.post(reverse("governance:paragraph_submit", args=[paragraph.public_id]), follow=True)
    paragraph.refresh_from_db()
    assert paragraph.text_nl == "Onze eigen tekst."
    assert paragraph.status == "approved"


def test_locked_paragraph_refused_by_the_api(client, world):
    paragraph = approved(world)
    signed_in(client, world.ibp)
    url = f"/api/v1/governance/paragraphs/{paragraph.public_id}/"
    response = client.patch(url, {"text_nl": "Via de API."}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["message"]
    paragraph.refresh_from_db()
    assert paragraph.text_nl == "Onze eigen tekst."
    body = client.get(url).json()
    assert body["locked"] is True
    assert body["status"] == "approved"


def test_a_change_after_approval_is_a_new_version(world):
    first = approved(world)
    second = services.start_new_version(actor=world.ibp, paragraph=first)
    assert (second.version, second.status, second.previous_id) == (2, "draft", first.pk)
    assert second.text_nl == first.text_nl
    services.edit_paragraph(actor=world.ibp, paragraph=second, text_nl="Versie twee.")
    first.refresh_from_db()
    assert first.text_nl == "Onze eigen tekst."
    assert first.is_locked
    # Only one open version at a time, and only from the newest approved one.
    with pytest.raises(ValidationError):
        services.start_new_version(actor=world.ibp, paragraph=first)
    with pytest.raises(ValidationError):
        services.start_new_version(actor=world.ibp, paragraph=second)
    services.submit_paragraph(actor=world.ibp, paragraph=second)
    services.approve_paragraph(actor=world.board, paragraph=second)
    assert list(
        AnnualReportParagraph.objects.filter(organisation=world.organisation)
        .order_by("version")
        .values_list("version", "status", "text_nl")
    ) == [(1, "approved", "Onze eigen tekst."), (2, "approved", "Versie twee.")]


def test_the_api_runs_the_whole_workflow(client, world):
    signed_in(client, world.ibp)
    response = client.post(
        "/api/v1/governance/paragraphs/",
        {"organisation": str(world.organisation.public_id), "year": world.year},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    paragraph_id = response.json()["id"]
    assert "2.92" in response.json()["text_en"]
    assert client.post(f"/api/v1/governance/paragraphs/{paragraph_id}/submit/").status_code == 200
    # The IBP officer cannot approve: no governance.approve, so not found.
    assert client.post(f"/api/v1/governance/paragraphs/{paragraph_id}/approve/").status_code == 404
    signed_in(client, world.board)
    response = client.post(f"/api/v1/governance/paragraphs/{paragraph_id}/approve/")
    assert response.status_code == 200
    assert response.json()["locked"] is True
    response = client.post(
        "/api/v1/governance/paragraphs/",
        {"organisation": str(world.organisation.public_id), "year": world.year, "extra": 1},
        content_type="application/json",
    )
    assert response.status_code == 400
