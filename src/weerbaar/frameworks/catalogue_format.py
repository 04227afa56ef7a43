"""Reading and writing catalogue files: our YAML format and CSV (see docs/catalogue-format.md).

Pure: no database. A file becomes plain frozen dataclasses (`Catalogue`, `MappingSet`) or a
`CatalogueError` that lists every problem with where it is (line, row and column, or path). The
same checks run for every format, so a catalogue that passes in one passes in all.

Hostile input is refused before it costs much: files above `MAX_FILE_BYTES`, YAML anchors and
aliases (the "billion laughs" expansion), more than `MAX_YAML_NODES` values or deeper nesting than
`MAX_DEPTH`, and more norms, domains or text than the limits below.
"""

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import yaml
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from weerbaar.frameworks.choices import LEVELS, DomainPart, MappingRelation
from weerbaar.organisations.choices import SectorCode

FORMAT_CATALOGUE = "weerbaar-catalogue/1"
FORMAT_MAPPINGS = "weerbaar-mappings/1"

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_NORMS = 2000
MAX_DOMAINS = 300
MAX_PAIRS = 20_000
MAX_YAML_NODES = 250_000
MAX_DEPTH = 40
MAX_TITLE = 300
MAX_TEXT = 20_000
MAX_NAME = 200
MAX_MEASURES = 30
MAX_REFERENCES = 50
MAX_REFERENCE = 200
MAX_PROBLEMS = 50

FRAMEWORK_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,31}$")
# Norm and domain codes: letters (any script), digits and . _ - : ( ) / after a letter or digit.
ITEM_CODE = re.compile(r"^[^\W_][\w.:()/-]{0,63}$")
VERSION_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,39}$")

Path = tuple[str | int, ...]


# --- the catalogue as plain data -------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A bilingual text: Dutch required, English optional."""

    nl: str
    en: str = ""

    def __bool__(self) -> bool:
        return bool(self.nl or self.en)

    def __str__(self) -> str:
        """The text in the active language, Dutch when English is asked for but missing."""
        return self.en if self.en and (get_language() or "nl")[:2] == "en" else self.nl

    def as_dict(self) -> dict[str, str]:
        return {"nl": self.nl, "en": self.en} if self.en else {"nl": self.nl}


EMPTY = Text("")


@dataclass(frozen=True)
class FrameworkInfo:
    code: str
    name: Text
    owner: str = ""
    sectors: tuple[str, ...] = ()
    description: Text = EMPTY


@dataclass(frozen=True)
class VersionInfo:
    label: str
    released: date | None = None
    scored: bool = True
    source_note: Text = EMPTY


@dataclass(frozen=True)
class NormData:
    code: str
    title: Text
    statement: Text = EMPTY
    rationale: Text = EMPTY
    levels: tuple[Text, ...] = ()  # exactly five (levels 1..5) for a scored framework, else none
    target_measures: tuple[Text, ...] = ()
    references: tuple[str, ...] = ()
    id_confirmed: bool = False


@dataclass(frozen=True)
class DomainData:
    code: str
    title: Text
    part: str = DomainPart.SECURITY.value
    description: Text = EMPTY
    norms: tuple[NormData, ...] = ()


@dataclass(frozen=True)
class Catalogue:
    """One version of one framework, as a file holds it."""

    framework: FrameworkInfo
    version: VersionInfo
    domains: tuple[DomainData, ...]

    def norms(self) -> Iterator[tuple[DomainData, NormData]]:
        for domain in self.domains:
            for norm in domain.norms:
                yield domain, norm

    @property
    def norm_count(self) -> int:
        return sum(len(domain.norms) for domain in self.domains)


@dataclass(frozen=True)
class MappingPair:
    source: str
    target: str
    relation: str = MappingRelation.RELATED.value


@dataclass(frozen=True)
class MappingSet:
    """Pairs of norm codes between two framework versions."""

    source_framework: str
    source_version: str
    target_framework: str
    target_version: str
    pairs: tuple[MappingPair, ...] = ()


# --- problems --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class CatalogueError(ValueError):
    """The file cannot be imported. `problems` says what is wrong and where."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems[:MAX_PROBLEMS]
        super().__init__("\n".join(str(p) for p in self.problems))


def format_path(path: Path) -> str:
    """("domains", 0, "norms", 3, "title") → "domains[0].norms[3].title"."""
    text = ""
    for step in path:
        if isinstance(step, int) and text and not text.endswith("levels"):
            text += f"[{step}]"
        else:
            text += f".{step}" if text else str(step)
    return text


def check_size(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise CatalogueError(
            [
                Problem(
                    "",
                    _("The file is too large (%(size)d bytes; at most %(limit)d).")
                    % {"size": len(data), "limit": MAX_FILE_BYTES},
                )
            ]
        )
    if not data.strip():
        raise CatalogueError([Problem("", _("The file is empty."))])


def decode_utf8(data: bytes) -> str:
    """The text of a UTF-8 file (a byte order mark is allowed), or a problem naming the line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogueError(
            [
                Problem(
                    _("line %(line)d") % {"line": line},
                    _("The file is not UTF-8 encoded text (save it as UTF-8)."),
                )
            ]
        ) from exc


