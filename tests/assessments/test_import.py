"""Importing a self-assessment spreadsheet: every problem is found first, with its row and column,
and a file is taken whole or not at all."""

import io
import zipfile
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.assessments.io_helpers import (
    answer_all,
    answers,
    csv_bytes,
    people_around,
    snapshot,
    start,
    xlsx_bytes,
)
from weerbaar.assessments import services, spreadsheet
from weerbaar.assessments.spreadsheet import ImportRow, SpreadsheetError, read_scores
from weerbaar.core.models import AuditEntry

pytestmark = pytest.mark.django_db

CODES = ["GO.01", "GO.02", "SM.01", "SM.02", "SM.03"]
LIMIT = 1024 * 1024


@pytest.fixture
def people(organisation):
    return people_around(organisation)


@pytest.fixture
def draft(organisation, people):
    return start(organisation, people)


def problems(name: str, data: bytes, codes=CODES) -> list[tuple]:
    """(row, column, message) of every problem the parser finds, in English."""
    with translation.override("en"), pytest.raises(SpreadsheetError) as refused:
        read_scores(name, data, norm_codes=codes, max_bytes=LIMIT)
    return [(e.row, e.column, e.message) for e in refused.value.errors]


def page(assessment) -> str:
    return f"/assessments/{assessment.public_id}/import/"


def upload(client, assessment, name: str, data: bytes):
    return client.post(page(assessment), {"file": SimpleUploadedFile(name, data)})


# --- reading files -------------------------------------------------------------------------------


def test_csv_with_semicolons_bom_and_dutch_headers_is_read():
    data = csv_bytes(
        [
            ["GO.01", "3", "", "", "Beleid vastgesteld; jaarlijks herzien"],
            ["go.02", "", "n.v.t.", "Geen eigen servers", ""],
            ["SM.01", "", "", "", ""],
        ],
        header=["norm", "niveau", "niet_van_toepassing", "reden", "toelichting"],
        delimiter=";",
        bom=True,
    )

    parsed = read_scores("zelfevaluatie.csv", data, norm_codes=CODES, max_bytes=LIMIT)

    assert parsed.rows == [
        ImportRow(2, "GO.01", 3, False, "", "Beleid vastgesteld; jaarlijks herzien"),
        ImportRow(3, "GO.02", None, True, "Geen eigen servers", ""),
        ImportRow(4, "SM.01", None, False, "", ""),
    ]


def test_xlsx_sheet_named_zelfevaluatie_is_chosen_over_the_first_sheet():
    data = xlsx_bytes([["SM.02", 4, None, None, "Getest in maart"]], before="Voorblad")

    parsed = read_scores("export.xlsx", data, norm_codes=CODES, max_bytes=LIMIT)

    assert parsed.sheet == "Zelfevaluatie"
    assert parsed.rows == [ImportRow(2, "SM.02", 4, False, "", "Getest in maart")]


def test_title_lines_above_the_header_are_skipped_and_rows_keep_their_numbers():
    data = b"Zelfevaluatie Stichting Voorbeeld\r\n\r\n" + csv_bytes([["SM.03", "1", "", "", ""]])

    parsed = read_scores("f.csv", data, norm_codes=CODES, max_bytes=LIMIT)

    assert parsed.rows == [ImportRow(4, "SM.03", 1)]


def test_columns_the_import_does_not_know_are_reported_and_left_alone():
    data = csv_bytes(
        [["GO.01", "2", "Eigen opmerking", "ja"]],
        header=["norm_code", "level", "opmerking intern", "auditor_level"],
    )

    parsed = read_scores("f.csv", data, norm_codes=CODES, max_bytes=LIMIT)

    assert parsed.rows == [ImportRow(2, "GO.01", 2)]
    # The export's own reading columns are known; the school's own column is named.
    assert parsed.ignored_columns == ["opmerking intern"]


BROKEN_ROWS = [
    # (rows, expected (row, column starts with, words in the message))
    ([["XX.99", "3", "", "", ""]], (2, "A (norm_code)", "no norm XX.99")),
    ([["GO.01", "3", "", "", ""], ["GO.01", "2", "", "", ""]], (3, "A (norm_code)", "row 2")),
    ([["GO.01", "7", "", "", ""]], (2, "B (level)", "not 7")),
    ([["GO.01", "drie", "", "", ""]], (2, "B (level)", "not drie")),
    ([["GO.01", "2.5", "", "", ""]], (2, "B (level)", "not 2.5")),
    ([["GO.01", "", "misschien", "", ""]], (2, "C (not_applicable)", "misschien")),
    ([["GO.01", "", "ja", "", ""]], (2, "D (not_applicable_reason)", "does not apply")),
    ([["GO.01", "3", "ja", "Geen servers", ""]], (2, "B (level)", "not both")),
    ([["GO.01", "3", "", "", "x" * 10_001]], (2, "E (justification)", "too long")),
    ([["", "3", "", "", ""]], (2, "A (norm_code)", "missing")),
]


