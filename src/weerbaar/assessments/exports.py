"""An assessment as a file to keep or share: an XLSX workbook that can be imported again, and a
printable PDF report.

The caller has already accessed the assessment through `selectors.access_assessment`; everything
here reads through the selectors too. Rendering the PDF never reaches the network: the only files
WeasyPrint may load are the platform's own static files.
"""

import io
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from weerbaar.assessments import selectors
from weerbaar.assessments.models import Assessment, NormScore
from weerbaar.assessments.scoring import AssessmentScore, DomainScore
from weerbaar.assessments.spreadsheet import FORMULA_START
from weerbaar.frameworks.models import active_text
from weerbaar.reports.pdf import STATIC_SCHEME, html_document

SHEET_ANSWERS = "Zelfevaluatie"
SHEET_RESULTS = "Resultaten"
SHEET_DETAILS = "Gegevens"
# The first five are the import columns (docs/assessment-import.md); the rest is for reading.
ANSWER_COLUMNS = [
    "norm_code",
    "level",
    "not_applicable",
    "not_applicable_reason",
    "justification",
    "domain",
    "norm_title",
    "auditor_level",
    "auditor_note",
    "evidence",
]
PDF_TEMPLATE = "assessments/assessment_export_pdf.html"


@dataclass(frozen=True)
class DomainResult:
    code: str
    title: str
    score: DomainScore


@dataclass(frozen=True)
class ExportData:
    """What both exports show, read once."""

    assessment: Assessment
    scores: list[NormScore]
    result: AssessmentScore
    domains: list[DomainResult]
    exported_at: object

    @property
    def unanswered(self) -> int:
        return self.result.total - self.result.answered

    def scores_by_domain(self) -> list[tuple[DomainResult, list[NormScore]]]:
        grouped: dict[str, list[NormScore]] = {d.code: [] for d in self.domains}
        for score in self.scores:
            grouped.setdefault(score.norm.domain.code, []).append(score)
        return [(domain, grouped.get(domain.code, [])) for domain in self.domains]


def export_data(assessment: Assessment) -> ExportData:
    scores = list(selectors.scores_of(assessment))
    result = selectors.score_of(assessment)
    titles = dict(assessment.framework_version.domains.values_list("code", "title_nl"))
    titles_en = dict(assessment.framework_version.domains.values_list("code", "title_en"))
    domains = [
        DomainResult(
            code=d.domain_code,
            title=active_text(titles.get(d.domain_code, ""), titles_en.get(d.domain_code, "")),
            score=d,
        )
        for d in result.domains
    ]
    return ExportData(
        assessment=assessment,
        scores=scores,
        result=result,
        domains=domains,
        exported_at=timezone.now(),
    )


def file_stem(assessment: Assessment) -> str:
    """A file name without spaces or characters a header could misread."""
    version = assessment.framework_version
    raw = f"zelfevaluatie-{version.framework.code}-{version.label}-{assessment.public_id}"
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in raw)


# --- XLSX ------------------------------------------------------------------------------------


def safe_cell(value):
    """A value as a spreadsheet cell that is never read as a formula: text that starts like
    one gets a leading quote (the importer takes it off again)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _evidence_text(score: NormScore) -> str:
    lines = []
    for item in score.evidence.all():
        if item.sha256:
            lines.append(f"{item.name} (sha256 {item.sha256})")
        else:
            lines.append(f"{item.name} ({item.url})" if item.url and item.url != item.name else item.name)
    return "\n".join(lines)


def _score_value(value: float | None):
    return None if value is None else round(value, 2)


def workbook(data: ExportData) -> bytes:
    """The answers (re-importable), the results per domain and the assessment's details."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, headers: list[str], rows: list[list], widths: dict[str, int] | None = None):
        ws = book.create_sheet(title=title)
        ws.append([safe_cell(h) for h in headers])
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([safe_cell(v) for v in row])
        ws.freeze_panes = "A2"
        for letter, width in (widths or {}).items():
            ws.column_dimensions[letter].width = width
        return ws

    book.remove(book.active)
    answers = sheet(
        SHEET_ANSWERS,
        ANSWER_COLUMNS,
        [
            [
                s.norm.code,
                s.level,
                "ja" if s.not_applicable else "",
                s.not_applicable_reason,
                s.justification,
                s.norm.domain.code,
                s.norm.title,
                s.auditor_level,
                s.auditor_note,
                _evidence_text(s),
            ]
            for s in data.scores
        ],
        widths={"A": 12, "B": 8, "C": 10, "D": 30, "E": 60, "G": 40, "I": 40, "J": 50},
    )
    for row in answers.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    result_rows = [
        [
            d.code,
            d.title,
            _score_value(d.score.score),
            d.score.target,
            _("yes") if d.score.meets_target else (_("no") if d.score.meets_target is False else ""),
            d.score.counted,
            d.score.not_applicable,
            d.score.unanswered,
            len(d.score.gaps),
        ]
        for d in data.domains
    ]
    result_rows.append(
        [
            _("overall"),
            _("Overall score (mean of the domain scores)"),
            _score_value(data.result.overall),
            None,
            None,
            None,
            None,
            data.unanswered,
            len(data.result.gaps),
        ]
    )
    sheet(
        SHEET_RESULTS,
        [
            _("Domain"),
            _("Title"),
            _("Score"),
            _("Target level"),
            _("Target met"),
            _("Norms counted"),
            _("Not applicable"),
            _("Not answered"),
            _("Norms below target"),
        ],
        result_rows,
        widths={"B": 40},
    )

    assessment = data.assessment
    version = assessment.framework_version
    sheet(
        SHEET_DETAILS,
        [_("Field"), _("Value")],
        [
            [_("Organisation"), assessment.organisation.name],
            [_("Assessment"), assessment.title],
            [_("Framework"), f"{version.framework.code} {version.label}"],
            [_("Kind"), str(assessment.get_kind_display())],
            [_("Status"), str(assessment.get_status_display())],
            [_("Submitted on"), _date(assessment.submitted_at)],
            [_("Final on"), _date(assessment.finalised_at)],
            [_("Reviewer"), str(assessment.reviewer) if assessment.reviewer_id else ""],
            [_("Exported on"), _date(data.exported_at)],
            [_("Public id"), str(assessment.public_id)],
        ],
        widths={"A": 20, "B": 60},
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _date(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# --- PDF -------------------------------------------------------------------------------------


def pdf_html(data: ExportData) -> str:
    return render_to_string(
        PDF_TEMPLATE,
        {
            "data": data,
            "assessment": data.assessment,
            "organisation": data.assessment.organisation,
            "version": data.assessment.framework_version,
            "result": data.result,
            "sections": data.scores_by_domain(),
            "static_base": STATIC_SCHEME,
        },
    )


def pdf_document(data: ExportData):
    """The laid-out report (a WeasyPrint document: pages and metadata)."""
    return html_document(pdf_html(data))


def pdf(data: ExportData) -> bytes:
    return pdf_document(data).write_pdf()
