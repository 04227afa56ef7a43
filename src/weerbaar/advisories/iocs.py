"""Indicators of compromise in and out: STIX 2.1 bundles (with the TLP 2.0 marking definitions of
the incident desk's export) and a MISP feed directory (manifest.json, hashes.csv, one JSON file
per event, as PyMISP's feed generator writes them). Pure: no database; the callers pass only what
the reader may see.

Reading uses the `stix2` library (which checks the objects and the patterns' syntax) and
`pymisp`; only the simple comparison patterns the platform itself writes are turned into
indicators (`[domain-name:value = 'x']`); anything else in a bundle is counted as skipped.
"""

import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from weerbaar.incidents.choices import IndicatorType, Tlp
from weerbaar.incidents.stix import TLP2_MARKINGS, marking_definition, pattern, stix_id, timestamp

MAX_BYTES = 10 * 1024 * 1024
MAX_INDICATORS = 20_000
NAMESPACE = uuid.UUID("0b6f9f0e-3d43-4f7c-9a7e-3a2b1c7d5e11")

_STIX_PATHS = {
    "ipv4-addr:value": IndicatorType.IPV4,
    "ipv6-addr:value": IndicatorType.IPV6,
    "domain-name:value": IndicatorType.DOMAIN,
    "url:value": IndicatorType.URL,
    "email-addr:value": IndicatorType.EMAIL,
    "file:hashes.'SHA-256'": IndicatorType.SHA256,
    "file:hashes.'SHA-1'": IndicatorType.SHA1,
    "file:hashes.MD5": IndicatorType.MD5,
    "file:name": IndicatorType.FILENAME,
}
_SIMPLE_PATTERN = re.compile(r"^\[\s*(?P<path>[a-z0-9\-]+:[A-Za-z0-9_.'\-]+)\s*=\s*'(?P<value>(?:[^'\\]|\\.)*)'\s*\]$")
_MARKING_TLP = {marking: tlp for tlp, marking in TLP2_MARKINGS.items()}
# TLP 1.0 markings built into STIX 2.1 (and the stix2 library).
_MARKING_TLP.update(
    {
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
    }
)
_MISP_TYPES = {
    "ip-dst": IndicatorType.IPV4,
    "ip-src": IndicatorType.IPV4,
    "domain": IndicatorType.DOMAIN,
    "hostname": IndicatorType.DOMAIN,
    "url": IndicatorType.URL,
    "email-src": IndicatorType.EMAIL,
    "email-dst": IndicatorType.EMAIL,
    "sha256": IndicatorType.SHA256,
    "sha1": IndicatorType.SHA1,
    "md5": IndicatorType.MD5,
    "filename": IndicatorType.FILENAME,
}
_TO_MISP = {
    IndicatorType.IPV4: "ip-dst",
    IndicatorType.IPV6: "ip-dst",
    IndicatorType.DOMAIN: "domain",
    IndicatorType.URL: "url",
    IndicatorType.EMAIL: "email-src",
    IndicatorType.SHA256: "sha256",
    IndicatorType.SHA1: "sha1",
    IndicatorType.MD5: "md5",
    IndicatorType.FILENAME: "filename",
}


class IocError(ValueError):
    """A file that cannot be read as STIX 2.1 or as a MISP event."""


@dataclass(frozen=True)
class Ioc:
    type: str
    value: str
    description: str = ""
    tlp: str | None = None


@dataclass(frozen=True)
class Shared:
    """One indicator as it is published: what the callers pass in."""

    public_id: uuid.UUID
    type: str
    value: str
    description: str
    tlp: str
    created_at: datetime
    group: str  # the advisory's tracking id, or '' for loose indicators
    group_title: str


# --- out ------------------------------------------------------------------------------------------


def stix_bundle(indicators: Iterable[Shared], *, creator_name: str, tlp: str) -> dict:
    """One bundle for one TLP level: identity, indicators, and the marking definition."""
    creator = stix_id("identity", "creator", creator_name)
    now = timestamp(datetime.now(UTC))
    objects: list[dict] = [
        marking_definition(tlp),
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": creator,
            "created": now,
            "modified": now,
            "name": creator_name,
            "identity_class": "organization",
            "sectors": ["education"],
        },
    ]
    for indicator in indicators:
        seen = timestamp(indicator.created_at)
        objects.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": stix_id("indicator", indicator.public_id),
                "created": seen,
                "modified": seen,
                "name": f"{indicator.type}: {indicator.value}"[:250],
                "description": indicator.description or indicator.group_title,
                "indicator_types": ["malicious-activity"],
                "pattern": pattern(indicator.type, indicator.value),
                "pattern_type": "stix",
                "valid_from": seen,
                "created_by_ref": creator,
                "object_marking_refs": [TLP2_MARKINGS[tlp]],
            }
        )
    return {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}


