"""OSCAL 1.1 catalog JSON: import any valid catalog, export ours (pure, no database).

Every document is first checked against NIST's published OSCAL JSON schema (shipped in
`schemas/`, see the README there), then turned into the same `Catalogue` the YAML and CSV
readers produce and checked by the same rules.

How a catalog becomes a catalogue:
- each group that holds controls becomes a domain (nested groups are flattened; their titles
  are joined with `GROUP_TITLE_SEPARATOR`); controls directly under the catalog go to one
  extra domain;
- each control becomes a norm, and so does each of its enhancements (controls inside a control),
  right after it, with its own id as code; withdrawn controls are left out;
- the title and the "statement" part become the norm's title and statement, with sub-items
  written out by their labels and `{{ insert: param, id }}` replaced by the parameter's values,
  choices or label; the "guidance" part becomes "why it matters".

What we export carries everything a catalogue holds, so that export → import gives the same
catalogue: our own fields are props and parts in the Weerbaar namespace `NS` (codes, maturity
levels, example measures, references, English translations), and multi-line framework texts are
back-matter resources. The main texts are Dutch; English ones are translation parts beside them.
"""

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft7Validator, validators
from jsonschema.exceptions import ValidationError, best_match

from weerbaar.frameworks.catalogue_format import (
    FORMAT_CATALOGUE,
    MAX_PROBLEMS,
    VERSION_LABEL,
    Catalogue,
    CatalogueError,
    Problem,
    Reader,
    check_size,
    decode_utf8,
    format_path,
)
from weerbaar.frameworks.catalogue_format import (
    Path as DataPath,
)
from weerbaar.frameworks.choices import LEVELS

NS = "https://weerbaar.nl/ns/oscal"
OSCAL_VERSION = "1.1.2"
SCHEMA_FILE = Path(__file__).resolve().parent / "schemas" / "oscal_complete_schema.json"
# Stable catalog and resource uuids: the same catalogue always exports to the same document.
_UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, NS)
_INSERT = re.compile(r"\{\{\s*insert:\s*([\w-]+)\s*,\s*([^\s}]+)\s*\}\}")
_TOKEN_BAD = re.compile(r"[^\w.-]")
GROUP_TITLE_SEPARATOR = " \u203a "  # a single right-pointing angle quotation mark


# --- schema validation -----------------------------------------------------------------------


@cache
def _compiled(pattern: str) -> re.Pattern:
    # The schema writes Unicode classes as \p{L} and \p{N}, which Python's re lacks; these
    # classes accept the same letters and digits.
    return re.compile(pattern.replace(r"\p{L}", r"[^\W\d_]").replace(r"\p{N}", r"[^\W_]"))


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not _compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _validator() -> Draft7Validator:
    complete = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    # The published file accepts any OSCAL model; a catalogue import accepts only a catalog.
    schema = {key: value for key, value in complete.items() if key not in ("oneOf", "$id")}
    schema.update(
        {
            "type": "object",
            "properties": {
                "$schema": {"$ref": "#/definitions/json-schema-directive"},
                "catalog": {"$ref": "#/definitions/oscal-complete-oscal-catalog:catalog"},
            },
            "required": ["catalog"],
            "additionalProperties": False,
        }
    )
    return validators.extend(Draft7Validator, {"pattern": _pattern})(schema)


def _json_path(path) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "(document)"


def schema_problems(document: Any) -> list[Problem]:
    """Where `document` breaks the OSCAL catalog schema (empty when it is valid)."""
    problems = []
    for error in islice(_validator().iter_errors(document), MAX_PROBLEMS):
        # For a choice (anyOf/oneOf) the deepest failing alternative says best what is wrong.
        while error.context:
            deepest = max(len(e.absolute_path) for e in error.context)
            error = best_match(e for e in error.context if len(e.absolute_path) == deepest)
        detail = error.message if len(error.message) < 300 else error.message[:300] + "…"
        problems.append(
            Problem(
                _json_path(error.absolute_path),
                _("Does not match the OSCAL catalog schema: %(detail)s") % {"detail": detail},
            )
        )
    return problems


