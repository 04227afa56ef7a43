"""Reading a learning platform's CSV export of participation into one row per group of people.

The export has a header and one line per group: the group, how many people it has, how many were
invited and how many took part (completed the module). Header names and group names are accepted
in English and in Dutch; the separator may be a comma or a semicolon (Dutch spreadsheets write
semicolons). Every problem is listed with its row and column before anything is written; the
service then applies all rows in one transaction or none.

Pure: no database. The file is treated as hostile: its size, encoding, number of lines and
fields, and the length of every field are checked before the rows are read.
"""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import override

from weerbaar.awareness.choices import PeopleGroup

MAX_BYTES = 256 * 1024
MAX_ROWS = 200
MAX_FIELD = 200
MAX_COLUMNS = 20
MAX_PEOPLE = 1_000_000

# Canonical column → accepted header names (compared lower-case, spaces and dashes as "_").
COLUMNS = {
    "group": ("group", "groep", "doelgroep", "department", "afdeling"),
    "people": ("people", "group_size", "size", "mensen", "aantal", "groepsgrootte", "aantal_medewerkers"),
    "invited": ("invited", "uitgenodigd", "enrolled", "ingeschreven"),
    "participated": ("participated", "completed", "deelgenomen", "voltooid", "afgerond"),
}


@dataclass(frozen=True)
class ParticipationRow:
    row: int
    group: str
    people: int
    invited: int
    participated: int


@dataclass(frozen=True)
class Problem:
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)d") % {"row": self.row} if self.row else _("file")
        return f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class ImportRefusedError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def _norm(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _group_names() -> dict[str, str]:
    """Every accepted spelling of a group: its code, its English label and its label in the
    active language (Dutch on a Dutch page)."""
    names: dict[str, str] = {}
    for language in ("en", "nl"):
        with override(language):
            for code, label in PeopleGroup.choices:
                names[_norm(code)] = code
                names[_norm(str(label))] = code
    # Common spellings in Dutch learning platforms.
    names.update(
        {
            "bestuur": PeopleGroup.BOARD,
            "raad_van_toezicht": PeopleGroup.SUPERVISORY_BOARD,
            "rvt": PeopleGroup.SUPERVISORY_BOARD,
            "ibp": PeopleGroup.IBP,
            "ict": PeopleGroup.IT,
            "communicatie": PeopleGroup.COMMUNICATION,
            "onderwijzend_personeel": PeopleGroup.TEACHING_STAFF,
            "docenten": PeopleGroup.TEACHING_STAFF,
            "leraren": PeopleGroup.TEACHING_STAFF,
            "ondersteunend_personeel": PeopleGroup.SUPPORT_STAFF,
            "oop": PeopleGroup.SUPPORT_STAFF,
            "leerlingen": PeopleGroup.STUDENTS,
            "studenten": PeopleGroup.STUDENTS,
        }
    )
    return names


def _decode(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise ImportRefusedError(
            [Problem(None, "", _("The file is too large (at most %(kb)d KB).") % {"kb": MAX_BYTES // 1024})]
        )
    if b"\x00" in content:
        raise ImportRefusedError([Problem(None, "", _("This is not a CSV text file."))])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefusedError([Problem(None, "", _("The file is not UTF-8 text. Save it as CSV UTF-8."))]) from None
    if not text.strip():
        raise ImportRefusedError([Problem(None, "", _("The file is empty."))])
    return text


def _count(value: str, row: int, column: str, problems: list[Problem]) -> int | None:
    value = value.strip()
    if not value.isdigit():
        problems.append(Problem(row, column, _("Enter a whole number of 0 or more.")))
        return None
    number = int(value)
    if number > MAX_PEOPLE:
        problems.append(Problem(row, column, _("This number is too large.")))
        return None
    return number


def parse(content: bytes) -> list[ParticipationRow]:
    """The rows of the export, or ImportRefusedError listing every problem (row 1 is the header)."""
    text = _decode(content)
    lines = text.splitlines()
    if len(lines) > MAX_ROWS + 1:
        raise ImportRefusedError([Problem(None, "", _("Too many lines (at most %(max)d groups).") % {"max": MAX_ROWS})])
    first = lines[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records = []
        for record in reader:
            if len(record) > MAX_COLUMNS or any(len(field) > MAX_FIELD for field in record):
                raise ImportRefusedError(
                    [Problem(reader.line_num, "", _("This line has too many or too long fields."))]
                )
            records.append(record)
    except csv.Error as exc:
        problem = Problem(reader.line_num, "", _("The CSV cannot be read: %(error)s") % {"error": exc})
        raise ImportRefusedError([problem]) from None
    header = [_norm(name) for name in records[0]]
    positions: dict[str, int] = {}
    for canonical, accepted in COLUMNS.items():
        for index, name in enumerate(header):
            if name in accepted:
                positions[canonical] = index
                break
    missing = [name for name in COLUMNS if name not in positions]
    if missing:
        raise ImportRefusedError([Problem(1, name, _("This column is missing from the header.")) for name in missing])
    groups = _group_names()
    problems: list[Problem] = []
    rows: list[ParticipationRow] = []
    seen: dict[str, int] = {}
    for number, record in enumerate(records[1:], start=2):
        if not any(field.strip() for field in record):
            continue
        if len(record) < len(header):
            record = record + [""] * (len(header) - len(record))
        group = groups.get(_norm(record[positions["group"]]))
        if group is None:
            problems.append(Problem(number, "group", _("Unknown group.")))
        elif group in seen:
            problems.append(Problem(number, "group", _("This group is already on row %(row)d.") % {"row": seen[group]}))
        else:
            seen[group] = number
        people = _count(record[positions["people"]], number, "people", problems)
        invited = _count(record[positions["invited"]], number, "invited", problems)
        participated = _count(record[positions["participated"]], number, "participated", problems)
        if people is not None and invited is not None and invited > people:
            problems.append(Problem(number, "invited", _("More people invited than the group has.")))
        if invited is not None and participated is not None and participated > invited:
            problems.append(Problem(number, "participated", _("More people took part than were invited.")))
        if people == 0:
            problems.append(Problem(number, "people", _("A group has at least one person.")))
        if group is not None and None not in (people, invited, participated):
            rows.append(ParticipationRow(number, group, people, invited, participated))
    if not rows and not problems:
        problems.append(Problem(None, "", _("The file has no rows under the header.")))
    if problems:
        raise ImportRefusedError(problems)
    return rows
