"""Reading catalogue files from disk for the management commands: every file is parsed and
checked before anything is written, and every problem is reported with its file name."""

from pathlib import Path

from django.core.management.base import CommandError

from weerbaar.frameworks.catalogue_format import (
    MAX_FILE_BYTES,
    Catalogue,
    CatalogueError,
    MappingSet,
)
from weerbaar.frameworks.documents import read_document

CATALOGUE_SUFFIXES = (".yaml", ".yml", ".csv", ".json")


def read_files(paths: list[Path], *, oscal_code: str | None = None) -> list[Catalogue | MappingSet]:
    documents: list[Catalogue | MappingSet] = []
    problems: list[str] = []
    for path in paths:
        if not path.is_file():
            problems.append(f"{path}: no such file")
            continue
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(f"{path}: the file is too large ({path.stat().st_size} bytes; at most {MAX_FILE_BYTES})")
            continue
        try:
            documents.append(read_document(path.name, path.read_bytes(), oscal_code=oscal_code))
        except CatalogueError as exc:
            problems.extend(f"{path}: {problem}" for problem in exc.problems)
    if problems:
        raise CommandError("Nothing was imported. Problems found:\n" + "\n".join(problems))
    return documents
