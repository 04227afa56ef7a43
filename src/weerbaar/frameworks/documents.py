"""Telling catalogue files apart: our YAML (catalogue or mappings), CSV, or OSCAL catalog JSON."""

from django.utils.translation import gettext as _

from weerbaar.frameworks import catalogue_format, oscal
from weerbaar.frameworks.catalogue_format import Catalogue, CatalogueError, MappingSet, Problem


def read_document(name: str, data: bytes, *, oscal_code: str | None = None) -> Catalogue | MappingSet:
    """Parse one uploaded or shipped file by its content (and, for CSV, its name).

    Raises CatalogueError; callers that handle several files add the file name.
    """
    lower = name.lower()
    # The file name decides when it says something; otherwise the content does.
    if lower.endswith((".yaml", ".yml")):
        return catalogue_format.read_yaml(data)
    if lower.endswith(".csv"):
        return catalogue_format.read_csv(data)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096]
    if lower.endswith(".json") or head.startswith(b"{"):
        return oscal.read_oscal(data, code=oscal_code)
    first_line = head.split(b"\n", 1)[0]
    if b"framework_code" in first_line:
        return catalogue_format.read_csv(data)
    if b"format:" in head or b":" in first_line:
        return catalogue_format.read_yaml(data)
    raise CatalogueError(
        [Problem("", _("Unrecognised file: expected YAML (.yaml), CSV (.csv) or OSCAL JSON (.json)."))]
    )