# --- reading ---------------------------------------------------------------------------------


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(_("The key “%(key)s” occurs twice in the same object.") % {"key": key})
        result[key] = value
    return result


def load_json(data: bytes) -> Any:
    check_size(data)
    text = decode_utf8(data)
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise CatalogueError(
            [
                Problem(
                    _("line %(line)d, column %(column)d") % {"line": exc.lineno, "column": exc.colno},
                    _("Not valid JSON: %(detail)s") % {"detail": exc.msg},
                )
            ]
        ) from exc
    except RecursionError as exc:
        raise CatalogueError([Problem("", _("The file is nested too deeply."))]) from exc
    except ValueError as exc:
        raise CatalogueError([Problem("", str(exc))]) from exc


def _ours(item: dict, name: str, cls: str | None = None) -> list[str]:
    return [
        p["value"] for p in item.get("props", []) if p.get("ns") == NS and p["name"] == name and p.get("class") == cls
    ]


def _first(values: list[str], default: str = "") -> str:
    return values[0] if values else default


class _ProseRenderer:
    """Writes OSCAL markup out as plain text with the parameters filled in."""

    def __init__(self, params: dict[str, dict]):
        self.params = params

    def line(self, text: str, depth: int = 0) -> str:
        return _INSERT.sub(lambda match: self._insert(match, depth), text or "").strip()

    def _insert(self, match: re.Match, depth: int) -> str:
        kind, ident = match.group(1), match.group(2)
        param = self.params.get(ident) if kind == "param" else None
        if param is None or depth > 3:
            return f"[{ident}]"
        if param.get("values"):
            return ", ".join(self.line(v, depth + 1) for v in param["values"])
        select = param.get("select")
        if select:
            choices = "; ".join(self.line(c, depth + 1) for c in select.get("choice", []))
            if select.get("how-many") == "one-or-more":
                return _("[Selection (one or more): %(choices)s]") % {"choices": choices}
            return _("[Selection: %(choices)s]") % {"choices": choices}
        return _("[Assignment: %(label)s]") % {"label": self.line(param.get("label") or ident, depth + 1)}

    def part(self, part: dict, depth: int = 0) -> list[str]:
        """The lines of a part and its sub-parts, sub-items indented by their labels."""
        lines = []
        label = next(
            (p["value"] for p in part.get("props", []) if p["name"] == "label" and not p.get("ns")),
            "",
        )
        prose = self.line(part.get("prose", ""))
        if label or prose:
            lines.append(("  " * depth + f"{label} {prose}").rstrip() if label else "  " * depth + prose)
        for child in part.get("parts", []):
            if child.get("ns") == NS:
                continue  # our translation parts
            lines.extend(self.part(child, depth + (1 if (label or prose) else 0)))
        return [line for line in lines if line.strip()]


def _collect_params(node: Any, found: dict[str, dict]) -> None:
    if isinstance(node, dict):
        for param in node.get("params", []) if isinstance(node.get("params"), list) else []:
            if isinstance(param, dict) and "id" in param:
                found[param["id"]] = param
        for value in node.values():
            _collect_params(value, found)
    elif isinstance(node, list):
        for value in node:
            _collect_params(value, found)


def _translation(part: dict) -> str:
    for child in part.get("parts", []):
        if child.get("ns") == NS and child["name"] == "translation" and child.get("class") == "en":
            return child.get("prose", "").strip()
    return ""


def _text(nl: str, en: str = "") -> dict | None:
    if not nl and not en:
        return None
    return {"nl": nl, "en": en} if en else {"nl": nl}


def _withdrawn(control: dict) -> bool:
    return any(
        p["name"] == "status" and p.get("value") == "withdrawn" and not p.get("ns") for p in control.get("props", [])
    )