@pytest.mark.parametrize(("rows", "expected"), BROKEN_ROWS)
def test_each_broken_row_is_named_with_its_row_and_column(rows, expected):
    found = problems("f.csv", csv_bytes(rows))

    row, column, words = expected
    assert any(r == row and c == column and words in m for r, c, m in found), found


def test_every_problem_in_a_file_is_listed_not_only_the_first():
    data = xlsx_bytes(
        [
            ["GO.01", 9, None, None, None],
            ["GO.02", 3, None, None, None],
            ["ZZ.01", 2, None, None, None],
            ["SM.01", None, "ja", None, None],
        ]
    )

    found = problems("f.xlsx", data)

    assert [(r, c) for r, c, _m in found] == [
        (2, "B (level)"),
        (4, "A (norm_code)"),
        (5, "D (not_applicable_reason)"),
    ]


@pytest.mark.parametrize(
    ("header", "missing"),
    [(["norm_code", "justification"], "level"), (["norm", "niveau", "norm"], None)],
)
def test_a_header_without_a_required_column_or_with_one_twice_is_refused(header, missing):
    found = problems("f.csv", csv_bytes([["GO.01", "3", "GO.01"]], header=header))

    assert found
    assert all(row == 1 for row, _c, _m in found)
    if missing:
        assert any(missing in message for _r, _c, message in found)
    else:
        assert any(column == "C (norm)" for _r, column, _m in found)


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 3)
    rows = [[code, "3", "", "", ""] for code in CODES]

    found = problems("f.csv", csv_bytes(rows))

    assert found[-1][0] == 5
    assert "too many rows" in found[-1][2]


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _with_doctype(data: bytes) -> bytes:
    """The same workbook with an entity declaration in its first worksheet."""
    source = zipfile.ZipFile(io.BytesIO(data))
    members = {info.filename: source.read(info) for info in source.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    declaration = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>'
    members["xl/worksheets/sheet1.xml"] = declaration + sheet
    return _zip(members)


BROKEN_FILES = [
    ("empty.csv", b"", "empty"),
    ("nul.csv", b"norm_code,level\r\nGO.01,3\x00\r\n", "NUL"),
    ("latin1.csv", "norm_code,level,toelichting\r\nGO.01,3,café\r\n".encode("latin-1"), "UTF-8"),
    ("utf16.csv", "norm_code,level\r\nGO.01,3\r\n".encode("utf-16"), "UTF-16"),
    ("broken.csv", b'norm_code,level\r\n"GO.01,3\r\n', "CSV"),
    ("not-a-workbook.xlsx", b"norm_code,level\r\nGO.01,3\r\n", "not a real XLSX"),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, ".xls"),
    ("calc.ods", b"PK\x03\x04" + b"\x00" * 64, "OpenDocument"),
    ("zip.xlsx", _zip({"readme.txt": b"hello"}), "not a real XLSX"),
    (
        "damaged.xlsx",
        _zip({"[Content_Types].xml": b"<x", "xl/workbook.xml": b"not xml at all"}),
        "damaged",
    ),
    ("no-header.csv", b"a,b\r\n1,2\r\n", "header"),
    ("wide.csv", b"norm_code,level\r\nGO.01,3" + b"," * 100_000 + b"\r\n", "too many columns"),
    ("header-only.csv", b"norm_code,level\r\n", "no rows"),
]


@pytest.mark.parametrize(("name", "data", "words"), BROKEN_FILES)
def test_files_that_are_not_a_readable_spreadsheet_get_a_clear_error(name, data, words):
    found = problems(name, data)

    assert any(words in message for _r, _c, message in found), found


def test_a_file_above_the_upload_limit_is_refused_before_it_is_read():
    data = csv_bytes([["GO.01", "3", "", "", "x" * 200]])

    with translation.override("en"), pytest.raises(SpreadsheetError) as refused:
        read_scores("f.csv", data, norm_codes=CODES, max_bytes=100)

    assert "too large" in str(refused.value)


