"""Shared pieces of the import, export and API tests: a small sector with every role around one
draft assessment, spreadsheet builders, and a snapshot of everything an import could change."""

import csv
import io
from dataclasses import dataclass

from openpyxl import Workbook

from tests.factories import OrganisationFactory, member, published_version
from weerbaar.assessments import services
from weerbaar.assessments.choices import AssessmentKind
from weerbaar.assessments.models import Assessment, NormScore
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.organisations.choices import OrganisationKind

HEADER = ["norm_code", "level", "not_applicable", "not_applicable_reason", "justification"]


@dataclass
class People:
    ibp: object
    board: object
    dpo: object
    supervisory: object
    auditor: object
    other_auditor: object
    outsider: object


def people_around(organisation) -> People:
    audit_firm = OrganisationFactory(
        name="Auditbureau Noord", kind=OrganisationKind.AUDIT_FIRM, sector=None, board_number=""
    )
    elsewhere = OrganisationFactory(name="Stichting Elders")
    return People(
        ibp=member(Role.IBP_OFFICER, organisation).user,
        board=member(Role.BOARD_MEMBER, organisation).user,
        dpo=member(Role.DPO, organisation).user,
        supervisory=member(Role.SUPERVISORY_BOARD, organisation).user,
        auditor=member(Role.AUDITOR, audit_firm).user,
        other_auditor=member(Role.AUDITOR, audit_firm).user,
        outsider=member(Role.IBP_OFFICER, elsewhere).user,
    )


def start(organisation, people: People, kind=AssessmentKind.SELF, version=None) -> Assessment:
    return services.start_assessment(
        actor=people.ibp,
        organisation=organisation,
        framework_version=version or published_version(),
        kind=kind,
    )


def answer_all(assessment, actor, level=3) -> None:
    for score in NormScore.objects.filter(assessment=assessment):
        services.save_score(actor=actor, score=score, level=level, justification="zo is het")


def answers(assessment) -> list[tuple]:
    """Every answer of the assessment, in norm order."""
    return list(
        NormScore.objects.filter(assessment=assessment)
        .order_by("norm__position")
        .values_list(
            "norm__code",
            "level",
            "not_applicable",
            "not_applicable_reason",
            "justification",
            "auditor_level",
            "auditor_note",
        )
    )


def snapshot(assessment) -> tuple:
    """The answers, the assessment's own row and the whole audit chain."""
    assessment = Assessment.objects.get(pk=assessment.pk)
    return (
        answers(assessment),
        (assessment.status, assessment.reviewer_id, assessment.submitted_at),
        list(AuditEntry.objects.order_by("seq").values_list("seq", "hash")),
    )


def csv_bytes(rows: list[list], *, header=HEADER, delimiter=",", bom=False) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = out.getvalue().encode("utf-8")
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows: list[list], *, header=HEADER, title="Zelfevaluatie", before=None) -> bytes:
    """A workbook whose sheet `title` holds the header and rows; `before` adds a first sheet."""
    book = Workbook()
    first = book.active
    if before is not None:
        first.title = before
        first.append(["Dit blad is geen zelfevaluatie"])
        sheet = book.create_sheet(title)
    else:
        sheet = first
        sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
