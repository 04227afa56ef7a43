"""The CSV format of the product catalogue, and the pieces the register format shares: reading
a file safely, lists inside a cell, and cells that a spreadsheet never runs as a formula.
Pure: no database. The services check what needs the database (unknown vendors are created,
codes are matched).

A cell with a list separates items with ";". Pairs are written "key:value":

    data_locations   storage:NL; support:US; telemetry:IE
    transfers        US:dpf; IN:scc
    sub_processors   Amazon Web Services:IE; Zendesk:US
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from weerbaar.privacy.choices import CovenantStatus, DpaAnnex, LocationPurpose, TransferMechanism
from weerbaar.privacy.prescan import is_country_code

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_CELL = 5_000
# A spreadsheet file is a zip; refuse one that unpacks to far more than it weighs (a zip bomb).
MAX_UNPACKED = 50 * 1024 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    "code",
    "vendor",
    "vendor_country",
    "name",
    "edition",
    "version",
    "description",
    "covenant_status",
    "covenant_since",
    "dpa_version",
    "dpa_annexes",
    "data_locations",
    "transfers",
    "sub_processors",
    "trackers",
    "ad_recipients",
]
REQUIRED = ("code", "vendor", "name")


class FileError(Exception):
    """The file as a whole cannot be read (not CSV, too large, no header)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("row %(row)d, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column or "-",
            "message": self.message,
        }


@dataclass
class ProductRecord:
    row: int
    code: str
    vendor: str
    vendor_country: str
    name: str
    edition: str = ""
    version: str = ""
    description: str = ""
    covenant_status: str = CovenantStatus.NONE
    covenant_since: date | None = None
    dpa_version: str = ""
    dpa_annexes: list[str] = field(default_factory=list)
    data_locations: list[dict] = field(default_factory=list)
    transfers: list[dict] = field(default_factory=list)
    sub_processors: list[dict] = field(default_factory=list)
    trackers: list[str] = field(default_factory=list)
    ad_recipients: list[str] = field(default_factory=list)


# --- cells ---------------------------------------------------------------------------------------


def safe_cell(value):
    """A value written so that a spreadsheet never reads it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unguard(value: str) -> str:
    """Undo safe_cell on the way in, so that export and import give the same text."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(";") if item.strip()]


def join_list(items: Iterable[str]) -> str:
    return "; ".join(items)


def split_pairs(value: str) -> list[tuple[str, str]]:
    """'a:b; c:d' → [('a', 'b'), ('c', 'd')]; the value is after the last colon, so a name may
    hold a colon. Raises ValueError for an item without one."""
    pairs = []
    for item in split_list(value):
        key, sep, rest = item.rpartition(":")
        if not sep or not key.strip() or not rest.strip():
            raise ValueError(item)
        pairs.append((key.strip(), rest.strip()))
    return pairs


def parse_date(value: str) -> date:
    return date.fromisoformat(value)


def parse_transfers(value: str) -> list[dict]:
    """'US:scc; IN:other' → [{'country': 'US', 'mechanism': 'scc'}, …]; ValueError with the
    reason otherwise."""
    transfers = []
    try:
        pairs = split_pairs(value)
    except ValueError as exc:
        raise ValueError(_("write each transfer as COUNTRY:mechanism, not %(item)s") % {"item": exc}) from exc
    for country, mechanism in pairs:
        country = country.upper()
        if not is_country_code(country):
            raise ValueError(_("%(value)s is not a two-letter country code") % {"value": country})
        if mechanism not in TransferMechanism.values:
            raise ValueError(
                _("unknown mechanism %(value)s (use %(allowed)s)")
                % {"value": mechanism, "allowed": ", ".join(TransferMechanism.values)}
            )
        transfers.append({"country": country, "mechanism": mechanism})
    return transfers


def format_transfers(transfers: list[dict]) -> str:
    return join_list(f"{t['country']}:{t['mechanism']}" for t in transfers)


# --- reading files -------------------------------------------------------------------------------


