"""The file format of the processing register (CSV and XLSX, the same columns) and the sector
template of a school's usual processing activities. Pure: no database; the services match
processor codes to the catalogue.

Lists in a cell are separated by ";", transfers are written COUNTRY:mechanism. Which local DPIA
covers an activity is left out on purpose: it names a record of one organisation, and a register
must be importable into another.
"""

import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weerbaar.privacy.catalogue_format import (
    MAX_CELL,
    FileError,
    RowError,
    check_header,
    format_transfers,
    join_list,
    parse_transfers,
    read_csv,
    read_xlsx,
    records,
    safe_cell,
    split_list,
)
from weerbaar.privacy.choices import DpiaNeed, LegalBasis, SpecialCondition

COLUMNS = [
    "name",
    "purposes",
    "legal_basis",
    "special_condition",
    "data_subjects",
    "data_categories",
    "recipients",
    "processors",
    "transfers",
    "retention",
    "security_measures",
    "dpia_needed",
]
REQUIRED = ("name", "purposes", "legal_basis")


@dataclass
class ActivityRecord:
    row: int
    name: str
    purposes: str
    legal_basis: str
    special_condition: str = ""
    data_subjects: list[str] = field(default_factory=list)
    data_categories: list[str] = field(default_factory=list)
    recipients: str = ""
    processors: list[str] = field(default_factory=list)
    transfers: list[dict] = field(default_factory=list)
    retention: str = ""
    security_measures: str = ""
    dpia_needed: str = DpiaNeed.UNKNOWN


def parse(data: bytes, file_format: str) -> tuple[list[ActivityRecord], list[RowError]]:
    """Every activity of a register file and every error by row and column. FileError when the
    file as a whole cannot be read."""
    if file_format == "xlsx":
        header, rows = read_xlsx(data)
    elif file_format == "csv":
        header, rows = read_csv(data)
    else:
        raise FileError(_("Use a CSV or XLSX file."))
    check_header(header, COLUMNS, REQUIRED)
    activities: list[ActivityRecord] = []
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
        name = values.get("name", "")
        if len(name) > 200:
            error("name", _("longer than %(n)d characters") % {"n": 200})
        if name.lower() in seen:
            error("name", _("also on row %(row)d") % {"row": seen[name.lower()]})
        seen.setdefault(name.lower(), row)
        basis = values.get("legal_basis", "")
        if basis and basis not in LegalBasis.values:
            error("legal_basis", _("use one of %(allowed)s") % {"allowed": ", ".join(LegalBasis.values)})
        condition = values.get("special_condition", "")
        if condition and condition not in SpecialCondition.values:
            error("special_condition", _("use one of %(allowed)s") % {"allowed": ", ".join(SpecialCondition.values)})
        need = values.get("dpia_needed", "") or DpiaNeed.UNKNOWN
        if need not in DpiaNeed.values:
            error("dpia_needed", _("use one of %(allowed)s") % {"allowed": ", ".join(DpiaNeed.values)})
        transfers: list[dict] = []
        try:
            transfers = parse_transfers(values.get("transfers", ""))
        except ValueError as exc:
            error("transfers", str(exc))
        if len(values.get("retention", "")) > 300:
            error("retention", _("longer than %(n)d characters") % {"n": 300})
        if len(errors) == before:
            activities.append(
                ActivityRecord(
                    row=row,
                    name=name,
                    purposes=values["purposes"],
                    legal_basis=basis,
                    special_condition=condition,
                    data_subjects=split_list(values.get("data_subjects", "")),
                    data_categories=split_list(values.get("data_categories", "")),
                    recipients=values.get("recipients", ""),
                    processors=[code.lower() for code in split_list(values.get("processors", ""))],
                    transfers=transfers,
                    retention=values.get("retention", ""),
                    security_measures=values.get("security_measures", ""),
                    dpia_needed=need,
                )
            )
    return activities, errors


def activity_row(activity, processor_codes: list[str]) -> list[str]:
    values = {
        "name": activity.name,
        "purposes": activity.purposes,
        "legal_basis": activity.legal_basis,
        "special_condition": activity.special_condition,
        "data_subjects": join_list(activity.data_subjects),
        "data_categories": join_list(activity.data_categories),
        "recipients": activity.recipients,
        "processors": join_list(sorted(processor_codes)),
        "transfers": format_transfers(activity.transfers),
        "retention": activity.retention,
        "security_measures": activity.security_measures,
        "dpia_needed": activity.dpia_needed,
    }
    return [safe_cell(values[c]) for c in COLUMNS]


