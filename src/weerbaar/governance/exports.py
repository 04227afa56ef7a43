"""The annual-report paragraph as a file: HTML, PDF (the shared static-only renderer) and DOCX
(the shared python-docx renderer). Pages, API and the command all call these."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation

from weerbaar.governance.choices import ParagraphStatus
from weerbaar.governance.models import AnnualReportParagraph
from weerbaar.reports import docx as docx_report
from weerbaar.reports.pdf import render_pdf

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Section:
    heading: str
    lines: list[str]


def sections_of(text: str) -> list[Section]:
    """Blocks separated by a blank line; a block whose first line is short and has no full stop
    is a heading over the lines under it (as the draft writes them)."""
    result = []
    for block in [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]:
        lines = block.split("\n")
        if len(lines) > 1 and len(lines[0]) <= 80 and not lines[0].rstrip().endswith("."):
            result.append(Section(heading=lines[0].strip(), lines=[line for line in lines[1:] if line.strip()]))
        else:
            result.append(Section(heading="", lines=lines))
    return result


def _text(paragraph: AnnualReportParagraph, language: str) -> str:
    return paragraph.text_en if language == "en" and paragraph.text_en else paragraph.text_nl


def _context(paragraph: AnnualReportParagraph, language: str) -> dict:
    language = "en" if language == "en" and paragraph.text_en else "nl"
    return {
        "paragraph": paragraph,
        "organisation": paragraph.organisation,
        "language": language,
        "sections": sections_of(_text(paragraph, language)),
        "approved": paragraph.status == ParagraphStatus.APPROVED,
    }


def title_of(paragraph: AnnualReportParagraph, language: str) -> str:
    with translation.override(language):
        return translation.gettext("IBP paragraph of the annual report %(year)d: %(name)s") % {
            "year": paragraph.year,
            "name": paragraph.organisation.name,
        }


def status_line(paragraph: AnnualReportParagraph, language: str) -> str:
    with translation.override(language):
        if paragraph.status == ParagraphStatus.APPROVED:
            return translation.gettext("Version %(version)d, approved by the board on %(date)s.") % {
                "version": paragraph.version,
                "date": paragraph.approved_at.date().isoformat() if paragraph.approved_at else "",
            }
        return translation.gettext("Version %(version)d, %(status)s: not approved by the board.") % {
            "version": paragraph.version,
            "status": paragraph.get_status_display().lower(),
        }


def to_html(paragraph: AnnualReportParagraph, language: str = "nl") -> bytes:
    context = _context(paragraph, language)
    with translation.override(context["language"]):
        context.update(
            title=title_of(paragraph, context["language"]), status=status_line(paragraph, context["language"])
        )
        return render_to_string("governance/paragraph_document.html", {**context, "static_base": ""}).encode()


def to_pdf(paragraph: AnnualReportParagraph, language: str = "nl") -> bytes:
    context = _context(paragraph, language)
    with translation.override(context["language"]):
        context.update(
            title=title_of(paragraph, context["language"]),
            status=status_line(paragraph, context["language"]),
            for_pdf=True,
        )
        return render_pdf("governance/paragraph_document.html", context)


def to_docx(paragraph: AnnualReportParagraph, language: str = "nl") -> bytes:
    context = _context(paragraph, language)
    language = context["language"]
    blocks: list = [docx_report.Paragraph(status_line(paragraph, language), style="Intense Quote")]
    for section in context["sections"]:
        if section.heading:
            blocks.append(docx_report.Heading(section.heading, level=1))
        blocks.append(docx_report.Paragraph("\n".join(section.lines)))
    return docx_report.render_docx(
        title=title_of(paragraph, language), blocks=blocks, language=language, subject=paragraph.organisation.name
    )


RENDERERS = {"html": to_html, "pdf": to_pdf, "docx": to_docx}


def render(paragraph: AnnualReportParagraph, fmt: str, language: str = "nl") -> bytes:
    return RENDERERS[fmt](paragraph, language)


def filename(paragraph: AnnualReportParagraph, fmt: str) -> str:
    return f"ibp-paragraph-{paragraph.year}-v{paragraph.version}-{paragraph.organisation.public_id}.{fmt}"
