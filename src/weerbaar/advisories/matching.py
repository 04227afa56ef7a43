"""Matching advisories to inventories: version comparison, `vers` ranges, product keys and the
confidence tiers. Pure: no database, so it can be tested on its own and run on any candidate set.

The tiers (strongest first):

1. PURL: the package (type/namespace/name) is the same and the version lies in the range;
2. CPE: vendor and product of the CPE are the same and the version lies in the range;
3. NAME: the normalised vendor and product names are the same and the version lies in the range;
4. VERSION_NOT_STATED: the product is the same by any of the above, but the advisory gives no
   usable version (`vers:unknown/*`, `*`) or the inventory records none. Shown as "possibly
   affected", never as "affected".

A product whose version is stated on both sides and lies outside the range is no match at all.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property, lru_cache


class Tier(IntEnum):
    PURL = 1
    CPE = 2
    NAME = 3
    VERSION_NOT_STATED = 4


# --- versions -------------------------------------------------------------------------------------

_TOKEN = re.compile(r"\d+|[a-z]+")
# Words that mark a version before its release: 1.0-rc1 comes before 1.0.
_PRE_RELEASE = ("dev", "alpha", "a", "beta", "b", "pre", "preview", "rc", "c")


@lru_cache(maxsize=65536)
def version_key(version: str) -> tuple:
    """A sort key that orders versions the way vendors mean them.

    Numbers compare as numbers, so four-part Windows builds (10.0.19045.3803 > 10.0.19045.100)
    and long patch numbers (2.8.123e > 2.8.75) come out right; trailing zeros do not count
    (10.0 == 10.0.0); a pre-release word sorts before the release it precedes (1.0rc1 < 1.0),
    any other word after it (2.8.123e > 2.8.123).
    Build metadata after '+' is ignored, as semver says.
    """
    text = version.strip().lower()
    if text.startswith("v") and text[1:2].isdigit():
        text = text[1:]
    text = text.split("+", 1)[0]
    parts: list[tuple[int, int | str]] = []
    for token in _TOKEN.findall(text):
        if token.isdigit():
            parts.append((2, int(token)))
        elif token in _PRE_RELEASE:
            parts.append((0, _PRE_RELEASE.index(token)))
        else:
            parts.append((1, token))
    # Trailing zeros of the numeric release part say nothing: 10.0.0 is 10.0, 1.0.0-rc1 is 1-rc1.
    release = 0
    while release < len(parts) and parts[release][0] == 2:
        release += 1
    end = release
    while end > 0 and parts[end - 1] == (2, 0):
        end -= 1
    parts = parts[:end] + parts[release:]
    # A release is greater than its pre-releases and smaller than its later patches: pad with a
    # marker between the two.
    return (*parts, (1, ""))


def compare(a: str, b: str) -> int:
    ka, kb = version_key(a), version_key(b)
    return (ka > kb) - (ka < kb)


# The same order as a string, so that a database compares versions on an index: every part of
# version_key() becomes a fixed-width piece whose first character is its kind (0 pre-release,
# 1 word, 2 number), numbers zero-padded and words padded with '0' (below any letter). Two keys
# compare byte by byte exactly as their tuples do, because equal leading parts have equal widths.
# Numbers wider than the padding or longer words cannot be written this way: no key, and the
# caller compares in Python.
SORT_KEY_NUMBER_WIDTH = 10
SORT_KEY_WORD_WIDTH = 12
SORT_KEY_MAX_LENGTH = 200


@lru_cache(maxsize=65536)
def sort_key(version: str) -> str | None:
    """version_key() as a string with the same order (byte order, as the C collation has it):
    '' for no version, None when the version cannot be written so (see above)."""
    if not (version or "").strip():
        return ""
    return _sort_key_of(version_key(version))


def _sort_key_of(key: tuple) -> str | None:
    """sort_key() of an already computed version_key() (range bounds are kept as tuples)."""
    pieces = []
    for kind, value in key:
        if kind == 2:
            text = str(value)
            if len(text) > SORT_KEY_NUMBER_WIDTH:
                return None
            pieces.append("2" + text.zfill(SORT_KEY_NUMBER_WIDTH))
        elif kind == 0:
            pieces.append(f"0{value}")
        else:
            if len(value) > SORT_KEY_WORD_WIDTH or not value.isascii():
                return None
            pieces.append("1" + value.ljust(SORT_KEY_WORD_WIDTH, "0"))
    text = "".join(pieces)
    return text if len(text) <= SORT_KEY_MAX_LENGTH else None


# --- ranges ---------------------------------------------------------------------------------------

_OPS = ("<=", ">=", "!=", "<", ">", "=")
_FREE_RANGE = re.compile(r"(<=|>=|!=|<|>|=)?\s*([0-9][0-9A-Za-z.\-_+~]*)")


@dataclass(frozen=True)
class VersionRange:
    """A set of versions: `any_version` when the source states none usable, else constraints
    in `vers` order: a list of (operator, version)."""

    constraints: tuple[tuple[str, str], ...] = ()
    any_version: bool = False

    @property
    def stated(self) -> bool:
        return not self.any_version and bool(self.constraints)

    @cached_property
    def _compiled(self) -> tuple[frozenset, frozenset, tuple]:
        """(excluded keys, exact keys, intervals): the `vers` algorithm, worked out once per range
        so that checking one of tens of thousands of candidates is a few tuple comparisons."""
        excluded = frozenset(version_key(v) for op, v in self.constraints if op == "!=")
        exact_keys = frozenset(version_key(v) for op, v in self.constraints if op == "=")
        intervals = []
        lower: tuple[bool, tuple] | None = None
        for op, bound in self.constraints:
            if op in (">", ">="):
                lower = (op == ">=", version_key(bound))
            elif op in ("<", "<="):
                intervals.append((lower, (op == "<=", version_key(bound))))
                lower = None
        if lower is not None:
            intervals.append((lower, None))
        return excluded, exact_keys, tuple(intervals)

    @cached_property
    def sort_bounds(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple] | None:
        """The range in sort_key() strings, for a database to check: (excluded keys, exact keys,
        intervals of (inclusive, key) bounds, None for open), read as contains() reads them.
        None when a bound has no sort key (then the range is checked in Python)."""
        excluded, exact_keys, intervals = [], [], []
        for op, bound in self.constraints:
            if op in ("!=", "="):
                key = sort_key(bound)
                if not key:
                    return None
                (excluded if op == "!=" else exact_keys).append(key)
        for lower, upper in self._compiled[2]:
            converted = []
            for bound in (lower, upper):
                if bound is None:
                    converted.append(None)
                    continue
                key = _sort_key_of(bound[1])
                if not key:
                    return None
                converted.append((bound[0], key))
            intervals.append(tuple(converted))
        return tuple(excluded), tuple(exact_keys), tuple(intervals)

    def contains(self, version: str) -> bool:
        """Whether `version` lies in the range: not excluded, and equal to a listed version or
        inside an interval made of consecutive lower and upper bounds."""
        if self.any_version:
            return True
        key = version_key(version)
        excluded, exact_keys, intervals = self._compiled
        if key in excluded:
            return False
        if key in exact_keys:
            return True
        for lower, upper in intervals:
            if lower is not None and not (key >= lower[1] if lower[0] else key > lower[1]):
                continue
            if upper is not None and not (key <= upper[1] if upper[0] else key < upper[1]):
                continue
            return True
        return False


ANY = VersionRange(any_version=True)


def exact(version: str) -> VersionRange:
    return VersionRange(constraints=(("=", version),))


def parse_range(text: str) -> VersionRange:
    """A range from a CSAF `product_version_range`: a `vers` string (`vers:generic/>=2.4|<2.4.58`)
    or the free forms vendors write (`<= 4.2`, `>=1.0 <2.0`). `vers:unknown/*`, `*`, `all` and
    anything unreadable mean the version is not stated."""
    text = (text or "").strip()
    if not text:
        return ANY
    if text.lower().startswith("vers:"):
        _scheme, _, body = text[5:].partition("/")
        if not body or body.strip() == "*" or _scheme.lower() == "unknown":
            return ANY
        constraints = []
        for part in body.split("|"):
            part = part.strip()
            if not part:
                continue
            op = next((o for o in _OPS if part.startswith(o)), "=")
            value = part[len(op) :].strip() if part.startswith(op) else part
            if not value or value == "*":
                return ANY
            constraints.append((op, value))
        return VersionRange(constraints=tuple(constraints)) if constraints else ANY
    if text.lower() in ("*", "all", "all versions", "-"):
        return ANY
    constraints = [(op or "=", value) for op, value in _FREE_RANGE.findall(text)]
    if not constraints:
        return ANY
    # "< 2.0" alone and ">= 1.0 < 2.0" are ranges; a lone bare version is an exact one.
    return VersionRange(constraints=tuple(constraints))


# --- product keys ---------------------------------------------------------------------------------

_NON_WORD = re.compile(r"[^a-z0-9]+")
_COMPANY_SUFFIX = {
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "ltd",
    "limited",
    "llc",
    "bv",
    "nv",
    "gmbh",
    "ag",
    "sa",
}
_CPE23 = re.compile(r"^cpe:2\.3:[aho\*\-]:", re.IGNORECASE)


def normalise(name: str) -> str:
    """Lower case, punctuation to single spaces, company suffixes dropped ("Microsoft
    Corporation" is "microsoft")."""
    words = _NON_WORD.sub(" ", (name or "").lower()).split()
    while len(words) > 1 and words[-1] in _COMPANY_SUFFIX:
        words.pop()
    return " ".join(words)


def name_key(vendor: str, product: str) -> str:
    """'vendor|product', normalised; the vendor's name in front of the product's is dropped, so
    'Microsoft' + 'Microsoft Windows' and 'Microsoft' + 'Windows' meet."""
    v, p = normalise(vendor), normalise(product)
    if v and p.startswith(v + " "):
        p = p[len(v) + 1 :]
    return f"{v}|{p}" if p else ""


def _cpe_unquote(value: str) -> str:
    return value.replace("\\", "")


def parse_cpe(cpe: str) -> tuple[str, str]:
    """(key 'vendor:product', version or '') of a CPE 2.3 or 2.2 name; ('', '') if it names no
    vendor and product (a wildcard CPE would match everything)."""
    cpe = (cpe or "").strip().lower()
    if _CPE23.match(cpe):
        parts = re.split(r"(?<!\\):", cpe)
        vendor, product, version = ([*parts, "", "", "", "", "", ""])[3:6]
    elif cpe.startswith("cpe:/"):
        parts = cpe[5:].split(":")
        vendor, product, version = ([*parts, "", "", "", ""])[1:4]
    else:
        return "", ""
    vendor, product = _cpe_unquote(vendor), _cpe_unquote(product)
    if vendor in ("", "*", "-") or product in ("", "*", "-"):
        return "", ""
    version = _cpe_unquote(version)
    return f"{vendor}:{product}", "" if version in ("*", "-") else version


def parse_purl(purl: str) -> tuple[str, str]:
    """(key 'type/namespace/name' in lower case, version or '') of a package URL."""
    purl = (purl or "").strip()
    if not purl.lower().startswith("pkg:"):
        return "", ""
    body = purl[4:].split("#", 1)[0].split("?", 1)[0]
    body, _, version = body.partition("@")
    body = body.strip("/")
    if "/" not in body:
        return "", ""
    from urllib.parse import unquote

    return unquote(body).lower(), unquote(version)


# --- matching -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AffectedProduct:
    """One product an advisory says is affected, with the keys it can be found by."""

    ref: object
    purl_key: str = ""
    cpe_key: str = ""
    name_key: str = ""
    versions: VersionRange = ANY


@dataclass(frozen=True)
class Item:
    """One inventory item as the matcher needs it."""

    ref: object
    purl_key: str = ""
    cpe_key: str = ""
    name_key: str = ""
    version: str = ""


@dataclass(frozen=True)
class Match:
    product: object
    item: object
    tier: Tier


@dataclass
class _Index:
    by_purl: dict[str, list[AffectedProduct]] = field(default_factory=dict)
    by_cpe: dict[str, list[AffectedProduct]] = field(default_factory=dict)
    by_name: dict[str, list[AffectedProduct]] = field(default_factory=dict)


def _index(products: Iterable[AffectedProduct]) -> _Index:
    index = _Index()
    for product in products:
        for key, table in (
            (product.purl_key, index.by_purl),
            (product.cpe_key, index.by_cpe),
            (product.name_key, index.by_name),
        ):
            if key:
                table.setdefault(key, []).append(product)
    return index


def match_item(item: Item, index: _Index) -> Match | None:
    """The strongest match of one inventory item against the advisory's products, if any."""
    best: Match | None = None
    for tier, key, table in (
        (Tier.PURL, item.purl_key, index.by_purl),
        (Tier.CPE, item.cpe_key, index.by_cpe),
        (Tier.NAME, item.name_key, index.by_name),
    ):
        if not key:
            continue
        for product in table.get(key, ()):
            if not product.versions.stated or not item.version.strip():
                found = Tier.VERSION_NOT_STATED
            elif product.versions.contains(item.version):
                found = tier
            else:
                continue
            if best is None or found < best.tier:
                best = Match(product=product.ref, item=item.ref, tier=found)
        if best is not None and best.tier == tier:
            return best
    return best


def match(products: Sequence[AffectedProduct], items: Iterable[Item]) -> list[Match]:
    """Every inventory item that one of the products matches, each once with its strongest tier."""
    index = _index(products)
    found = []
    for item in items:
        result = match_item(item, index)
        if result is not None:
            found.append(result)
    return found
