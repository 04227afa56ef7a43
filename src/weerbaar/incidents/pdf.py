"""PDF of a pre-filled document. The HTML carries its own styles, so the shared renderer's
static-only fetcher is all it may use: a value typed into a report cannot make it read anything."""

from weerbaar.reports.pdf import html_to_pdf as render_pdf

__all__ = ["render_pdf"]
