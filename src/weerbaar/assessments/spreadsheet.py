"""Reading an institution's own self-assessment spreadsheet (XLSX or CSV) into answers per norm.

Many school boards keep their self-assessment in a spreadsheet today. This module turns such a
file into plain rows and lists every problem in it, each with its row and column, before anything
is written; `services.import_scores` then applies the rows in one transaction. The layout is
documented in docs/assessment-import.md.

Pure: no database. The caller passes the norm codes of the assessment. The file is treated as
hostile: its size, its number of rows, the unpacked size of an XLSX archive and the XML inside it
are all checked before the spreadsheet library reads it.
"""

import csv
import io
import zipfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# The same limit as services.MAX_TEXT (a test keeps them equal).
MAX_TEXT = 10_000
MAX_ROWS = 2000
# A spreadsheet with more rows than this (blank ones included) is refused without reading on.
MAX_PHYSICAL_ROWS = 20_000
MAX_COLUMNS = 64
# Separators per CSV line (quoted ones included, so generous).
MAX_CSV_SEPARATORS = 1000
MAX_ERRORS = 200
# An XLSX file is a zip archive of XML files: limits on what it unpacks to.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 1000
# Header rows may be preceded by a few title lines.
HEADER_SEARCH_ROWS = 10
PREFERRED_SHEETS = ("zelfevaluatie", "assessment")

# Canonical column → accepted header names (compared lower-case, spaces and dashes as "_").
COLUMNS = {
    "norm_code": ("norm_code", "norm", "normcode", "code"),
    "level": ("level", "niveau", "volwassenheidsniveau", "score"),
    "not_applicable": ("not_applicable", "niet_van_toepassing", "nvt", "n.v.t."),
    "not_applicable_reason": ("not_applicable_reason", "reden", "reden_nvt", "reason"),
    "justification": ("justification", "toelichting"),
}
REQUIRED_COLUMNS = ("norm_code", "level")
# Columns an export writes beside the answer: read back without complaint and left alone.
INFORMATIONAL_COLUMNS = frozenset(
    {
        "domain",
        "domein",
        "title",
        "titel",
        "norm_title",
        "auditor_level",
        "auditor_note",
        "niveau_auditor",
        "oordeel_auditor",
        "evidence",
        "bewijs",
    }
)

YES = frozenset({"ja", "j", "yes", "y", "x", "true", "waar", "1", "n.v.t.", "nvt", "n.v.t", "n/a", "na"})
NO = frozenset({"", "nee", "n", "no", "false", "onwaar", "0"})
# A level column saying "n.v.t." means the norm does not apply (a common spreadsheet habit).
LEVEL_NOT_APPLICABLE = frozenset({"n.v.t.", "nvt", "n.v.t", "n/a", "na"})

# Exports put a quote before text that a spreadsheet would otherwise read as a formula; on the
# way back in, that quote is taken off again.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class ImportRow:
    """One norm's answer as the file gives it; `row` is the row number the user sees."""

    row: int
    norm_code: str
    level: int | None
    not_applicable: bool = False
    not_applicable_reason: str = ""
    justification: str = ""


@dataclass(frozen=True)
class RowError:
    """One problem: where (row and column as the user sees them; None: the whole file) and what."""

    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("row %(row)d, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        if self.row is not None:
            return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}
        if self.column:
            return _("column %(column)s: %(message)s") % {
                "column": self.column,
                "message": self.message,
            }
        return self.message


