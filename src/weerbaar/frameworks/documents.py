"""Telling catalogue files apart: our YAML (catalogue or mappings), CSV, or OSCAL catalog JSON."""

from django.utils.translation import gettext as _

from weerbaar.frameworks import catalogue_format, oscal
from weerbaar.frameworks.catalogue_format import Catalogue, CatalogueError, MappingSet, Problem


def read_document(
    name: str, data: bytes, *, oscal_code: str | None = None
) -> Catalogue | MappingSet:
    """Parse one uploaded or shipped file by its content (and, for CSV, its name).

    Raises CatalogueError; callers that handle several files add the file name.
    """
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:4096]
    lower = name.lower()
    if head.startswith(b"{") or lower.endswith(".json"):
        return oscal.read_oscal(data, code=oscal_code)
    first_line = head.split(b"\n", 1)[0]
    if lower.endswith(".csv") or b"framework_code" in first_line:
        return catalogue_format.read_csv(data)
    if lower.endswith((".yaml", ".yml")) or b"format:" in head or b":" in first_line:
        return catalogue_format.read_yaml(data)
    raise CatalogueError(
        [
            Problem(
                "", _("Unrecognised file: expected YAML (.yaml), CSV (.csv) or OSCAL JSON (.json).")
            )
        ]
    )