def test_a_zip_bomb_is_refused_before_the_workbook_is_opened():
    # About 51 MB of zeros packs into some 50 kB.
    bomb = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"0" * (51 * 1024 * 1024),
        }
    )
    assert len(bomb) < LIMIT

    found = problems("bomb.xlsx", bomb)

    assert any("more than 50 MB" in message for _r, _c, message in found)


def test_xml_entity_declarations_in_a_workbook_are_refused():
    data = _with_doctype(xlsx_bytes([["GO.01", 3, None, None, None]]))

    found = problems("entities.xlsx", data)

    assert any("XML declarations" in message for _r, _c, message in found)


def test_a_formula_counts_only_with_its_computed_value_never_as_text():
    # openpyxl stores formulas without a computed value, as a spreadsheet that was never opened.
    data = xlsx_bytes([["GO.01", 3, None, None, '=HYPERLINK("https://evil.example","klik")']])

    parsed = read_scores("f.xlsx", data, norm_codes=CODES, max_bytes=LIMIT)

    assert parsed.rows == [ImportRow(2, "GO.01", 3, False, "", "")]


def test_the_parser_and_the_service_allow_the_same_text_length():
    assert spreadsheet.MAX_TEXT == services.MAX_TEXT


# --- the service ---------------------------------------------------------------------------------


def test_import_applies_every_row_with_one_audit_entry(draft, people):
    rows = [
        ImportRow(2, "GO.01", 4, justification="Vastgesteld"),
        ImportRow(3, "SM.03", None, True, "Geen eigen servers"),
    ]

    counts = services.import_scores(actor=people.ibp, assessment=draft, rows=rows)

    assert counts == {"rows": 2, "changed": 2}
    got = {code: (level, na, reason, text) for code, level, na, reason, text, _a, _n in answers(draft)}
    assert got["GO.01"] == (4, False, "", "Vastgesteld")
    assert got["SM.03"] == (None, True, "Geen eigen servers", "")
    assert got["GO.02"] == (None, False, "", "")
    entry = AuditEntry.objects.get(action="assessment.scores_imported")
    assert entry.changes == {"rows": 2, "changed": 2, "norms": ["GO.01", "SM.03"]}
    assert entry.actor_ref == people.ibp.pk


def test_one_bad_row_stops_the_whole_import(draft, people):
    before = snapshot(draft)
    rows = [
        ImportRow(2, "GO.01", 4),
        ImportRow(3, "GO.02", 9),
        ImportRow(4, "SM.01", None, True, ""),
        ImportRow(5, "NO.01", 2),
    ]

    with pytest.raises(ValidationError) as refused:
        services.import_scores(actor=people.ibp, assessment=draft, rows=rows)

    where = [(e.params["row"], e.params["column"]) for e in refused.value.error_list]
    assert where == [(3, "level"), (4, "not_applicable_reason"), (5, "norm_code")]
    assert snapshot(draft) == before


@pytest.mark.parametrize("who", ["board", "dpo", "auditor", "outsider"])
def test_only_people_who_edit_the_assessment_may_import(draft, people, who):
    before = snapshot(draft)

    with pytest.raises(PermissionDenied):
        services.import_scores(actor=getattr(people, who), assessment=draft, rows=[ImportRow(2, "GO.01", 4)])

    assert snapshot(draft) == before


@pytest.mark.parametrize("state", ["submitted", "final"])
def test_import_into_a_submitted_or_final_assessment_is_refused(draft, people, state):
    answer_all(draft, people.ibp)
    services.submit_assessment(actor=people.board, assessment=draft)
    if state == "final":
        services.finalise_assessment(actor=people.board, assessment=draft)
    before = snapshot(draft)

    with pytest.raises(ValidationError):
        services.import_scores(actor=people.ibp, assessment=draft, rows=[ImportRow(2, "GO.01", 1)])

    assert snapshot(draft) == before


# --- the page ------------------------------------------------------------------------------------


def test_upload_page_imports_a_dutch_excel_csv(client, draft, people):
    client.force_login(people.ibp)
    data = csv_bytes(
        [["GO.01", "2", "", "", "Op papier"], ["SM.02", "", "x", "Niet van toepassing hier", ""]],
        header=["norm", "niveau", "niet_van_toepassing", "reden", "toelichting"],
        delimiter=";",
        bom=True,
    )

    response = upload(client, draft, "zelfevaluatie.csv", data)

    assert response.status_code == 302
    got = {code: (level, na) for code, level, na, *_rest in answers(draft)}
    assert got["GO.01"] == (2, False)
    assert got["SM.02"] == (None, True)
    follow = client.get(response["Location"])
    assert follow.status_code == 200
    assert AuditEntry.objects.filter(action="assessment.scores_imported").count() == 1