def misp_feed(indicators: Iterable[Shared], *, creator_name: str, creator_id: uuid.UUID, tlp: str) -> dict[str, bytes]:
    """The files of a MISP feed directory for one TLP level: an event per advisory (and one for
    indicators shared without an advisory), manifest.json and hashes.csv. Returns {name: bytes}."""
    from pymisp import MISPEvent, MISPOrganisation

    groups: dict[str, list[Shared]] = {}
    for indicator in indicators:
        groups.setdefault(indicator.group, []).append(indicator)
    files: dict[str, bytes] = {}
    manifest: dict = {}
    hashes: list[str] = []
    organisation = MISPOrganisation()
    organisation.name = creator_name
    organisation.uuid = str(creator_id)
    for group, members in sorted(groups.items()):
        event = MISPEvent()
        event.uuid = str(uuid.uuid5(NAMESPACE, f"{creator_id}|{group}|{tlp}"))
        event.info = members[0].group_title or f"{creator_name}: indicators"
        newest = max(m.created_at for m in members)
        event.date = newest.date().isoformat()
        event.timestamp = newest
        event.publish_timestamp = newest
        event.threat_level_id = 2
        event.analysis = 2
        event.distribution = 1
        event.published = True
        event.Orgc = organisation
        event.add_tag(f"tlp:{tlp}")
        for member in members:
            attribute = event.add_attribute(
                _TO_MISP[member.type], member.value, to_ids=True, comment=member.description[:255]
            )
            attribute.uuid = str(member.public_id)
            attribute.timestamp = member.created_at
        feed = event.to_feed(with_meta=True)
        body = feed["Event"]
        manifest.update(body.pop("_manifest"))
        for value_hash in body.pop("_hashes"):
            hashes.append(f"{value_hash},{event.uuid}")
        files[f"{event.uuid}.json"] = json.dumps(feed, indent=1, sort_keys=True).encode()
    files["manifest.json"] = json.dumps(manifest, indent=1, sort_keys=True).encode()
    files["hashes.csv"] = ("\n".join(hashes) + ("\n" if hashes else "")).encode()
    return files


# --- in -------------------------------------------------------------------------------------------


def _load(raw: bytes, what: str) -> dict:
    if len(raw) > MAX_BYTES:
        raise IocError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise IocError(f"not a {what} (not JSON)") from exc
    if not isinstance(data, dict):
        raise IocError(f"not a {what}")
    return data


def read_stix(raw: bytes) -> tuple[list[Ioc], int]:
    """(indicators, skipped objects) of a STIX 2.1 bundle; IocError when it is no valid bundle."""
    import stix2
    from stix2.exceptions import STIXError

    data = _load(raw, "STIX 2.1 bundle")
    if data.get("type") != "bundle":
        raise IocError("not a STIX 2.1 bundle (type is not bundle)")
    objects = data.get("objects") or []
    if len(objects) > MAX_INDICATORS:
        raise IocError(f"more than {MAX_INDICATORS} objects")
    found, skipped = [], 0
    for obj in objects:
        if not isinstance(obj, dict) or obj.get("type") != "indicator":
            continue
        try:
            parsed = stix2.parse(obj, allow_custom=True, version="2.1")
        except (STIXError, ValueError) as exc:
            raise IocError(f"an indicator is not valid STIX 2.1: {str(exc)[:200]}") from exc
        match = _SIMPLE_PATTERN.match(parsed.pattern) if parsed.pattern_type == "stix" else None
        kind = _STIX_PATHS.get(match.group("path")) if match else None
        if kind is None:
            skipped += 1
            continue
        value = re.sub(r"\\(.)", r"\1", match.group("value"))
        tlp = next((_MARKING_TLP[m] for m in obj.get("object_marking_refs") or [] if m in _MARKING_TLP), None)
        found.append(Ioc(type=kind, value=value[:2000], description=str(obj.get("description", ""))[:2000], tlp=tlp))
    return found, skipped


def read_misp(raw: bytes) -> tuple[list[Ioc], int, str | None]:
    """(indicators, skipped attributes, the event's TLP tag) of a MISP event (JSON)."""
    from pymisp import MISPEvent

    data = _load(raw, "MISP event")
    event = MISPEvent()
    try:
        event.load(data)
    except Exception as exc:  # pymisp raises its own and plain errors alike for a bad event
        raise IocError(f"not a MISP event: {str(exc)[:200]}") from exc
    tlp = None
    for tag in event.tags:
        name = tag.name.lower()
        if name.startswith("tlp:"):
            label = name[4:].replace("white", "clear")
            if label in Tlp.values:
                tlp = label
    found, skipped = [], 0
    attributes = list(event.attributes) + [a for o in event.objects for a in o.attributes]
    if len(attributes) > MAX_INDICATORS:
        raise IocError(f"more than {MAX_INDICATORS} attributes")
    for attribute in attributes:
        kind = _MISP_TYPES.get(attribute.type)
        if kind is None or not getattr(attribute, "to_ids", False):
            skipped += 1
            continue
        found.append(
            Ioc(
                type=kind,
                value=str(attribute.value)[:2000],
                description=str(getattr(attribute, "comment", "") or "")[:2000],
            )
        )
    return found, skipped, tlp