def _derive_code(title: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", title.upper())
    code = ""
    for word in words:
        candidate = f"{code}-{word}" if code else word
        if len(candidate) > 32:
            break
        code = candidate
    return code or "OSCAL"


def _derive_label(version: str) -> str:
    label = re.sub(r"[^A-Za-z0-9._+-]+", "-", version.strip()).strip("-._+")[:40]
    return label if label and VERSION_LABEL.match(label) else "1"


def read_oscal(data: bytes, *, code: str | None = None) -> Catalogue:
    """A catalogue from an OSCAL catalog JSON file. `code` names the framework when the catalog
    does not carry one of ours; without it a code is made from the catalog's title."""
    document = load_json(data)
    try:
        problems = schema_problems(document)
        if problems:
            raise CatalogueError(problems)
        raw, locations = catalog_to_raw(document["catalog"], code=code)
    except RecursionError as exc:
        # Groups or parts nested hundreds deep: valid JSON, but no catalog anyone writes.
        raise CatalogueError([Problem("", _("The file is nested too deeply."))]) from exc

    def locate(path: DataPath) -> str:
        for length in range(len(path), 0, -1):
            if path[:length] in locations:
                return f"{locations[path[:length]]} ({format_path(path)})"
        return format_path(path)

    reader = Reader(locate=locate)
    catalogue = reader.catalogue(raw)
    reader.raise_if_problems()
    return catalogue


def catalog_to_raw(catalog: dict, *, code: str | None = None) -> tuple[dict, dict[DataPath, str]]:
    """The plain data of a catalogue file, and where each domain and norm came from."""
    metadata = catalog["metadata"]
    ours = bool(_ours(metadata, "framework-code"))
    params: dict[str, dict] = {}
    _collect_params(catalog, params)
    render = _ProseRenderer(params)
    resources = {
        (_first(_ours(r, "text")), _first(_ours(r, "lang"))): r.get("description", "").strip()
        for r in catalog.get("back-matter", {}).get("resources", [])
    }

    framework: dict[str, Any] = {
        "code": _first(_ours(metadata, "framework-code")) or code or _derive_code(metadata["title"]),
        "name": _text(render.line(metadata["title"]), _first(_ours(metadata, "name", "en"))),
    }
    owner = (
        _first(_ours(metadata, "owner"))
        if ours
        else next((p.get("name", "") for p in metadata.get("parties", []) if p.get("name")), "")
    )
    if owner:
        framework["owner"] = owner[:200]
    if _ours(metadata, "sector"):
        framework["sectors"] = _ours(metadata, "sector")
    description = _text(
        resources.get(("framework-description", "nl"), ""),
        resources.get(("framework-description", "en"), ""),
    )
    if not ours and metadata.get("remarks"):
        description = _text(metadata["remarks"].strip())
    if description:
        framework["description"] = description

    version: dict[str, Any] = {
        "label": _first(_ours(metadata, "version-label")) or _derive_label(metadata["version"]),
        "scored": _first(_ours(metadata, "scored")) == "true",
    }
    released = _first(_ours(metadata, "released")) or (metadata.get("published", "")[:10] if not ours else "")
    if released:
        version["released"] = released
    note = _text(resources.get(("source-note", "nl"), ""), resources.get(("source-note", "en"), ""))
    if not ours:
        note = _text(
            _("OSCAL catalog “%(title)s”, version %(version)s (OSCAL %(oscal)s).")
            % {
                "title": metadata["title"],
                "version": metadata["version"],
                "oscal": metadata["oscal-version"],
            }
        )
    if note:
        version["source_note"] = note

    domains: list[dict] = []
    locations: dict[DataPath, str] = {}
    for group, titles, where in _groups(catalog):
        norms = []
        for control in _controls(group.get("controls", [])):
            norm_path = ("domains", len(domains), "norms", len(norms))
            locations[norm_path] = _("control %(id)s") % {"id": control["id"]}
            norms.append(_control_to_raw(control, render, ours))
        if not norms and not ours:
            continue
        group_code = _first(_ours(group, "code")) or group.get("id") or f"group-{len(domains) + 1}"
        domain: dict[str, Any] = {
            "code": group_code,
            "part": _first(_ours(group, "part"), "security"),
            "title": _text(
                GROUP_TITLE_SEPARATOR.join(render.line(t) for t in titles),
                _first(_ours(group, "title", "en")),
            ),
            "norms": norms,
        }
        overview = next((p for p in group.get("parts", []) if p["name"] == "overview"), None)
        if overview:
            domain["description"] = _text("\n".join(render.part(overview)), _translation(overview))
        locations[("domains", len(domains))] = where
        domains.append(domain)
    raw = {
        "format": FORMAT_CATALOGUE,
        "framework": framework,
        "version": version,
        "domains": domains,
    }
    return raw, locations


def _groups(catalog: dict) -> Iterator[tuple[dict, list[str], str]]:
    """Every group (depth first) with the titles from the top down, and the catalog's loose
    controls as a group of their own."""
    if catalog.get("controls"):
        yield (
            {"id": "catalog", "controls": catalog["controls"]},
            [catalog["metadata"]["title"]],
            "catalog",
        )

    def walk(groups: list[dict], titles: list[str]) -> Iterator[tuple[dict, list[str], str]]:
        for group in groups:
            path = [*titles, group["title"]]
            yield group, path, _("group %(id)s") % {"id": group.get("id", group["title"])}
            yield from walk(group.get("groups", []), path)

    yield from walk(catalog.get("groups", []), [])


def _controls(controls: list[dict]) -> Iterator[dict]:
    for control in controls:
        if _withdrawn(control):
            continue
        yield control
        yield from _controls(control.get("controls", []))


def _control_to_raw(control: dict, render: _ProseRenderer, ours: bool) -> dict:
    parts = control.get("parts", [])
    norm: dict[str, Any] = {
        "code": _first(_ours(control, "code")) or control["id"],
        "id_confirmed": _first(_ours(control, "id-confirmed")) == "true" if ours else True,
        "title": _text(render.line(control["title"]), _first(_ours(control, "title", "en"))),
    }
    for name, key in (("statement", "statement"), ("guidance", "rationale")):
        part = next((p for p in parts if p["name"] == name and not p.get("ns")), None)
        if part:
            text = _text("\n".join(render.part(part)), _translation(part))
            if text:
                norm[key] = text
    levels = {
        _first(_ours(p, "level")): _text(p.get("prose", "").strip(), _translation(p))
        for p in parts
        if p.get("ns") == NS and p["name"] == "maturity-level"
    }
    if levels:
        norm["levels"] = levels
    measures = [
        _text(p.get("prose", "").strip(), _translation(p))
        for p in parts
        if p.get("ns") == NS and p["name"] == "target-measure"
    ]
    if measures:
        norm["target_measures"] = measures
    if _ours(control, "reference"):
        norm["references"] = _ours(control, "reference")
    return norm


# --- writing ---------------------------------------------------------------------------------


def _prop(name: str, value: str, cls: str | None = None) -> dict:
    prop = {"name": name, "ns": NS, "value": value}
    if cls:
        prop["class"] = cls
    return prop


def _text_part(name: str, text, *, ours: bool) -> dict:
    part: dict[str, Any] = {"name": name, "prose": text.nl}
    if ours:
        part["ns"] = NS
    if text.en:
        part["parts"] = [{"name": "translation", "ns": NS, "class": "en", "prose": text.en}]
    return part


class _Tokens:
    """OSCAL ids must be tokens (a letter or _ first) and unique; our codes need not be."""

    def __init__(self):
        self.used: set[str] = set()

    def __call__(self, code: str) -> str:
        token = _TOKEN_BAD.sub("_", code)
        if not re.match(r"^[^\W\d]", token):
            token = f"_{token}"
        candidate, n = token, 1
        while candidate in self.used:
            n += 1
            candidate = f"{token}_{n}"
        self.used.add(candidate)
        return candidate


def _resource(key: str, lang: str, text: str, title: str) -> dict:
    return {
        "uuid": str(uuid.uuid5(_UUID_NAMESPACE, f"{key}/{lang}/{text}")),
        "title": title,
        "description": text,
        "props": [_prop("text", key), _prop("lang", lang)],
    }


def write_oscal(catalogue: Catalogue, *, last_modified: datetime | None = None) -> dict:
    """The catalogue as an OSCAL 1.1 catalog document (a dict ready for json.dumps)."""
    fw, version = catalogue.framework, catalogue.version
    modified = (last_modified or datetime.now(tz=UTC)).astimezone(UTC).replace(microsecond=0)
    metadata_props = [
        _prop("framework-code", fw.code),
        _prop("version-label", version.label),
        _prop("scored", "true" if version.scored else "false"),
    ]
    if version.released:
        metadata_props.append(_prop("released", version.released.isoformat()))
    if fw.owner:
        metadata_props.append(_prop("owner", fw.owner))
    metadata_props += [_prop("sector", sector) for sector in fw.sectors]
    if fw.name.en:
        metadata_props.append(_prop("name", fw.name.en, "en"))
    metadata: dict[str, Any] = {
        "title": fw.name.nl,
        "last-modified": modified.isoformat().replace("+00:00", "Z"),
        "version": version.label,
        "oscal-version": OSCAL_VERSION,
        "props": metadata_props,
    }
    if version.released:
        metadata["published"] = (
            datetime.combine(version.released, datetime.min.time(), UTC).isoformat().replace("+00:00", "Z")
        )
    resources = []
    for key, text, title in (
        ("framework-description", fw.description, "Framework description"),
        ("source-note", version.source_note, "Source note"),
    ):
        for lang in ("nl", "en"):
            if getattr(text, lang):
                resources.append(_resource(key, lang, getattr(text, lang), title))

    tokens = _Tokens()
    groups = []
    for domain in catalogue.domains:
        group_props = [_prop("code", domain.code), _prop("part", domain.part)]
        if domain.title.en:
            group_props.append(_prop("title", domain.title.en, "en"))
        group: dict[str, Any] = {
            "id": tokens(domain.code),
            "title": domain.title.nl,
            "props": group_props,
        }
        if domain.description:
            group["parts"] = [_text_part("overview", domain.description, ours=False)]
        controls = [_norm_to_control(norm, tokens) for norm in domain.norms]
        if controls:
            group["controls"] = controls
        groups.append(group)

    catalog: dict[str, Any] = {
        "uuid": str(uuid.uuid5(_UUID_NAMESPACE, f"catalog/{fw.code}/{version.label}")),
        "metadata": metadata,
    }
    if groups:
        catalog["groups"] = groups
    if resources:
        catalog["back-matter"] = {"resources": resources}
    return {"catalog": catalog}


def _norm_to_control(norm, tokens: _Tokens) -> dict:
    props = [
        {"name": "label", "value": norm.code},
        _prop("code", norm.code),
        _prop("id-confirmed", "true" if norm.id_confirmed else "false"),
    ]
    if norm.title.en:
        props.append(_prop("title", norm.title.en, "en"))
    props += [_prop("reference", reference) for reference in norm.references]
    parts = []
    if norm.statement:
        parts.append(_text_part("statement", norm.statement, ours=False))
    if norm.rationale:
        parts.append(_text_part("guidance", norm.rationale, ours=False))
    for level, text in zip(LEVELS, norm.levels, strict=False):
        part = _text_part("maturity-level", text, ours=True)
        part["props"] = [_prop("level", str(level))]
        parts.append(part)
    parts += [_text_part("target-measure", measure, ours=True) for measure in norm.target_measures]
    control: dict[str, Any] = {"id": tokens(norm.code), "title": norm.title.nl, "props": props}
    if parts:
        control["parts"] = parts
    return control


def dump_oscal(catalogue: Catalogue, *, last_modified: datetime | None = None) -> str:
    return json.dumps(write_oscal(catalogue, last_modified=last_modified), ensure_ascii=False, indent=2) + "\n"