# --- checking raw data -----------------------------------------------------------------------


@dataclass
class Reader:
    """Turns loosely typed data (from YAML, CSV or OSCAL) into dataclasses, collecting every
    problem with its path instead of stopping at the first."""

    locate: Callable[[Path], str]
    problems: list[Problem] = field(default_factory=list)
    missing: set[Path] = field(default_factory=set)  # required fields already reported absent

    def problem(self, path: Path, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.locate(path), message))

    def raise_if_problems(self) -> None:
        if self.problems:
            raise CatalogueError(self.problems)

    def mapping(self, value: Any, path: Path, required: Iterable[str] = (), optional: Iterable[str] = ()) -> dict:
        if not isinstance(value, dict):
            self.problem(path, _("Expected a mapping (key: value pairs)."))
            return {}
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed:
                self.problem(
                    (*path, key),
                    _("Unknown field “%(key)s”; allowed are: %(allowed)s.")
                    % {"key": key, "allowed": ", ".join(sorted(allowed))},
                )
        for key in required:
            if key not in value or value[key] is None:
                self.problem((*path, key), _("The field “%(key)s” is required.") % {"key": key})
                self.missing.add((*path, key))
        return value

    def sequence(self, value: Any, path: Path, limit: int, *, required: bool = True) -> list:
        if value is None and not required:
            return []
        if not isinstance(value, list):
            self.problem(path, _("Expected a list."))
            return []
        if len(value) > limit:
            self.problem(
                path,
                _("Too many items (%(count)d; at most %(limit)d).") % {"count": len(value), "limit": limit},
            )
            return []
        return value

    def string(
        self,
        value: Any,
        path: Path,
        max_length: int,
        *,
        required: bool = True,
        single_line: bool = True,
    ) -> str:
        if value is None or value == "":
            if required:
                self.problem(path, _("A value is required."))
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.problem(path, _("Expected text."))
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(path, _("A value is required."))
        if len(text) > max_length:
            self.problem(
                path,
                _("The text is too long (%(length)d characters; at most %(limit)d).")
                % {"length": len(text), "limit": max_length},
            )
        if single_line and ("\n" in text or "\r" in text):
            self.problem(path, _("This text must fit on one line."))
        return text

    def code(self, value: Any, path: Path, pattern: re.Pattern, hint: str) -> str:
        if isinstance(value, float):
            # 8.20 written without quotes reads as the number 8.2: the code would silently change.
            self.problem(
                path,
                _("Put the code in quotes (“%(value)s” reads as a number).") % {"value": value},
            )
            return str(value)
        text = self.string(value, path, 64)
        if text and not pattern.match(text):
            self.problem(path, _("“%(code)s” is not a valid code: %(hint)s") % {"code": text, "hint": hint})
        return text

    def boolean(self, value: Any, path: Path, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(path, _("Expected true or false."))
            return default
        return value

    def date(self, value: Any, path: Path) -> date | None:
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            self.problem(path, _("Expected a date (YYYY-MM-DD) without a time."))
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.problem(path, _("Expected a date written as YYYY-MM-DD."))
        return None

    def text(
        self,
        value: Any,
        path: Path,
        max_length: int,
        *,
        required: bool = True,
        single_line: bool = False,
    ) -> Text:
        if value is None:
            if required and path not in self.missing:
                self.problem(path, _('A text is required: {nl: "...", en: "..."}.'))
            return EMPTY
        if not isinstance(value, dict):
            self.problem(path, _('Expected a bilingual text: {nl: "...", en: "..."} (Dutch required).'))
            return EMPTY
        self.mapping(value, path, optional=("nl", "en"))
        nl = self.string(value.get("nl"), (*path, "nl"), max_length, required=False, single_line=single_line)
        en = self.string(value.get("en"), (*path, "en"), max_length, required=False, single_line=single_line)
        if not nl and (required or en):
            self.problem((*path, "nl"), _("The Dutch text (nl) is required."))
        return Text(nl, en)

    # -- a whole catalogue --

    def catalogue(self, raw: Any) -> Catalogue:
        top = self.mapping(raw, (), required=("format", "framework", "version", "domains"))
        if top.get("format") not in (None, FORMAT_CATALOGUE):
            self.problem(("format",), _("Expected “format: %(format)s”.") % {"format": FORMAT_CATALOGUE})
        framework = self.framework(top.get("framework"), ("framework",))
        version = self.version(top.get("version"), ("version",))
        raw_domains = self.sequence(top.get("domains"), ("domains",), MAX_DOMAINS)
        if isinstance(top.get("domains"), list) and not top["domains"]:
            self.problem(("domains",), _("A version needs at least one domain."))
        total = sum(
            len(d.get("norms") or []) for d in raw_domains if isinstance(d, dict) and isinstance(d.get("norms"), list)
        )
        if total > MAX_NORMS:
            self.problem(
                ("domains",),
                _("Too many norms (%(count)d; at most %(limit)d).") % {"count": total, "limit": MAX_NORMS},
            )
            return Catalogue(framework, version, ())
        domains: list[DomainData] = []
        domain_codes: dict[str, int] = {}
        norm_codes: dict[str, Path] = {}
        for index, raw_domain in enumerate(raw_domains):
            path = ("domains", index)
            domain = self.domain(raw_domain, path, version.scored, norm_codes)
            if domain.code in domain_codes:
                self.problem(
                    (*path, "code"),
                    _("The domain code “%(code)s” occurs twice.") % {"code": domain.code},
                )
            domain_codes[domain.code] = index
            domains.append(domain)
        return Catalogue(framework, version, tuple(domains))

    def framework(self, raw: Any, path: Path) -> FrameworkInfo:
        data = self.mapping(raw, path, required=("code", "name"), optional=("owner", "sectors", "description"))
        code = self.code(
            data.get("code"),
            (*path, "code"),
            FRAMEWORK_CODE,
            _("use upper-case letters, digits and dashes (at most 32)."),
        )
        name = self.text(data.get("name"), (*path, "name"), MAX_TITLE, single_line=True)
        owner = self.string(data.get("owner"), (*path, "owner"), MAX_NAME, required=False)
        sectors: list[str] = []
        for index, sector in enumerate(self.sequence(data.get("sectors"), (*path, "sectors"), 20, required=False)):
            if sector not in SectorCode.values:
                self.problem(
                    (*path, "sectors", index),
                    _("Unknown sector “%(sector)s”; known are: %(known)s.")
                    % {"sector": sector, "known": ", ".join(SectorCode.values)},
                )
            elif sector in sectors:
                self.problem(
                    (*path, "sectors", index),
                    _("The sector “%(sector)s” occurs twice.") % {"sector": sector},
                )
            else:
                sectors.append(sector)
        description = self.text(data.get("description"), (*path, "description"), MAX_TEXT, required=False)
        return FrameworkInfo(code, name, owner, tuple(sectors), description)

    def version(self, raw: Any, path: Path) -> VersionInfo:
        data = self.mapping(raw, path, required=("label",), optional=("released", "scored", "source_note"))
        label = self.code(
            data.get("label"),
            (*path, "label"),
            VERSION_LABEL,
            _("use letters, digits and . _ + - (at most 40), no spaces."),
        )
        released = self.date(data.get("released"), (*path, "released"))
        scored = self.boolean(data.get("scored"), (*path, "scored"), True)
        source_note = self.text(data.get("source_note"), (*path, "source_note"), MAX_TEXT, required=False)
        return VersionInfo(label, released, scored, source_note)

    def domain(self, raw: Any, path: Path, scored: bool, norm_codes: dict[str, Path]) -> DomainData:
        data = self.mapping(raw, path, required=("code", "title"), optional=("part", "description", "norms"))
        code = self.code(
            data.get("code"),
            (*path, "code"),
            ITEM_CODE,
            _("use letters, digits and . _ - : ( ) /."),
        )
        part = data.get("part") or DomainPart.SECURITY.value
        if part not in DomainPart.values:
            self.problem(
                (*path, "part"),
                _("The part must be one of: %(parts)s.") % {"parts": ", ".join(DomainPart.values)},
            )
        title = self.text(data.get("title"), (*path, "title"), MAX_TITLE, single_line=True)
        description = self.text(data.get("description"), (*path, "description"), MAX_TEXT, required=False)
        norms: list[NormData] = []
        for index, raw_norm in enumerate(self.sequence(data.get("norms"), (*path, "norms"), MAX_NORMS, required=False)):
            norm_path = (*path, "norms", index)
            norm = self.norm(raw_norm, norm_path, scored)
            if norm.code and norm.code in norm_codes:
                self.problem(
                    (*norm_path, "code"),
                    _("The norm code “%(code)s” occurs twice (also at %(other)s).")
                    % {"code": norm.code, "other": self.locate(norm_codes[norm.code])},
                )
            elif norm.code:
                norm_codes[norm.code] = (*norm_path, "code")
            norms.append(norm)
        return DomainData(code, title, part, description, tuple(norms))

    def norm(self, raw: Any, path: Path, scored: bool, *, partial: bool = False) -> NormData:
        """A norm. `partial` is for a norm being written in a draft: statement, "why it matters"
        and levels may still be missing (publishing checks them)."""
        # Statement and "why it matters" are required on scored norms, optional on reference lists.
        texts = ("statement", "rationale")
        complete = scored and not partial
        data = self.mapping(
            raw,
            path,
            required=("code", "title", *(texts if complete else ())),
            optional=(
                "id_confirmed",
                "levels",
                "target_measures",
                "references",
                *(() if complete else texts),
            ),
        )
        code = self.code(
            data.get("code"),
            (*path, "code"),
            ITEM_CODE,
            _("use letters, digits and . _ - : ( ) /."),
        )
        title = self.text(data.get("title"), (*path, "title"), MAX_TITLE, single_line=True)
        statement = self.text(data.get("statement"), (*path, "statement"), MAX_TEXT, required=complete)
        rationale = self.text(data.get("rationale"), (*path, "rationale"), MAX_TEXT, required=complete)
        levels = self.levels(data.get("levels"), (*path, "levels"), scored, partial=partial)
        measures = tuple(
            self.text(measure, (*path, "target_measures", index), MAX_TITLE * 2, single_line=True)
            for index, measure in enumerate(
                self.sequence(
                    data.get("target_measures"),
                    (*path, "target_measures"),
                    MAX_MEASURES,
                    required=False,
                )
            )
        )
        references = tuple(
            self.string(reference, (*path, "references", index), MAX_REFERENCE)
            for index, reference in enumerate(
                self.sequence(data.get("references"), (*path, "references"), MAX_REFERENCES, required=False)
            )
        )
        id_confirmed = self.boolean(data.get("id_confirmed"), (*path, "id_confirmed"), False)
        return NormData(code, title, statement, rationale, levels, measures, references, id_confirmed)

    def levels(self, raw: Any, path: Path, scored: bool, *, partial: bool = False) -> tuple[Text, ...]:
        if not scored:
            if raw:
                self.problem(
                    path,
                    _("This version is not scored (scored: false), so its norms have no levels."),
                )
            return ()
        if raw is None or (partial and not raw):
            if not partial:
                self.problem(path, _("A scored norm needs exactly five levels, 1 to 5."))
            return ()
        if not isinstance(raw, dict):
            self.problem(path, _("Expected the levels 1 to 5, each with a bilingual text."))
            return ()
        by_level: dict[int, Any] = {}
        for key in raw:
            number = (
                key
                if isinstance(key, int) and not isinstance(key, bool)
                else (int(key) if isinstance(key, str) and key.strip().isdigit() else None)
            )
            if number not in LEVELS:
                self.problem((*path, key), _("“%(key)s” is not a level; levels are 1 to 5.") % {"key": key})
            elif number in by_level:
                self.problem((*path, key), _("Level %(level)d occurs twice.") % {"level": number})
            else:
                by_level[number] = key
        missing = [level for level in LEVELS if level not in by_level]
        if partial:
            return tuple(
                self.text(raw[by_level[level]], (*path, by_level[level]), MAX_TEXT) if level in by_level else EMPTY
                for level in LEVELS
            )
        if missing:
            self.problem(
                path,
                _("A scored norm needs exactly five levels, 1 to 5; missing: %(missing)s.")
                % {"missing": ", ".join(str(level) for level in missing)},
            )
            return ()
        return tuple(self.text(raw[by_level[level]], (*path, by_level[level]), MAX_TEXT) for level in LEVELS)

    # -- mappings --

    def mapping_set(self, raw: Any) -> MappingSet:
        top = self.mapping(raw, (), required=("format", "source", "target", "pairs"))
        if top.get("format") not in (None, FORMAT_MAPPINGS):
            self.problem(("format",), _("Expected “format: %(format)s”.") % {"format": FORMAT_MAPPINGS})
        ends = {}
        for end in ("source", "target"):
            data = self.mapping(top.get(end), (end,), required=("framework", "version"))
            ends[end] = (
                self.code(
                    data.get("framework"),
                    (end, "framework"),
                    FRAMEWORK_CODE,
                    _("use upper-case letters, digits and dashes (at most 32)."),
                ),
                self.code(
                    data.get("version"),
                    (end, "version"),
                    VERSION_LABEL,
                    _("use letters, digits and . _ + - (at most 40), no spaces."),
                ),
            )
        pairs: list[MappingPair] = []
        seen: set[tuple[str, str]] = set()
        for index, raw_pair in enumerate(self.sequence(top.get("pairs"), ("pairs",), MAX_PAIRS)):
            path: Path = ("pairs", index)
            data = self.mapping(raw_pair, path, required=("source", "target"), optional=("relation",))
            source = self.code(data.get("source"), (*path, "source"), ITEM_CODE, _("not a norm code."))
            target = self.code(data.get("target"), (*path, "target"), ITEM_CODE, _("not a norm code."))
            relation = data.get("relation") or MappingRelation.RELATED.value
            if relation not in MappingRelation.values:
                self.problem(
                    (*path, "relation"),
                    _("The relation must be one of: %(relations)s.") % {"relations": ", ".join(MappingRelation.values)},
                )
            if (source, target) in seen:
                self.problem(
                    path,
                    _("The pair %(source)s → %(target)s occurs twice.") % {"source": source, "target": target},
                )
            seen.add((source, target))
            pairs.append(MappingPair(source, target, relation))
        return MappingSet(*ends["source"], *ends["target"], pairs=tuple(pairs))


def check_catalogue(catalogue: Catalogue) -> None:
    """Run the file checks on a catalogue built in code (an OSCAL import, an edited draft)."""
    reader = Reader(locate=format_path)
    reader.catalogue(catalogue_to_raw(catalogue))
    reader.raise_if_problems()


# --- YAML ------------------------------------------------------------------------------------


class _LocatedDict(dict):
    line: int = 0
    key_lines: dict


class _LocatedList(list):
    line: int = 0
    item_lines: list


class _Refused(yaml.YAMLError):
    def __init__(self, mark, message: str):
        super().__init__(message)
        self.problem_mark = mark
        self.message = message


class _StrictLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses anchors and aliases, counts values and limits nesting, and
    remembers the line of every key and list item."""

    def __init__(self, stream):
        super().__init__(stream)
        self._node_count = 0
        self._depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(
                event.start_mark,
                _("Anchors and aliases (& and *) are not allowed in catalogue files."),
            )
        self._node_count += 1
        if self._node_count > MAX_YAML_NODES:
            raise _Refused(
                event.start_mark,
                _("The file holds too many values (at most %(limit)d).") % {"limit": MAX_YAML_NODES},
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(event.start_mark, _("The file is nested too deeply."))
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> _LocatedDict:
    result = _LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int) or isinstance(key, bool):
            raise _Refused(key_node.start_mark, _("Keys must be plain names."))
        if key in result:
            raise _Refused(
                key_node.start_mark,
                _("The key “%(key)s” occurs twice in the same place.") % {"key": key},
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _StrictLoader, node: yaml.SequenceNode) -> _LocatedList:
    result = _LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


def _yaml_locator(root: Any) -> Callable[[Path], str]:
    def locate(path: Path) -> str:
        node, line = root, getattr(root, "line", 1)
        for step in path:
            if isinstance(node, _LocatedDict) and step in node:
                line, node = node.key_lines[step], node[step]
            elif isinstance(node, _LocatedList) and isinstance(step, int) and 0 <= step < len(node):
                line, node = node.item_lines[step], node[step]
            else:
                break
        where = _("line %(line)d") % {"line": line}
        return f"{where} ({format_path(path)})" if path else where

    return locate


def load_yaml(data: bytes) -> Any:
    """Safely parse YAML bytes into located plain data, or raise CatalogueError."""
    check_size(data)
    text = decode_utf8(data)
    try:
        loader = _StrictLoader(text)
        try:
            raw = loader.get_single_data()
        finally:
            loader.dispose()
    except RecursionError as exc:
        raise CatalogueError([Problem("", _("The file is nested too deeply."))]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = _("line %(line)d") % {"line": mark.line + 1} if mark else ""
        message = (
            getattr(exc, "message", None)
            or " ".join(str(part) for part in (getattr(exc, "context", None), getattr(exc, "problem", None)) if part)
            or _("This is not valid YAML.")
        )
        raise CatalogueError([Problem(where, _("Not valid YAML: %(detail)s") % {"detail": message})]) from exc
    if raw is None:
        raise CatalogueError([Problem("", _("The file is empty."))])
    return raw


def read_yaml(data: bytes) -> Catalogue | MappingSet:
    """A catalogue or a mapping set from a YAML file, told apart by its `format` line."""
    raw = load_yaml(data)
    reader = Reader(locate=_yaml_locator(raw))
    kind = raw.get("format") if isinstance(raw, dict) else None
    if kind == FORMAT_MAPPINGS:
        result: Catalogue | MappingSet = reader.mapping_set(raw)
    elif kind == FORMAT_CATALOGUE or not isinstance(raw, dict) or "format" not in raw:
        result = reader.catalogue(raw)
    else:
        reader.problem(
            ("format",),
            _("Unknown format; expected “%(catalogue)s” or “%(mappings)s”.")
            % {"catalogue": FORMAT_CATALOGUE, "mappings": FORMAT_MAPPINGS},
        )
        result = Catalogue(FrameworkInfo("", EMPTY), VersionInfo(""), ())
    reader.raise_if_problems()
    return result


def catalogue_to_raw(catalogue: Catalogue) -> dict:
    """The catalogue as the plain data of a YAML file (the inverse of `Reader.catalogue`)."""
    framework: dict[str, Any] = {
        "code": catalogue.framework.code,
        "name": catalogue.framework.name.as_dict(),
    }
    if catalogue.framework.owner:
        framework["owner"] = catalogue.framework.owner
    if catalogue.framework.sectors:
        framework["sectors"] = list(catalogue.framework.sectors)
    if catalogue.framework.description:
        framework["description"] = catalogue.framework.description.as_dict()
    version: dict[str, Any] = {"label": catalogue.version.label}
    if catalogue.version.released:
        version["released"] = catalogue.version.released
    version["scored"] = catalogue.version.scored
    if catalogue.version.source_note:
        version["source_note"] = catalogue.version.source_note.as_dict()
    domains = []
    for domain in catalogue.domains:
        raw_domain: dict[str, Any] = {
            "code": domain.code,
            "part": domain.part,
            "title": domain.title.as_dict(),
        }
        if domain.description:
            raw_domain["description"] = domain.description.as_dict()
        raw_domain["norms"] = [_norm_to_raw(norm) for norm in domain.norms]
        domains.append(raw_domain)
    return {
        "format": FORMAT_CATALOGUE,
        "framework": framework,
        "version": version,
        "domains": domains,
    }


def _norm_to_raw(norm: NormData) -> dict:
    raw: dict[str, Any] = {
        "code": norm.code,
        "id_confirmed": norm.id_confirmed,
        "title": norm.title.as_dict(),
    }
    if norm.statement:
        raw["statement"] = norm.statement.as_dict()
    if norm.rationale:
        raw["rationale"] = norm.rationale.as_dict()
    if norm.levels:
        raw["levels"] = {level: text.as_dict() for level, text in zip(LEVELS, norm.levels, strict=True)}
    if norm.target_measures:
        raw["target_measures"] = [measure.as_dict() for measure in norm.target_measures]
    if norm.references:
        raw["references"] = list(norm.references)
    return raw


class _Dumper(yaml.SafeDumper):
    pass


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


class _InlineText(dict):
    """A short one-line bilingual text, written {nl: ..., en: ...} as in the documentation."""


_Dumper.add_representer(
    _InlineText,
    lambda dumper, value: dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True),
)


def _inline_texts(value: Any) -> Any:
    if isinstance(value, dict):
        texts = value.values()
        if (
            value
            and set(value) <= {"nl", "en"}
            and all(isinstance(v, str) and "\n" not in v for v in texts)
            and sum(len(v) for v in texts) <= 120
        ):
            return _InlineText(value)
        return {key: _inline_texts(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_inline_texts(item) for item in value]
    return value


def _dump(raw: dict) -> str:
    return yaml.dump(
        _inline_texts(raw),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )


def dump_yaml(catalogue: Catalogue) -> str:
    return _dump(catalogue_to_raw(catalogue))


def dump_mappings_yaml(mappings: MappingSet) -> str:
    return _dump(
        {
            "format": FORMAT_MAPPINGS,
            "source": {"framework": mappings.source_framework, "version": mappings.source_version},
            "target": {"framework": mappings.target_framework, "version": mappings.target_version},
            "pairs": [{"source": p.source, "target": p.target, "relation": p.relation} for p in mappings.pairs],
        }
    )


# --- CSV -------------------------------------------------------------------------------------

FRAMEWORK_COLUMNS = [
    "framework_code",
    "framework_name_nl",
    "framework_name_en",
    "framework_owner",
    "framework_sectors",
    "framework_description_nl",
    "framework_description_en",
]
VERSION_COLUMNS = [
    "version_label",
    "version_released",
    "version_scored",
    "version_source_note_nl",
    "version_source_note_en",
]
DOMAIN_COLUMNS = [
    "domain_code",
    "domain_part",
    "domain_title_nl",
    "domain_title_en",
    "domain_description_nl",
    "domain_description_en",
]
NORM_COLUMNS = [
    "norm_code",
    "id_confirmed",
    "title_nl",
    "title_en",
    "statement_nl",
    "statement_en",
    "rationale_nl",
    "rationale_en",
    *[f"level_{level}_{lang}" for level in LEVELS for lang in ("nl", "en")],
    "target_measures_nl",
    "target_measures_en",
    "references",
]
CSV_COLUMNS = FRAMEWORK_COLUMNS + VERSION_COLUMNS + DOMAIN_COLUMNS + NORM_COLUMNS
CSV_REQUIRED_COLUMNS = [
    "framework_code",
    "framework_name_nl",
    "version_label",
    "domain_code",
    "domain_title_nl",
    "norm_code",
    "title_nl",
]

_TRUE = {"true", "yes", "ja", "1", "waar"}
_FALSE = {"false", "no", "nee", "0", "onwaar"}


def _bool_cell(value: str) -> bool | str | None:
    text = value.strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return value  # the reader then reports "expected true or false"


def _text_cells(row: dict[str, str], prefix: str) -> dict | None:
    nl, en = row.get(f"{prefix}_nl", ""), row.get(f"{prefix}_en", "")
    if not nl.strip() and not en.strip():
        return None
    return {"nl": nl, "en": en} if en.strip() else {"nl": nl}


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def read_csv(data: bytes) -> Catalogue:
    """A catalogue from a CSV file: one row per norm, see docs/catalogue-format.md."""
    check_size(data)
    text = decode_utf8(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [name.strip() for name in next(records)]
        rows = []
        for record in records:
            if len(rows) > MAX_NORMS + MAX_DOMAINS:
                raise CatalogueError(
                    [Problem("", _("Too many rows (at most %(limit)d norms).") % {"limit": MAX_NORMS})]
                )
            rows.append(record)
    except csv.Error as exc:
        raise CatalogueError(
            [
                Problem(
                    _("row %(row)d") % {"row": records.line_num},
                    _("Not valid CSV: %(detail)s") % {"detail": exc},
                )
            ]
        ) from exc

    problems: list[Problem] = []
    unknown = [name for name in header if name not in CSV_COLUMNS]
    missing = [name for name in CSV_REQUIRED_COLUMNS if name not in header]
    duplicate = sorted({name for name in header if header.count(name) > 1})
    where = _("row 1 (header)")
    if unknown:
        problems.append(Problem(where, _("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)}))
    if missing:
        problems.append(Problem(where, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}))
    if duplicate:
        problems.append(
            Problem(
                where,
                _("Columns that occur twice: %(columns)s.") % {"columns": ", ".join(duplicate)},
            )
        )
    if problems:
        problems.append(Problem(where, _("The columns are: %(columns)s.") % {"columns": ", ".join(CSV_COLUMNS)}))
        raise CatalogueError(problems)
    if not rows:
        raise CatalogueError([Problem("", _("The file has a header but no rows."))])

    def cell_at(row_number: int, column: str) -> str:
        return _("row %(row)d, column %(column)s") % {"row": row_number, "column": column}

    table: list[tuple[int, dict[str, str]]] = []
    for index, record in enumerate(rows):
        row_number = index + 2
        if not any(value.strip() for value in record):
            continue
        if len(record) != len(header):
            problems.append(
                Problem(
                    _("row %(row)d") % {"row": row_number},
                    _("Expected %(expected)d cells, found %(found)d.")
                    % {"expected": len(header), "found": len(record)},
                )
            )
            continue
        table.append((row_number, dict(zip(header, record, strict=True))))
    if problems:
        raise CatalogueError(problems)

    # Framework and version columns repeat on every row: they must agree.
    first_row, first = table[0]
    for row_number, row in table[1:]:
        for column in FRAMEWORK_COLUMNS + VERSION_COLUMNS:
            if row.get(column, "").strip() != first.get(column, "").strip():
                problems.append(
                    Problem(
                        cell_at(row_number, column),
                        _("Differs from row %(row)d; framework and version columns must be the same on every row.")
                        % {"row": first_row},
                    )
                )
    locations: dict[Path, tuple[int, str]] = {}

    def at(path: Path, row_number: int, column: str) -> Path:
        locations[path] = (row_number, column)
        return path

    framework: dict[str, Any] = {"code": first.get("framework_code", "")}
    framework["name"] = _text_cells(first, "framework_name")
    for key, column in (("owner", "framework_owner"),):
        if first.get(column, "").strip():
            framework[key] = first[column]
    if first.get("framework_sectors", "").strip():
        framework["sectors"] = [s for s in re.split(r"[\s,;]+", first["framework_sectors"].strip()) if s]
    if _text_cells(first, "framework_description"):
        framework["description"] = _text_cells(first, "framework_description")
    version: dict[str, Any] = {"label": first.get("version_label", "")}
    if first.get("version_released", "").strip():
        version["released"] = first["version_released"]
    if _bool_cell(first.get("version_scored", "")) is not None:
        version["scored"] = _bool_cell(first["version_scored"])
    if _text_cells(first, "version_source_note"):
        version["source_note"] = _text_cells(first, "version_source_note")
    for key, column in (
        ("code", "framework_code"),
        ("name", "framework_name_nl"),
        ("owner", "framework_owner"),
        ("sectors", "framework_sectors"),
        ("description", "framework_description_nl"),
    ):
        at(("framework", key), first_row, column)
    for key, column in (
        ("label", "version_label"),
        ("released", "version_released"),
        ("scored", "version_scored"),
        ("source_note", "version_source_note_nl"),
    ):
        at(("version", key), first_row, column)

    domains: dict[str, dict[str, Any]] = {}
    domain_rows: dict[str, int] = {}
    domain_list: list[dict[str, Any]] = []
    for row_number, row in table:
        code = row.get("domain_code", "").strip()
        domain_fields = {
            "part": row.get("domain_part", "").strip() or None,
            "title": _text_cells(row, "domain_title"),
            "description": _text_cells(row, "domain_description"),
        }
        if code not in domains:
            domain_index = len(domain_list)
            raw_domain = {
                "code": code,
                **{k: v for k, v in domain_fields.items() if v is not None},
                "norms": [],
            }
            domains[code] = raw_domain
            domain_rows[code] = row_number
            domain_list.append(raw_domain)
            base = ("domains", domain_index)
            at(base, row_number, "domain_code")
            for key, column in (
                ("code", "domain_code"),
                ("part", "domain_part"),
                ("title", "domain_title_nl"),
                ("description", "domain_description_nl"),
            ):
                at((*base, key), row_number, column)
            for lang in ("nl", "en"):
                at((*base, "title", lang), row_number, f"domain_title_{lang}")
                at((*base, "description", lang), row_number, f"domain_description_{lang}")
        else:
            known = domains[code]
            for key, column in (
                ("part", "domain_part"),
                ("title", "domain_title_nl"),
                ("description", "domain_description_nl"),
            ):
                if domain_fields[key] is not None and domain_fields[key] != known.get(key):
                    problems.append(
                        Problem(
                            cell_at(row_number, column),
                            _("Differs from row %(row)d for the same domain %(code)s.")
                            % {"row": domain_rows[code], "code": code},
                        )
                    )
        raw_domain = domains[code]
        if not any(row.get(column, "").strip() for column in NORM_COLUMNS):
            continue  # a row that only declares a domain
        norm_path: Path = (
            "domains",
            domain_list.index(raw_domain),
            "norms",
            len(raw_domain["norms"]),
        )
        raw_norm: dict[str, Any] = {
            "code": row.get("norm_code", ""),
            "title": _text_cells(row, "title"),
        }
        if _bool_cell(row.get("id_confirmed", "")) is not None:
            raw_norm["id_confirmed"] = _bool_cell(row["id_confirmed"])
        for key in ("statement", "rationale"):
            if _text_cells(row, key):
                raw_norm[key] = _text_cells(row, key)
        levels = {level: _text_cells(row, f"level_{level}") for level in LEVELS}
        if any(levels.values()):
            raw_norm["levels"] = {level: text for level, text in levels.items() if text}
        measures_nl = _lines(row.get("target_measures_nl", ""))
        # English lines pair with Dutch lines by position; an empty line means "no English".
        measures_en = [line.strip() for line in row.get("target_measures_en", "").rstrip().splitlines()]
        if len(measures_en) > len(measures_nl):
            problems.append(
                Problem(
                    cell_at(row_number, "target_measures_en"),
                    _("Give one English line per Dutch measure (%(nl)d Dutch, %(en)d English).")
                    % {"nl": len(measures_nl), "en": len(measures_en)},
                )
            )
        if measures_nl or measures_en:
            raw_norm["target_measures"] = [
                {"nl": nl, "en": measures_en[i]} if i < len(measures_en) and measures_en[i] else {"nl": nl}
                for i, nl in enumerate(measures_nl)
            ]
        if _lines(row.get("references", "")):
            raw_norm["references"] = _lines(row["references"])
        raw_domain["norms"].append(raw_norm)
        at(norm_path, row_number, "norm_code")
        for key, column in (
            ("code", "norm_code"),
            ("id_confirmed", "id_confirmed"),
            ("title", "title_nl"),
            ("statement", "statement_nl"),
            ("rationale", "rationale_nl"),
            ("levels", "level_1_nl"),
            ("target_measures", "target_measures_nl"),
            ("references", "references"),
        ):
            at((*norm_path, key), row_number, column)
        for lang in ("nl", "en"):
            for key in ("title", "statement", "rationale"):
                at((*norm_path, key, lang), row_number, f"{key}_{lang}")
            for level in LEVELS:
                at((*norm_path, "levels", level), row_number, f"level_{level}_nl")
                at((*norm_path, "levels", level, lang), row_number, f"level_{level}_{lang}")
        for index in range(len(raw_norm.get("target_measures", []))):
            for lang in ("nl", "en"):
                at(
                    (*norm_path, "target_measures", index, lang),
                    row_number,
                    f"target_measures_{lang}",
                )
            at((*norm_path, "target_measures", index), row_number, "target_measures_nl")
    if problems:
        raise CatalogueError(problems)

    def locate(path: Path) -> str:
        for length in range(len(path), 0, -1):
            if path[:length] in locations:
                row_number, column = locations[path[:length]]
                return cell_at(row_number, column)
        return format_path(path)

    raw = {
        "format": FORMAT_CATALOGUE,
        "framework": framework,
        "version": version,
        "domains": domain_list,
    }
    reader = Reader(locate=locate)
    catalogue = reader.catalogue(raw)
    reader.raise_if_problems()
    return catalogue


def dump_csv(catalogue: Catalogue) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    fw, version = catalogue.framework, catalogue.version
    common = {
        "framework_code": fw.code,
        "framework_name_nl": fw.name.nl,
        "framework_name_en": fw.name.en,
        "framework_owner": fw.owner,
        "framework_sectors": " ".join(fw.sectors),
        "framework_description_nl": fw.description.nl,
        "framework_description_en": fw.description.en,
        "version_label": version.label,
        "version_released": version.released.isoformat() if version.released else "",
        "version_scored": "true" if version.scored else "false",
        "version_source_note_nl": version.source_note.nl,
        "version_source_note_en": version.source_note.en,
    }
    for domain in catalogue.domains:
        domain_cells = {
            "domain_code": domain.code,
            "domain_part": domain.part,
            "domain_title_nl": domain.title.nl,
            "domain_title_en": domain.title.en,
            "domain_description_nl": domain.description.nl,
            "domain_description_en": domain.description.en,
        }
        if not domain.norms:
            writer.writerow({**common, **domain_cells})
        for norm in domain.norms:
            row = {
                **common,
                **domain_cells,
                "norm_code": norm.code,
                "id_confirmed": "true" if norm.id_confirmed else "false",
                "title_nl": norm.title.nl,
                "title_en": norm.title.en,
                "statement_nl": norm.statement.nl,
                "statement_en": norm.statement.en,
                "rationale_nl": norm.rationale.nl,
                "rationale_en": norm.rationale.en,
                "target_measures_nl": "\n".join(m.nl for m in norm.target_measures),
                "target_measures_en": "\n".join(m.en for m in norm.target_measures)
                if any(m.en for m in norm.target_measures)
                else "",
                "references": "\n".join(norm.references),
            }
            for level, text in zip(LEVELS, norm.levels, strict=False):
                row[f"level_{level}_nl"], row[f"level_{level}_en"] = text.nl, text.en
            writer.writerow(row)
    return out.getvalue()
