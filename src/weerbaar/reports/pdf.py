"""PDF rendering with WeasyPrint that can read nothing but the platform's own static files.

A report's HTML may carry text typed by users; the renderer is therefore given a fetcher that
refuses the network and the file system, and answers only `weerbaar-static:` URLs from the
collected static files (stylesheets, fonts, logos)."""

import mimetypes
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

STATIC_SCHEME = "weerbaar-static:"


def static_file(url: str) -> tuple[bytes, str]:
    """The bytes and media type of one of our static files named by a `weerbaar-static:` URL;
    anything else raises ValueError."""
    if not url.startswith(STATIC_SCHEME):
        raise ValueError(f"refused to fetch {url!r}: reports use only the platform's own static files")
    relative = url[len(STATIC_SCHEME) :].split("?")[0].split("#")[0].lstrip("/")
    if not relative or ".." in Path(relative).parts or "\\" in relative:
        raise ValueError("refused a path outside the static files")
    found = finders.find(relative)
    if not found:
        raise ValueError(f"no static file {relative!r}")
    path = Path(found if isinstance(found, str) else found[0])
    return path.read_bytes(), mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            body, mime_type = static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": mime_type})

    return StaticOnlyFetcher(allowed_protocols=())


def html_document(html: str):
    """The laid-out document (pages and metadata) for HTML that links its styles with
    `{{ static_base }}...` URLs."""
    from weasyprint import HTML

    return HTML(string=html, base_url=STATIC_SCHEME, url_fetcher=_fetcher()).render()


def html_to_pdf(html: str) -> bytes:
    return html_document(html).write_pdf()


def render_pdf(template: str, context: dict) -> bytes:
    """Render a template (given `static_base` for its stylesheet links) and lay it out as PDF."""
    return html_to_pdf(render_to_string(template, {**context, "static_base": STATIC_SCHEME}))