def read_csv(data: bytes) -> tuple[list[str], Iterator[list[str]]]:
    """Header and rows of a UTF-8 CSV file (comma or semicolon), or FileError."""
    if len(data) > MAX_BYTES:
        raise FileError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    if b"\x00" in data:
        raise FileError(_("This is not a text (CSV) file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(_("The file is not UTF-8 text.")) from exc
    if not text.strip():
        raise FileError(_("The file is empty."))
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        raise FileError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from exc
    return header, reader


def read_xlsx(data: bytes) -> tuple[list[str], Iterator[list[str]]]:
    """Header and rows (as text) of the first sheet of an XLSX workbook, or FileError."""
    if len(data) > MAX_BYTES:
        raise FileError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // (1024 * 1024)})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise FileError(_("This is not an XLSX workbook.")) from exc
    if unpacked > MAX_UNPACKED:
        raise FileError(_("The workbook unpacks to more than %(mb)d MB.") % {"mb": MAX_UNPACKED // (1024 * 1024)})
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileError(_("The workbook cannot be read: %(error)s") % {"error": type(exc).__name__}) from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        header = [str(h or "").strip().lower() for h in next(rows)]
    except StopIteration as exc:
        raise FileError(_("The workbook is empty.")) from exc

    def text_rows():
        for row in rows:
            yield ["" if v is None else (v.isoformat() if isinstance(v, date) else str(v)) for v in row]

    return header, text_rows()


def check_header(header: list[str], columns: list[str], required: Iterable[str]) -> None:
    unknown = [h for h in header if h and h not in columns]
    if unknown:
        raise FileError(
            _("Unknown columns: %(unknown)s. Known columns: %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(columns)}
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise FileError(_("Missing columns: %(missing)s.") % {"missing": ", ".join(missing)})
    if len({h for h in header if h}) != len([h for h in header if h]):
        raise FileError(_("A column appears twice."))


def records(header: list[str], rows: Iterator[list[str]]) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number in the file, {column: cleaned text}) for each non-empty row; FileError when
    the file is too long or malformed."""
    try:
        for index, row in enumerate(rows, start=2):
            if index - 1 > MAX_ROWS:
                raise FileError(_("The file has more than %(rows)d rows.") % {"rows": MAX_ROWS})
            if not any(str(cell).strip() for cell in row):
                continue
            if len(row) > len(header) and any(str(c).strip() for c in row[len(header) :]):
                raise FileError(_("Row %(row)d has more cells than the header.") % {"row": index})
            values = {}
            for column, cell in zip(header, row, strict=False):
                if column:
                    values[column] = unguard(str(cell).strip())
            yield index, values
    except csv.Error as exc:
        raise FileError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from exc


# --- the catalogue -------------------------------------------------------------------------------


def parse_products(data: bytes) -> tuple[list[ProductRecord], list[RowError]]:
    """Every product of a catalogue CSV, and every error by row and column. FileError when the
    file as a whole is unreadable."""
    header, rows = read_csv(data)
    check_header(header, COLUMNS, REQUIRED)
    products: list[ProductRecord] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for row, values in records(header, rows):
        before = len(errors)

        def error(column: str, message: str, row=row) -> None:
            errors.append(RowError(row, column, message))

        for column, value in values.items():
            if len(value) > MAX_CELL:
                error(column, _("longer than %(n)d characters") % {"n": MAX_CELL})
        for column in REQUIRED:
            if not values.get(column):
                error(column, _("required"))
        code = values.get("code", "").lower()
        if code and not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
            error("code", _("use only letters, digits, - and _"))
        if code in seen:
            error("code", _("also on row %(row)d") % {"row": seen[code]})
        seen.setdefault(code, row)
        record = ProductRecord(
            row=row,
            code=code,
            vendor=values.get("vendor", "")[:200],
            vendor_country=values.get("vendor_country", "").upper(),
            name=values.get("name", "")[:200],
            edition=values.get("edition", ""),
            version=values.get("version", ""),
            description=values.get("description", ""),
            dpa_version=values.get("dpa_version", ""),
        )
        for column, limit in (("name", 200), ("vendor", 200), ("edition", 100), ("version", 50), ("dpa_version", 20)):
            if len(values.get(column, "")) > limit:
                error(column, _("longer than %(n)d characters") % {"n": limit})
        if record.vendor_country and not is_country_code(record.vendor_country):
            error("vendor_country", _("give a two-letter country code"))
        status = values.get("covenant_status", "") or CovenantStatus.NONE
        if status not in CovenantStatus.values:
            error("covenant_status", _("use one of %(allowed)s") % {"allowed": ", ".join(CovenantStatus.values)})
        record.covenant_status = status
        if values.get("covenant_since"):
            try:
                record.covenant_since = parse_date(values["covenant_since"])
            except ValueError:
                error("covenant_since", _("give a date as YYYY-MM-DD"))
        annexes = split_list(values.get("dpa_annexes", ""))
        wrong = [a for a in annexes if a not in DpaAnnex.values]
        if wrong:
            error("dpa_annexes", _("unknown annex %(value)s") % {"value": ", ".join(wrong)})
        record.dpa_annexes = annexes
        try:
            for purpose, country in split_pairs(values.get("data_locations", "")):
                country = country.upper()
                if purpose not in LocationPurpose.values:
                    raise ValueError(_("unknown purpose %(value)s") % {"value": purpose})
                if not is_country_code(country):
                    raise ValueError(_("%(value)s is not a two-letter country code") % {"value": country})
                record.data_locations.append({"purpose": purpose, "country": country})
        except ValueError as exc:
            error("data_locations", str(exc))
        try:
            record.transfers = parse_transfers(values.get("transfers", ""))
        except ValueError as exc:
            error("transfers", str(exc))
        try:
            for name, country in split_pairs(values.get("sub_processors", "")):
                if not is_country_code(country.upper()):
                    raise ValueError(_("%(value)s is not a two-letter country code") % {"value": country})
                record.sub_processors.append({"name": name, "country": country.upper()})
        except ValueError as exc:
            error("sub_processors", str(exc))
        record.trackers = split_list(values.get("trackers", ""))
        record.ad_recipients = split_list(values.get("ad_recipients", ""))
        if len(errors) == before:
            products.append(record)
    return products, errors


def product_row(product) -> list[str]:
    """One product (anything with the catalogue's attributes) as a row under COLUMNS."""
    values = {
        "code": product.code,
        "vendor": product.vendor.name,
        "vendor_country": product.vendor.country,
        "name": product.name,
        "edition": product.edition,
        "version": product.version,
        "description": product.description,
        "covenant_status": product.covenant_status,
        "covenant_since": product.covenant_since.isoformat() if product.covenant_since else "",
        "dpa_version": product.dpa_version,
        "dpa_annexes": join_list(product.dpa_annexes),
        "data_locations": join_list(f"{x['purpose']}:{x['country']}" for x in product.data_locations),
        "transfers": format_transfers(product.transfers),
        "sub_processors": join_list(f"{x['name']}:{x['country']}" for x in product.sub_processors),
        "trackers": join_list(product.trackers),
        "ad_recipients": join_list(product.ad_recipients),
    }
    return [safe_cell(values[c]) for c in COLUMNS]


def write_csv(header: list[str], rows: Iterable[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
