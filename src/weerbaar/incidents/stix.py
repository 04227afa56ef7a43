"""An incident and its indicators as a STIX 2.1 bundle, marked with the TLP 2.0 marking
definitions. Written out by hand (no library): the `stix2` package knows only TLP 1.0.

The TLP 2.0 marking definitions are the fixed objects of the OASIS extension definition
extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d; they travel inside the bundle,
since consumers such as MISP drop objects whose marking they do not know.

No database access here: the caller passes only what the reader may see.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from weerbaar.incidents.choices import IndicatorType, Tlp

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
TLP2_MARKINGS = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# Stable ids: exporting the same incident twice gives the same STIX ids, so a consumer updates
# its copy instead of keeping two.
NAMESPACE = uuid.UUID("5a0c3a52-8f3e-4a43-9d43-6c7a4f0f2b11")

_PATTERN_PATHS = {
    IndicatorType.IPV4: "ipv4-addr:value",
    IndicatorType.IPV6: "ipv6-addr:value",
    IndicatorType.DOMAIN: "domain-name:value",
    IndicatorType.URL: "url:value",
    IndicatorType.EMAIL: "email-addr:value",
    IndicatorType.SHA256: "file:hashes.'SHA-256'",
    IndicatorType.SHA1: "file:hashes.'SHA-1'",
    IndicatorType.MD5: "file:hashes.MD5",
    IndicatorType.FILENAME: "file:name",
}


def stricter(a: str, b: str) -> str:
    """The more restrictive of two TLP labels (a link between two records says something about
    both)."""
    order = list(Tlp.values)
    return a if order.index(a) >= order.index(b) else b


def timestamp(moment: datetime) -> str:
    """STIX timestamps: UTC, with milliseconds and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.astimezone(UTC).microsecond // 1000:03d}Z"


def stix_id(kind: str, *parts: object) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, '|'.join(str(p) for p in parts))}"


def marking_definition(tlp: str) -> dict:
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP2_MARKINGS[tlp],
        "created": TLP2_CREATED,
        "name": Tlp(tlp).label,
        "extensions": {TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": str(tlp)}},
    }


def pattern(type_: str, value: str) -> str:
    """A STIX pattern comparing one property with the value (quotes and backslashes escaped)."""
    literal = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"[{_PATTERN_PATHS[type_]} = '{literal}']"


def bundle(incident, indicators: Sequence, *, creator_name: str) -> dict:
    """The bundle: the creator's identity, the incident, its indicators, a relationship from each
    indicator to the incident, and every TLP marking definition used."""
    creator = stix_id("identity", "creator", creator_name)
    created = timestamp(incident.submitted_at or incident.created_at)
    modified = timestamp(max(incident.updated_at, incident.submitted_at or incident.updated_at))
    incident_id = stix_id("incident", incident.public_id)
    used = {incident.tlp}
    objects: list[dict] = [
        {
            "type": "identity",
            "spec_version": "2.1",
            "id": creator,
            "created": created,
            "modified": created,
            "name": creator_name,
            "identity_class": "organization",
            "sectors": ["education"],
        },
        {
            "type": "incident",
            "spec_version": "2.1",
            "id": incident_id,
            "created": created,
            "modified": modified,
            "name": incident.title,
            "description": incident.description or incident.title,
            "created_by_ref": creator,
            "object_marking_refs": [TLP2_MARKINGS[incident.tlp]],
        },
    ]
    for indicator in indicators:
        used.add(indicator.tlp)
        marking = [TLP2_MARKINGS[indicator.tlp]]
        indicator_id = stix_id("indicator", indicator.public_id)
        seen = timestamp(indicator.created_at)
        objects.append(
            {
                "type": "indicator",
                "spec_version": "2.1",
                "id": indicator_id,
                "created": seen,
                "modified": seen,
                "name": f"{indicator.type}: {indicator.value}"[:250],
                "description": indicator.description or "",
                "indicator_types": ["malicious-activity"],
                "pattern": pattern(indicator.type, indicator.value),
                "pattern_type": "stix",
                "valid_from": seen,
                "created_by_ref": creator,
                "object_marking_refs": marking,
            }
        )
        objects.append(
            {
                "type": "relationship",
                "spec_version": "2.1",
                "id": stix_id("relationship", indicator.public_id, incident.public_id),
                "created": seen,
                "modified": seen,
                "relationship_type": "related-to",
                "source_ref": indicator_id,
                "target_ref": incident_id,
                "created_by_ref": creator,
                "object_marking_refs": [TLP2_MARKINGS[stricter(indicator.tlp, incident.tlp)]],
            }
        )
    markings = [marking_definition(tlp) for tlp in Tlp.values if tlp in used]
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid4()}",
        "objects": markings + objects,
    }
