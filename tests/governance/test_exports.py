"""The paragraph as HTML, PDF and DOCX, from the pages, the API and `manage.py annual_report`."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document

from tests.governance.conftest import signed_in
from weerbaar.governance import services
from weerbaar.governance.models import AnnualReportParagraph
from weerbaar.reports.docx import Heading, Paragraph, Table, clean, render_docx


def read_docx(content: bytes) -> str:
    assert zipfile.is_zipfile(io.BytesIO(content))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        assert "word/document.xml" in archive.namelist()
    document = Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


def test_docx_renderer_opens_and_drops_control_characters():
    content = render_docx(
        title="Titel",
        blocks=[Heading("Kop"), Paragraph("Regel een\nRegel\x00 twee\x1b"), Table(["a", "b"], [["1", "2"]])],
        language="nl",
    )
    text = read_docx(content)
    assert "Regel twee" in text
    assert Document(io.BytesIO(content)).tables[0].rows[1].cells[1].text == "2"
    assert clean("a\x07b") == "ab"


def test_page_exports_in_three_formats(client, world):
    paragraph = services.generate_paragraph(actor=world.ibp, organisation=world.organisation, year=world.year)
    signed_in(client, world.supervisor)
    html = client.get(reverse("governance:paragraph_export", args=[paragraph.public_id, "html"]))
    assert html.status_code == 200
    assert "2,92" in html.content.decode()
    assert '<html lang="nl">' in html.content.decode()
    pdf = client.get(reverse("governance:paragraph_export", args=[paragraph.public_id, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    docx = client.get(reverse("governance:paragraph_export", args=[paragraph.public_id, "docx"]) + "?language=en")
    text = read_docx(docx.content)
    assert "2.92" in text
    assert "not approved by the board" in text
    assert client.get(reverse("governance:paragraph_export", args=[paragraph.public_id, "exe"])).status_code == 404


def test_api_export(client, world):
    paragraph = services.generate_paragraph(actor=world.ibp, organisation=world.organisation, year=world.year)
    signed_in(client, world.ibp)
    response = client.get(f"/api/v1/governance/paragraphs/{paragraph.public_id}/export/?file_format=docx")
    assert response.status_code == 200
    assert "2,92" in read_docx(response.content)
    assert client.get(f"/api/v1/governance/paragraphs/{paragraph.public_id}/export/?file_format=odt").status_code == 400


@pytest.mark.parametrize("key", ["board_number", "brin", "public_id"])
def test_command_writes_a_docx_that_reads_back(world, tmp_path, key):
    output = tmp_path / "paragraaf.docx"
    call_command(
        "annual_report",
        str(getattr(world.organisation, key)),
        str(world.year),
        "--format",
        "docx",
        "--output",
        str(output),
    )
    text = read_docx(output.read_bytes())
    assert "2,92" in text
    assert "Stichting Handgebouwd" in text
    # Without a stored paragraph the command writes a draft, and stores nothing.
    assert not AnnualReportParagraph.objects.exists()


def test_command_writes_the_approved_version(world, tmp_path):
    paragraph = services.generate_paragraph(actor=world.ibp, organisation=world.organisation, year=world.year)
    services.edit_paragraph(actor=world.ibp, paragraph=paragraph, text_nl="Goedgekeurde tekst.")
    services.submit_paragraph(actor=world.ibp, paragraph=paragraph)
    services.approve_paragraph(actor=world.board, paragraph=paragraph)
    for fmt in ("html", "pdf", "docx"):
        output = tmp_path / f"p.{fmt}"
        call_command("annual_report", "41AB", str(world.year), "--format", fmt, "--output", str(output))
        assert output.stat().st_size > 0
    assert "Goedgekeurde tekst." in (tmp_path / "p.html").read_text()
    assert "goedgekeurd" in read_docx((tmp_path / "p.docx").read_bytes()).lower()


def test_command_refuses_unknown_organisations_and_empty_years(world, tmp_path):
    output = tmp_path / "x.docx"
    with pytest.raises(CommandError, match="No organisation"):
        call_command("annual_report", "99999", str(world.year), "--output", str(output))
    with pytest.raises(CommandError, match="no figures"):
        call_command("annual_report", "41234", "2010", "--output", str(output))
    assert not output.exists()