class SpreadsheetError(ValueError):
    """The file cannot be imported; `errors` lists every problem found (at most MAX_ERRORS)."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors[:MAX_ERRORS]
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class ParsedSheet:
    rows: list[ImportRow]
    ignored_columns: list[str] = field(default_factory=list)
    sheet: str = ""


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _normalise_header(value) -> str:
    text = _cell_text(value).lower()
    return "_".join(text.replace("-", " ").split())


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def unprotect(text: str) -> str:
    """Take off the quote an export puts before text that starts like a formula."""
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


# --- reading the raw grid ----------------------------------------------------------------------


def _too_large(limit: int) -> SpreadsheetError:
    return SpreadsheetError(
        [
            RowError(
                None,
                "",
                _("The file is too large (at most %(mb)d MB).") % {"mb": max(1, limit // (1024 * 1024))},
            )
        ]
    )


def _file_error(message: str) -> SpreadsheetError:
    return SpreadsheetError([RowError(None, "", message)])


def _check_archive(data: bytes) -> None:
    """Refuse an XLSX file that is not a zip archive of a workbook, that would unpack to more
    than MAX_UNPACKED_BYTES (a zip bomb), or whose XML declares entities."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise _file_error(
            _("This is not a real XLSX file. Save the spreadsheet as Excel workbook (.xlsx) or CSV.")
        ) from exc
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ARCHIVE_MEMBERS:
            raise _file_error(_("This XLSX file has too many parts to be a spreadsheet."))
        names = {member.filename for member in members}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise _file_error(_("This is not a real XLSX file. Save the spreadsheet as Excel workbook (.xlsx) or CSV."))
        # The declared sizes bound what unpacking yields: zipfile stops at the declared size
        # and fails on the checksum if the data says otherwise.
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise _file_error(
                _("This XLSX file unpacks to more than %(mb)d MB; it cannot be a self-assessment.")
                % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)}
            )
        try:
            for member in members:
                if member.filename.endswith((".xml", ".rels")) and _declares_entities(archive, member):
                    raise _file_error(_("This XLSX file contains XML declarations that are not accepted."))
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise _file_error(_("This XLSX file is damaged and cannot be read.")) from exc


