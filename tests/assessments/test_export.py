"""Exports of an assessment: an XLSX workbook that imports back to the same answers and never
carries a formula, and a PDF report rendered without the network. Only people who may see the
assessment (and its assigned reviewer) get them."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from tests.assessments.io_helpers import answer_all, answers, people_around, start
from weerbaar.assessments import exports, services
from weerbaar.assessments.choices import AssessmentKind
from weerbaar.assessments.models import NormScore
from weerbaar.assessments.spreadsheet import read_scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(organisation):
    return people_around(organisation)


@pytest.fixture
def answered(organisation, people):
    """A draft with every kind of answer, including text that starts like a formula."""
    assessment = start(organisation, people)
    values = {
        "GO.01": {"level": 4, "justification": "=1+1 staat in het beleid"},
        "GO.02": {"level": 2, "justification": "- eerste punt\n- tweede punt"},
        "SM.01": {
            "level": None,
            "not_applicable": True,
            "not_applicable_reason": "@geen servers",
        },
        "SM.02": {"level": 1, "justification": ""},
        "SM.03": {"level": None, "justification": "+31 20 nog uitzoeken"},
    }
    for score in NormScore.objects.filter(assessment=assessment).select_related("norm"):
        services.save_score(actor=people.ibp, score=score, **values[score.norm.code])
    services.add_evidence_file(
        actor=people.ibp,
        score=assessment.scores.get(norm__code="GO.01"),
        upload=SimpleUploadedFile("beleid.pdf", b"%PDF-1.4 beleid", content_type="application/pdf"),
    )
    return assessment


def xlsx_url(assessment) -> str:
    return f"/assessments/{assessment.public_id}/export.xlsx"


def pdf_url(assessment) -> str:
    return f"/assessments/{assessment.public_id}/export.pdf"


def test_xlsx_export_imports_back_to_the_same_answers(client, organisation, people, answered):
    client.force_login(people.ibp)
    response = client.get(xlsx_url(answered))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = response.content

    copy = start(organisation, people, version=answered.framework_version)
    parsed = read_scores(
        "export.xlsx",
        workbook,
        norm_codes=copy.scores.values_list("norm__code", flat=True),
        max_bytes=10**7,
    )
    services.import_scores(actor=people.ibp, assessment=copy, rows=parsed.rows)

    assert answers(copy) == answers(answered)
    # The export's reading columns (domain, title, evidence...) are recognised, not reported.
    assert parsed.ignored_columns == []


def test_xlsx_export_never_holds_a_formula_and_shows_results(client, people, answered):
    client.force_login(people.ibp)
    book = load_workbook(io.BytesIO(client.get(xlsx_url(answered)).content))

    assert book.sheetnames[:2] == ["Zelfevaluatie", "Resultaten"]
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
    assert "'=1+1 staat in het beleid" in texts
    sheet = book["Zelfevaluatie"]
    header = [c.value for c in sheet[1]]
    go01 = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert go01["norm_code"] == "GO.01"
    assert go01["level"] == 4
    assert "beleid.pdf" in go01["evidence"]
    assert answered.scores.get(norm__code="GO.01").evidence.get().sha256 in go01["evidence"]
    # GO: (4 + 2) / 2 = 3.0; SM: only SM.02 counts (1); overall (3.0 + 1.0) / 2 = 2.0.
    results = {row[0].value: row[2].value for row in book["Resultaten"].iter_rows(min_row=2)}
    assert results["GO"] == 3.0
    assert results["SM"] == 1.0
    assert 2.0 in results.values()


def test_pdf_export_is_a_pdf_naming_the_organisation(client, organisation, people, answered):
    client.force_login(people.ibp)

    response = client.get(pdf_url(answered))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Cache-Control"] == "private, no-store"
    document = exports.pdf_document(exports.export_data(answered))
    assert len(document.pages) >= 1
    assert organisation.name in document.metadata.title
    first_page = " ".join(box.text for box in document.pages[0]._page_box.descendants() if getattr(box, "text", None))
    assert organisation.name in first_page
    assert "GO.01" in " ".join(
        box.text for page in document.pages for box in page._page_box.descendants() if getattr(box, "text", None)
    )


def test_the_assigned_reviewer_may_export(client, organisation, people):
    audit = start(organisation, people, kind=AssessmentKind.EXTERNAL_AUDIT)
    answer_all(audit, people.ibp)
    services.submit_assessment(actor=people.board, assessment=audit)
    services.assign_reviewer(actor=people.board, assessment=audit, reviewer=people.auditor)
    client.force_login(people.auditor)

    assert client.get(xlsx_url(audit)).status_code == 200
    assert client.get(pdf_url(audit)).status_code == 200

    client.force_login(people.other_auditor)
    assert client.get(xlsx_url(audit)).status_code == 404
    assert client.get(pdf_url(audit)).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "auditor", "supervisory"])
def test_people_who_may_not_see_the_assessment_get_404(client, people, answered, who):
    client.force_login(getattr(people, who))

    for url in (xlsx_url(answered), pdf_url(answered)):
        response = client.get(url)
        assert response.status_code == 404
        assert not response.content.startswith((b"PK", b"%PDF"))


@pytest.mark.parametrize("who", ["dpo", "board"])
def test_readers_of_the_organisation_may_export(client, people, answered, who):
    client.force_login(getattr(people, who))

    assert client.get(xlsx_url(answered)).content.startswith(b"PK")


def test_export_headers_are_language_independent(client, people, answered):
    client.force_login(people.ibp)
    with translation.override("en"):
        english = load_workbook(io.BytesIO(client.get(xlsx_url(answered)).content))
    header = [c.value for c in english["Zelfevaluatie"][1]]

    assert header[:5] == [
        "norm_code",
        "level",
        "not_applicable",
        "not_applicable_reason",
        "justification",
    ]
    assert re.fullmatch(r"zelfevaluatie-TEST-1-[0-9a-f-]{36}", exports.file_stem(answered))
