"""The committed OpenAPI document (docs/openapi.yaml) is the API as the code defines it.

When an endpoint, serializer or filter changes, this test fails until `make openapi` has written
the document again and the result is committed with the change. Documents are compared as data,
so key order and line wrapping do not matter.
"""

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import translation
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer
from drf_spectacular.validation import validate_schema

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
HINT = "run `make openapi` and commit docs/openapi.yaml"


def generate() -> dict:
    """The document exactly as `make openapi` writes it (English, public), read back as data."""
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence(), translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    return yaml.safe_load(OpenApiYamlRenderer().render(schema, renderer_context={}))


def differences(old, new, path: str = "") -> list[str]:
    """Where two documents differ, as readable paths (at most a few per branch)."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new), key=str):
            where = f"{path}/{key}"
            if key not in old:
                found.append(f"added      {where}")
            elif key not in new:
                found.append(f"removed    {where}")
            else:
                found += differences(old[key], new[key], where)
        return found
    if old != new:
        return [f"changed    {path or '/'}"]
    return []


@pytest.fixture(scope="module")
def generated() -> tuple[dict, list[str]]:
    """The document and the warnings drf-spectacular gave while generating it, made once for
    both tests (generating takes seconds)."""
    document = generate()
    return document, sorted(GENERATOR_STATS._warn_cache) + sorted(GENERATOR_STATS._error_cache)


def test_generating_the_schema_gives_no_warnings(generated):
    _document, warnings = generated
    assert not warnings, (
        "drf-spectacular warns about the API schema; add type hints or @extend_schema where it "
        "says:\n" + "\n".join(warnings)
    )


def test_committed_openapi_document_matches_the_code(generated):
    assert COMMITTED.exists(), f"docs/openapi.yaml is missing: {HINT}"
    committed = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))

    document, _warnings = generated

    if committed != document:
        listed = differences(committed, document)
        raise AssertionError(
            f"docs/openapi.yaml is out of date with the API code ({len(listed)} differences): "
            f"{HINT}.\n" + "\n".join(listed[:40])
        )
