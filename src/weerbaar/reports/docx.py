"""DOCX rendering with python-docx: a document of headings, paragraphs and simple tables that
Word and LibreOffice open. Apps pass plain blocks; this module holds no domain data.

Text may have been typed by users, so characters that XML does not allow (control characters)
are dropped rather than making the whole document unreadable."""

import re
from dataclasses import dataclass, field
from io import BytesIO

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates and
# U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    return _NOT_XML.sub("", str(text))


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = ""  # "" for body text, or a built-in style name such as "Intense Quote"


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)


Block = Heading | Paragraph | Table


def render_docx(*, title: str, blocks: list[Block], language: str = "nl", subject: str = "", author: str = "") -> bytes:
    """The document as bytes. `language` is recorded so that spelling checkers and screen
    readers use the right one."""
    from docx import Document
    from docx.oxml.ns import qn

    document = Document()
    properties = document.core_properties
    properties.title = clean(title)[:255]
    properties.subject = clean(subject)[:255]
    properties.author = clean(author)[:255]
    properties.language = language
    # Default language of the body text (w:lang on the Normal style's run properties).
    normal = document.styles["Normal"].element.get_or_add_rPr()
    lang = normal.find(qn("w:lang"))
    if lang is None:
        lang = normal.makeelement(qn("w:lang"), {})
        normal.append(lang)
    lang.set(qn("w:val"), "nl-NL" if language == "nl" else "en-GB")
    document.add_heading(clean(title), level=0)
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(clean(block.text), level=max(1, min(block.level, 4)))
        elif isinstance(block, Paragraph):
            # One Word paragraph per line, so that line breaks typed by the author survive.
            for line in clean(block.text).split("\n"):
                document.add_paragraph(line, style=block.style or None)
        elif isinstance(block, Table):
            table = document.add_table(rows=1, cols=len(block.header))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, block.header, strict=True):
                cell.text = clean(text)
            for row in block.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    cell.text = clean(text)
        else:
            raise TypeError(f"unknown block {block!r}")
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()