def write_xlsx(rows: list[list[str]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the sector template -------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateActivity:
    key: str
    name: object
    purposes: object
    legal_basis: str
    special_condition: str
    data_subjects: tuple
    data_categories: tuple
    retention: object
    dpia_needed: str


TEMPLATE: tuple[TemplateActivity, ...] = (
    TemplateActivity(
        "pupil_administration",
        gettext_lazy("Pupil administration"),
        gettext_lazy("Enrolling pupils, keeping their details, attendance and results, and reporting to DUO."),
        LegalBasis.LEGAL_OBLIGATION,
        "",
        (gettext_lazy("pupils"), gettext_lazy("parents and guardians")),
        (
            gettext_lazy("name and address"),
            gettext_lazy("date of birth"),
            gettext_lazy("citizen service number"),
            gettext_lazy("attendance"),
            gettext_lazy("results"),
        ),
        gettext_lazy("five years after the pupil leaves"),
        DpiaNeed.YES,
    ),
    TemplateActivity(
        "pupil_support",
        gettext_lazy("Pupil support and care"),
        gettext_lazy("Recording support needs and the care the school arranges with others."),
        LegalBasis.PUBLIC_TASK,
        SpecialCondition.SUBSTANTIAL_PUBLIC_INTEREST,
        (gettext_lazy("pupils"),),
        (gettext_lazy("support needs"), gettext_lazy("health data where needed for support")),
        gettext_lazy("two years after the pupil leaves"),
        DpiaNeed.YES,
    ),
    TemplateActivity(
        "learning_platform",
        gettext_lazy("Learning platform"),
        gettext_lazy("Offering lessons, assignments and feedback online."),
        LegalBasis.PUBLIC_TASK,
        "",
        (gettext_lazy("pupils"), gettext_lazy("teachers")),
        (gettext_lazy("name"), gettext_lazy("class"), gettext_lazy("work handed in"), gettext_lazy("progress")),
        gettext_lazy("until the end of the school year, work for the portfolio longer"),
        DpiaNeed.YES,
    ),
    TemplateActivity(
        "testing",
        gettext_lazy("Testing and pupil monitoring"),
        gettext_lazy("Taking tests and following pupils' progress over the years."),
        LegalBasis.PUBLIC_TASK,
        "",
        (gettext_lazy("pupils"),),
        (gettext_lazy("name"), gettext_lazy("test results"), gettext_lazy("school advice")),
        gettext_lazy("two years after the pupil leaves"),
        DpiaNeed.YES,
    ),
    TemplateActivity(
        "staff",
        gettext_lazy("Staff administration and payroll"),
        gettext_lazy("Employing staff, paying salaries and keeping personnel files."),
        LegalBasis.CONTRACT,
        SpecialCondition.EMPLOYMENT,
        (gettext_lazy("staff"), gettext_lazy("applicants")),
        (
            gettext_lazy("name and address"),
            gettext_lazy("bank account"),
            gettext_lazy("salary"),
            gettext_lazy("sick leave"),
        ),
        gettext_lazy("seven years after employment ends (tax rules)"),
        DpiaNeed.UNKNOWN,
    ),
    TemplateActivity(
        "camera",
        gettext_lazy("Camera surveillance"),
        gettext_lazy("Protecting people and property in and around the school building."),
        LegalBasis.LEGITIMATE_INTEREST,
        "",
        (gettext_lazy("pupils"), gettext_lazy("staff"), gettext_lazy("visitors")),
        (gettext_lazy("camera images"),),
        gettext_lazy("four weeks, longer only for an incident"),
        DpiaNeed.YES,
    ),
    TemplateActivity(
        "communication",
        gettext_lazy("Communication with parents"),
        gettext_lazy("Informing parents and guardians through the parent app, e-mail and newsletters."),
        LegalBasis.PUBLIC_TASK,
        "",
        (gettext_lazy("parents and guardians"), gettext_lazy("pupils")),
        (gettext_lazy("name"), gettext_lazy("contact details"), gettext_lazy("messages")),
        gettext_lazy("one year after the pupil leaves"),
        DpiaNeed.UNKNOWN,
    ),
    TemplateActivity(
        "photos",
        gettext_lazy("Photos and video of pupils"),
        gettext_lazy("Showing school life on the website and social media."),
        LegalBasis.CONSENT,
        "",
        (gettext_lazy("pupils"),),
        (gettext_lazy("photos"), gettext_lazy("video")),
        gettext_lazy("until consent is withdrawn"),
        DpiaNeed.NO,
    ),
    TemplateActivity(
        "accounts",
        gettext_lazy("User accounts and devices"),
        gettext_lazy("Giving pupils and staff accounts and devices and keeping them secure."),
        LegalBasis.PUBLIC_TASK,
        "",
        (gettext_lazy("pupils"), gettext_lazy("staff")),
        (gettext_lazy("name"), gettext_lazy("account name"), gettext_lazy("log data")),
        gettext_lazy("six months after the account ends"),
        DpiaNeed.UNKNOWN,
    ),
)