def test_upload_page_lists_problems_per_row_and_column_and_writes_nothing(client, draft, people):
    client.force_login(people.ibp)
    before = snapshot(draft)
    data = xlsx_bytes([["GO.01", 3, None, None, None], ["GO.02", 8, None, None, None]])

    response = upload(client, draft, "zelfevaluatie.xlsx", data)

    assert response.status_code == 400
    body = response.content.decode()
    assert "<caption" in body
    # The table names the row (3) and the column (B, headed "level").
    assert '<td class="utrecht-table__cell numeric">3</td>' in body
    assert "B (level)" in body
    assert snapshot(draft) == before


def test_upload_page_refuses_a_file_over_the_limit(client, draft, people, settings):
    settings.MAX_UPLOAD_BYTES = 200
    client.force_login(people.ibp)
    before = snapshot(draft)

    response = upload(client, draft, "groot.csv", csv_bytes([["GO.01", "3", "", "", "x" * 500]]))

    # The platform refuses the request before the page reads it.
    assert response.status_code == 413
    assert snapshot(draft) == before


def test_upload_page_refuses_a_final_assessment(client, draft, people):
    answer_all(draft, people.ibp)
    services.submit_assessment(actor=people.board, assessment=draft)
    services.finalise_assessment(actor=people.board, assessment=draft)
    client.force_login(people.ibp)
    assert 'type="file"' not in client.get(page(draft)).content.decode()
    before = snapshot(draft)

    response = upload(client, draft, "f.csv", csv_bytes([["GO.01", "1", "", "", ""]]))

    assert response.status_code == 400
    assert snapshot(draft) == before
    assert draft.scores.get(norm__code="GO.01").level == 3


@pytest.mark.parametrize("who", ["board", "dpo", "supervisory", "auditor", "outsider"])
def test_people_who_may_not_edit_do_not_find_the_upload_page(client, draft, people, who):
    client.force_login(getattr(people, who))
    before = snapshot(draft)

    assert client.get(page(draft)).status_code == 404
    response = upload(client, draft, "f.csv", csv_bytes([["GO.01", "1", "", "", ""]]))

    assert response.status_code == 404
    assert snapshot(draft) == before


# --- the command ---------------------------------------------------------------------------------


def test_command_imports_as_the_named_person(draft, people, tmp_path):
    path = tmp_path / "zelfevaluatie.xlsx"
    path.write_bytes(xlsx_bytes([["SM.01", 5, None, None, "Getoetst door de accountant"]]))
    out = StringIO()

    call_command("import_assessment", str(draft.public_id), str(path), "--as", people.ibp.email, stdout=out)

    assert draft.scores.get(norm__code="SM.01").level == 5
    assert "1 norms read from zelfevaluatie.xlsx, 1 answers changed" in out.getvalue()


def test_command_lists_the_problems_and_exits_non_zero(draft, people, tmp_path):
    path = tmp_path / "zelfevaluatie.csv"
    path.write_bytes(csv_bytes([["SM.01", "6", "", "", ""], ["QQ.1", "2", "", "", ""]]))
    before = snapshot(draft)

    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_assessment", str(draft.public_id), str(path), "--as", people.ibp.email)

    message = str(refused.value)
    assert "row 2, column B (level)" in message
    assert "row 3, column A (norm_code)" in message
    assert "QQ.1" in message
    assert snapshot(draft) == before


@pytest.mark.parametrize("who", ["dpo", "outsider"])
def test_command_refuses_someone_who_may_not_edit(draft, people, tmp_path, who):
    path = tmp_path / "zelfevaluatie.csv"
    path.write_bytes(csv_bytes([["SM.01", "4", "", "", ""]]))
    before = snapshot(draft)

    with pytest.raises(CommandError):
        call_command("import_assessment", str(draft.public_id), str(path), "--as", getattr(people, who).email)

    assert snapshot(draft) == before


def test_import_into_a_submitted_assessment_is_refused_by_the_command(draft, people, tmp_path):
    answer_all(draft, people.ibp)
    services.submit_assessment(actor=people.board, assessment=draft)
    path = tmp_path / "zelfevaluatie.csv"
    path.write_bytes(csv_bytes([["SM.01", "1", "", "", ""]]))
    before = snapshot(draft)

    with pytest.raises(CommandError):
        call_command("import_assessment", str(draft.public_id), str(path), "--as", people.ibp.email)

    assert snapshot(draft) == before