def _declares_entities(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    tail = b""
    with archive.open(member) as stream:
        while chunk := stream.read(1024 * 1024):
            window = (tail + chunk).upper()
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True
            tail = chunk[-16:]
    return False


def _xlsx_grid(data: bytes) -> tuple[str, Iterator[tuple]]:
    _check_archive(data)
    from openpyxl import load_workbook

    try:
        # data_only: a formula counts with the value Excel last computed for it, never as text.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # any failure of a hostile file gets the same answer
        raise _file_error(_("This XLSX file is damaged and cannot be read.")) from exc
    worksheets = [sheet for sheet in book.worksheets if hasattr(sheet, "iter_rows")]
    if not worksheets:
        raise _file_error(_("The workbook has no worksheet."))
    sheet = next((s for s in worksheets if s.title.strip().lower() in PREFERRED_SHEETS), worksheets[0])

    def rows() -> Iterator[tuple]:
        try:
            yield from sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        except Exception as exc:
            raise _file_error(_("This XLSX file is damaged and cannot be read.")) from exc
        finally:
            book.close()

    return sheet.title, rows()


def _csv_grid(data: bytes) -> Iterator[list[str]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_error(_("The file is UTF-16 text. Save it as CSV UTF-8 (in Excel: 'CSV UTF-8 (comma delimited)')."))
    if b"\x00" in data:
        raise _file_error(_("The file contains NUL bytes: it is not a CSV text file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SpreadsheetError(
            [
                RowError(
                    line,
                    "",
                    _("The file is not UTF-8 text. Save it as CSV UTF-8 (in Excel: 'CSV UTF-8 (comma delimited)')."),
                )
            ]
        ) from exc
    first_line = text.split("\n", 1)[0]
    # Dutch Excel separates with semicolons; a separator counts only outside quotes, roughly,
    # which the first line (the header) makes safe enough.
    counts = {sep: first_line.count(sep) for sep in (";", ",", "\t")}
    delimiter = max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","
    # A line of millions of separators would become millions of cells before any row is checked.
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count(delimiter) > MAX_CSV_SEPARATORS:
            raise SpreadsheetError([RowError(number, "", _("This line has far too many columns."))])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)

    def rows() -> Iterator[list[str]]:
        try:
            yield from reader
        except csv.Error as exc:
            raise SpreadsheetError(
                [
                    RowError(
                        reader.line_num,
                        "",
                        _("This is not valid CSV: %(detail)s") % {"detail": exc},
                    )
                ]
            ) from exc

    return rows()


def _kind(filename: str, data: bytes) -> str:
    lower = (filename or "").lower()
    if lower.endswith(".xlsx") or lower.endswith(".xlsm"):
        return "xlsx"
    if lower.endswith((".csv", ".txt")):
        return "csv"
    if lower.endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error(_("This is the old Excel format (.xls). Save the spreadsheet as .xlsx or CSV."))
    if lower.endswith(".ods"):
        raise _file_error(_("OpenDocument spreadsheets are not read. Save the spreadsheet as .xlsx or CSV."))
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if lower and "." in lower.rsplit("/", 1)[-1]:
        raise _file_error(_("Upload an Excel workbook (.xlsx) or a CSV file."))
    return "csv"


# --- from grid to rows -------------------------------------------------------------------------


def _find_header(grid: Iterator) -> tuple[int, list] | None:
    """(row number, cells) of the first row naming a norm-code column, within the first rows."""
    for number, cells in enumerate(grid, start=1):
        headers = {_normalise_header(c) for c in cells}
        if headers & set(COLUMNS["norm_code"]):
            return number, list(cells)
        if number >= HEADER_SEARCH_ROWS:
            return None
    return None


def _map_header(number: int, cells: list) -> tuple[dict[str, int], dict[str, str], list[str], list[RowError]]:
    """Column positions of the canonical columns, their display names, the ignored columns, and
    errors (unknown or duplicate required columns)."""
    aliases = {alias: canonical for canonical, names in COLUMNS.items() for alias in names}
    positions: dict[str, int] = {}
    labels: dict[str, str] = {}
    ignored: list[str] = []
    errors: list[RowError] = []
    for index, cell in enumerate(cells):
        raw = _cell_text(cell)
        if not raw:
            continue
        canonical = aliases.get(_normalise_header(cell))
        label = f"{column_letter(index)} ({raw})"
        if canonical is None:
            if _normalise_header(cell) not in INFORMATIONAL_COLUMNS:
                ignored.append(raw)
            continue
        if canonical in positions:
            errors.append(RowError(number, label, _("This column occurs twice.")))
            continue
        positions[canonical] = index
        labels[canonical] = label
    for canonical in REQUIRED_COLUMNS:
        if canonical not in positions:
            errors.append(
                RowError(
                    number,
                    "",
                    _("The column %(column)s is missing (in Dutch: %(dutch)s).")
                    % {"column": canonical, "dutch": COLUMNS[canonical][1]},
                )
            )
    return positions, labels, ignored, errors


def _level(value, label: str, number: int, errors: list[RowError]) -> tuple[int | None, bool]:
    """The level 1 to 5 (None when empty) and whether the cell said "not applicable"."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, False
    if isinstance(value, bool):
        errors.append(RowError(number, label, _("Enter a level from 1 to 5.")))
        return None, False
    if isinstance(value, int | float):
        if float(value).is_integer() and 1 <= value <= 5:
            return int(value), False
        errors.append(
            RowError(
                number,
                label,
                _("The level must be a whole number from 1 to 5, not %(value)s.") % {"value": _cell_text(value)},
            )
        )
        return None, False
    text = _cell_text(value)
    if text.lower() in LEVEL_NOT_APPLICABLE:
        return None, True
    if text in {"1", "2", "3", "4", "5"}:
        return int(text), False
    errors.append(
        RowError(
            number,
            label,
            _("The level must be a whole number from 1 to 5, not %(value)s.") % {"value": text[:40]},
        )
    )
    return None, False


def _flag(value, label: str, number: int, errors: list[RowError]) -> bool:
    if isinstance(value, bool):
        return value
    text = _cell_text(value).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    errors.append(
        RowError(
            number,
            label,
            _("Write ja (or x, yes, n.v.t.) when the norm does not apply and leave it empty otherwise; not %(value)s.")
            % {"value": _cell_text(value)[:40]},
        )
    )
    return False


def _text(value, label: str, number: int, errors: list[RowError]) -> str:
    text = unprotect(_cell_text(value))
    if len(text) > MAX_TEXT:
        errors.append(
            RowError(
                number,
                label,
                _("This text is too long (at most %(limit)d characters).") % {"limit": MAX_TEXT},
            )
        )
        return ""
    return text


def _rows(grid: Iterator, norm_codes: Collection[str]) -> ParsedSheet:
    found = _find_header(grid)
    if found is None:
        raise _file_error(
            _("No header row with a norm_code (or norm) column was found in the first %(n)d rows.")
            % {"n": HEADER_SEARCH_ROWS}
        )
    header_number, header = found
    positions, labels, ignored, errors = _map_header(header_number, header)
    if errors:
        raise SpreadsheetError(errors)
    canonical_codes = {code.strip().upper(): code for code in norm_codes}
    seen: dict[str, int] = {}
    rows: list[ImportRow] = []

    def cell(cells, name):
        index = positions.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    number = header_number
    for cells in grid:
        number += 1
        if number - header_number > MAX_PHYSICAL_ROWS:
            errors.append(
                RowError(
                    number,
                    "",
                    _("The file has too many rows (at most %(limit)d norms).") % {"limit": MAX_ROWS},
                )
            )
            break
        if all(_cell_text(c) == "" for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            errors.append(
                RowError(
                    number,
                    "",
                    _("The file has too many rows (at most %(limit)d norms).") % {"limit": MAX_ROWS},
                )
            )
            break
        row_errors: list[RowError] = []
        raw_code = unprotect(_cell_text(cell(cells, "norm_code")))
        code = canonical_codes.get(raw_code.upper())
        if not raw_code:
            row_errors.append(RowError(number, labels["norm_code"], _("The norm code is missing.")))
        elif code is None:
            row_errors.append(
                RowError(
                    number,
                    labels["norm_code"],
                    _("There is no norm %(code)s in this framework version.") % {"code": raw_code[:64]},
                )
            )
        elif code in seen:
            row_errors.append(
                RowError(
                    number,
                    labels["norm_code"],
                    _("Norm %(code)s is already given in row %(row)d.") % {"code": code, "row": seen[code]},
                )
            )
        level, level_says_na = _level(cell(cells, "level"), labels["level"], number, row_errors)
        not_applicable = level_says_na
        if "not_applicable" in positions:
            not_applicable = (
                _flag(cell(cells, "not_applicable"), labels["not_applicable"], number, row_errors) or level_says_na
            )
        reason = (
            _text(
                cell(cells, "not_applicable_reason"),
                labels["not_applicable_reason"],
                number,
                row_errors,
            )
            if "not_applicable_reason" in positions
            else ""
        )
        justification = (
            _text(cell(cells, "justification"), labels["justification"], number, row_errors)
            if "justification" in positions
            else ""
        )
        if not_applicable and level is not None:
            row_errors.append(
                RowError(
                    number,
                    labels["level"],
                    _("Give either a level or mark the norm as not applicable, not both."),
                )
            )
        if not_applicable and not reason:
            row_errors.append(
                RowError(
                    number,
                    labels.get("not_applicable_reason", "not_applicable_reason"),
                    _("Explain why this norm does not apply."),
                )
            )
        if code is not None and code not in seen:
            seen[code] = number
        if row_errors:
            errors.extend(row_errors)
            if len(errors) >= MAX_ERRORS:
                break
            continue
        rows.append(
            ImportRow(
                row=number,
                norm_code=code,
                level=level,
                not_applicable=not_applicable,
                not_applicable_reason=reason if not_applicable else "",
                justification=justification,
            )
        )
    if errors:
        raise SpreadsheetError(errors)
    if not rows:
        raise _file_error(_("The file holds no rows with a norm code."))
    return ParsedSheet(rows=rows, ignored_columns=ignored)


def read_scores(filename: str, data: bytes, *, norm_codes: Iterable[str], max_bytes: int) -> ParsedSheet:
    """The answers in an XLSX or CSV file, checked against the assessment's norm codes.

    Raises SpreadsheetError listing every problem (row, column, message) when anything is wrong;
    a file is taken whole or not at all.
    """
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not data.strip():
        raise _file_error(_("The file is empty."))
    kind = _kind(filename, data)
    codes = list(norm_codes)
    if kind == "xlsx":
        sheet_name, grid = _xlsx_grid(data)
        parsed = _rows(grid, codes)
        parsed.sheet = sheet_name
        return parsed
    return _rows(_csv_grid(data), codes)
