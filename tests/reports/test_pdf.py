"""The shared PDF renderer reads nothing but our own static files, whatever a report's HTML asks."""

import pytest

from weerbaar.reports import pdf

PDF_MAGIC = b"%PDF-"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/style.css",
        "http://127.0.0.1/x.css",
        "file:///etc/passwd",
        "weerbaar-static:../../config/settings.py",
        "weerbaar-static:",
        "weerbaar-static:monitor/does-not-exist.css",
    ],
)
def test_the_renderer_fetches_nothing_but_our_static_files(url):
    with pytest.raises(ValueError, match=r"refused|no static file"):
        pdf.static_file(url)


@pytest.mark.parametrize("name", ["assessments/export.css", "monitor/report.css"])
def test_report_stylesheets_are_served_from_our_static_files(name):
    body, content_type = pdf.static_file(f"weerbaar-static:{name}")
    assert content_type == "text/css"
    assert b"@page" in body


def test_a_hostile_image_link_still_gives_a_pdf_without_the_file():
    rendered = pdf.html_to_pdf(
        '<p>report</p><img src="file:///etc/hostname"><link rel="stylesheet" href="https://x.invalid/a.css">'
    )
    assert rendered.startswith(PDF_MAGIC)
