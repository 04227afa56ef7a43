"""Fetching advisories from a CSAF provider (CSAF 2.0 §7): provider-metadata.json, then the ROLIE
feeds (preferred, as the spec says) or the directory's changes.csv, incrementally from the
provider's cursor.

Each document is fetched with its hash file where the provider offers one (.sha512, else
.sha256) and refused when the hash differs, and with its OpenPGP signature (.asc, §7.1.19) where
offered: a signature must verify against one of the keys provider-metadata.json lists
(`public_openpgp_keys`), each taken only when the key served has the fingerprint listed beside
it. A bad signature, or one by a key that is not listed, refuses the document; a document
without a signature is taken in and reported as unsigned. Then it goes through the same check
and intake as an upload. The hash protects against a broken transfer; the signature against a
document changed on the way or on a mirror, not against a provider whose keys were taken over.

Only feeds a provider marks WHITE, GREEN or UNLABELED are read: AMBER and RED feeds need
credentials the platform does not hold. A provider that cannot be reached, or whose metadata or
feed is broken, raises FeedError and changes nothing; a single broken advisory is skipped and
reported, and the others are taken in.
"""

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import pysequoia
import requests
from django.db import transaction
from django.utils import timezone
from pysequoia.packet import PacketPile

from weerbaar.advisories import csafdoc, services
from weerbaar.advisories.choices import Source
from weerbaar.advisories.models import Provider

METADATA_LIMIT = 1024 * 1024
FEED_LIMIT = 20 * 1024 * 1024
KEY_LIMIT = 1024 * 1024
SIGNATURE_LIMIT = 64 * 1024
TIMEOUT = 20
MAX_PER_RUN = 500
PUBLIC_FEEDS = {"WHITE", "GREEN", "UNLABELED"}


class FeedError(Exception):
    """The provider or one of its files cannot be read; nothing was changed."""


def http_get(url: str, limit: int) -> bytes | None:
    """The body of `url`, None for a 404, FeedError for anything else that goes wrong. Redirects
    are not followed (CSAF requirement 6) and bodies over `limit` bytes are refused."""
    if not url.startswith("https://") and not url.startswith("http://"):
        raise FeedError(f"not a web address: {url[:200]}")
    try:
        response = requests.get(url, timeout=TIMEOUT, stream=True, allow_redirects=False)
    except requests.RequestException as exc:
        raise FeedError(f"cannot reach {url[:200]}: {exc.__class__.__name__}") from exc
    with response:
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise FeedError(f"{url[:200]} answered {response.status_code}")
        body = b""
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > limit:
                raise FeedError(f"{url[:200]} is larger than {limit} bytes")
        return body


@dataclass
class Entry:
    url: str
    updated: datetime
    hash_urls: list[str] = field(default_factory=list)
    signature_url: str = ""
    # The label for a document that carries none: that of the ROLIE feed it came from; AMBER (the
    # owning CERT's constituency) when the provider says nothing.
    tlp: str = "amber"


@dataclass
class RunResult:
    imported: int = 0
    unchanged: int = 0
    refused: list[str] = field(default_factory=list)
    # Documents taken in although the provider offers no signature for them.
    unsigned: list[str] = field(default_factory=list)


def _json(body: bytes | None, what: str) -> dict:
    if body is None:
        raise FeedError(f"{what} not found")
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise FeedError(f"{what} is not JSON") from exc
    if not isinstance(data, dict):
        raise FeedError(f"{what} is not a JSON object")
    return data


def _date(value: str, what: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (AttributeError, ValueError) as exc:
        raise FeedError(f"{what}: not a date: {str(value)[:50]}") from exc
    return moment if moment.tzinfo else timezone.make_aware(moment, timezone.utc)


_FEED_TLP = {"WHITE": "clear", "GREEN": "green"}


def _rolie_entries(feed_url: str, label: str) -> list[Entry]:
    feed = _json(http_get(feed_url, FEED_LIMIT), f"ROLIE feed {feed_url}").get("feed")
    if not isinstance(feed, dict):
        raise FeedError(f"ROLIE feed {feed_url} has no feed object")
    entries = []
    for item in feed.get("entry") or []:
        links = item.get("link") or [] if isinstance(item, dict) else []
        document = next((link.get("href") for link in links if link.get("rel") == "self"), None)
        if not document:
            document = (item.get("content") or {}).get("src")
        if not document:
            raise FeedError(f"ROLIE feed {feed_url}: an entry without a document link")
        hashes = [link["href"] for link in links if link.get("rel") == "hash" and link.get("href")]
        hashes.sort(key=lambda h: 0 if h.endswith(".sha512") else 1)
        signature = next((link.get("href") for link in links if link.get("rel") == "signature"), None)
        url = urljoin(feed_url, document)
        entries.append(
            Entry(
                url=url,
                updated=_date(item.get("updated", ""), feed_url),
                hash_urls=[urljoin(feed_url, h) for h in hashes],
                signature_url=urljoin(feed_url, signature) if signature else url + ".asc",
            )
        )
    return entries


def _directory_entries(directory_url: str) -> list[Entry]:
    base = directory_url.rstrip("/") + "/"
    body = http_get(base + "changes.csv", FEED_LIMIT)
    if body is None:
        raise FeedError(f"{base}changes.csv not found")
    try:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FeedError(f"{base}changes.csv cannot be read") from exc
    entries = []
    for row in rows:
        if not row:
            continue
        if len(row) != 2:
            raise FeedError(f"{base}changes.csv: a line without two fields")
        url = urljoin(base, row[0].strip())
        # The directory offers hash files beside each document; which exist is found by asking.
        entries.append(
            Entry(
                url=url,
                updated=_date(row[1], "changes.csv"),
                hash_urls=[url + ".sha512", url + ".sha256"],
                signature_url=url + ".asc",
            )
        )
    return entries


def entries_of(metadata: dict, metadata_url: str) -> list[Entry]:
    distributions = metadata.get("distributions")
    if not isinstance(distributions, list) or not distributions:
        raise FeedError("provider-metadata.json names no distribution")
    feeds = []
    directories = []
    for distribution in distributions:
        rolie = distribution.get("rolie") if isinstance(distribution, dict) else None
        if isinstance(rolie, dict):
            feeds.extend(
                (urljoin(metadata_url, f["url"]), str(f.get("tlp_label", "")).upper())
                for f in rolie.get("feeds") or []
                if isinstance(f, dict) and f.get("url") and str(f.get("tlp_label", "")).upper() in PUBLIC_FEEDS
            )
        if isinstance(distribution, dict) and distribution.get("directory_url"):
            directories.append(urljoin(metadata_url, distribution["directory_url"]))
    entries: list[Entry] = []
    if feeds:
        for feed, label in feeds:
            entries.extend(_rolie_entries(feed, label))
    else:
        for directory in directories:
            entries.extend(_directory_entries(directory))
    if not feeds and not directories:
        raise FeedError("provider-metadata.json offers no public ROLIE feed and no directory")
    return entries


def _check_hash(raw: bytes, entry: Entry) -> str:
    """'' when a hash file matched or none is offered; else why the document is refused."""
    for url in entry.hash_urls:
        body = http_get(url, 4096)
        if body is None:
            continue
        expected = body.decode("ascii", "replace").strip().split()[0].lower() if body.strip() else ""
        algorithm = hashlib.sha512 if url.endswith(".sha512") else hashlib.sha256
        if expected != algorithm(raw).hexdigest():
            return f"hash mismatch ({url.rsplit('.', 1)[-1]})"
        return ""
    return ""


def _openpgp_error(exc: Exception) -> str:
    # Sequoia's message is its first line; a backtrace may follow it.
    return str(exc).strip().split("\n", 1)[0][:200]


@dataclass
class ProviderKey:
    cert: pysequoia.Cert
    # The primary key and its subkeys: a signature names the (sub)key that made it.
    key_ids: set[str]


def provider_keys(metadata: dict, metadata_url: str) -> tuple[list[ProviderKey], list[str]]:
    """The OpenPGP keys provider-metadata.json lists, each fetched from its address and taken only
    when the key served there has the fingerprint listed beside it; and why others were not
    taken. FeedError when a key's address cannot be reached (signatures could not be checked)."""
    listed = metadata.get("public_openpgp_keys") or []
    if not isinstance(listed, list):
        return [], ["provider-metadata.json: public_openpgp_keys is not a list"]
    keys: list[ProviderKey] = []
    problems: list[str] = []
    for item in listed:
        if not isinstance(item, dict) or not item.get("url"):
            problems.append("provider-metadata.json: an OpenPGP key without an address")
            continue
        url = urljoin(metadata_url, str(item["url"]))
        fingerprint = "".join(str(item.get("fingerprint") or "").split()).lower()
        if not fingerprint:
            problems.append(f"{url[:200]}: OpenPGP key not used: provider-metadata.json lists no fingerprint")
            continue
        body = http_get(url, KEY_LIMIT)
        if body is None:
            problems.append(f"{url[:200]}: OpenPGP key not found")
            continue
        try:
            certs = pysequoia.Cert.split_bytes(body)
        except (RuntimeError, ValueError) as exc:
            problems.append(f"{url[:200]}: OpenPGP key cannot be read: {_openpgp_error(exc)}")
            continue
        cert = next((c for c in certs if c.fingerprint.lower() == fingerprint), None)
        if cert is None:
            served = ", ".join(c.fingerprint.upper() for c in certs) or "none"
            problems.append(
                f"{url[:200]}: OpenPGP key not used: its fingerprint ({served}) is not the one "
                f"provider-metadata.json lists ({fingerprint.upper()})"
            )
            continue
        key_ids = set()
        for packet in PacketPile.from_bytes(bytes(cert)):
            if packet.fingerprint:
                key_ids.update((packet.fingerprint.lower(), (packet.key_id or "").lower()))
        keys.append(ProviderKey(cert=cert, key_ids=key_ids - {""}))
    return keys, problems


def _check_signature(raw: bytes, entry: Entry, keys: list[ProviderKey]) -> tuple[str, bool]:
    """('', True) when the document's signature verifies against a listed key, ('', False) when
    the provider offers none; else why the document is refused."""
    if not entry.signature_url:
        return "", False
    body = http_get(entry.signature_url, SIGNATURE_LIMIT)
    if body is None:
        return "", False
    try:
        signature = pysequoia.Sig.from_bytes(body)
    except (RuntimeError, ValueError) as exc:
        return f"OpenPGP signature cannot be read ({_openpgp_error(exc)})", True
    issuer = (signature.issuer_fingerprint or signature.issuer_key_id or "").lower()
    # A signature that names no issuer (allowed, if rare) is tried against every listed key.
    signers = [key for key in keys if issuer in key.key_ids] if issuer else keys
    if not signers:
        return f"OpenPGP signature by a key provider-metadata.json does not list ({issuer.upper() or 'unknown'})", True
    try:
        verified = pysequoia.verify(bytes=raw, store=lambda ids: [k.cert for k in signers], signature=signature)
    except (RuntimeError, ValueError):
        # Sequoia says no more than that: the document or the signature was changed, or the key
        # had expired or was revoked when it signed.
        verified = None
    if verified is None or not verified.valid_sigs:
        return "OpenPGP signature does not verify", True
    return "", True


def fetch(provider: Provider) -> RunResult:
    """Take in everything the provider changed since its cursor. FeedError when the provider
    cannot be read at all (recorded on the provider; nothing else changes)."""
    started = timezone.now()
    try:
        metadata = _json(http_get(provider.metadata_url, METADATA_LIMIT), "provider-metadata.json")
        entries = sorted(entries_of(metadata, provider.metadata_url), key=lambda e: e.updated)
    except FeedError as exc:
        Provider.objects.filter(pk=provider.pk).update(last_run_at=started, last_error=str(exc)[:2000])
        raise
    fresh = [e for e in entries if provider.cursor is None or e.updated > provider.cursor][:MAX_PER_RUN]
    result = RunResult()
    keys: list[ProviderKey] = []
    if fresh:
        try:
            keys, result.refused = provider_keys(metadata, provider.metadata_url)
        except FeedError as exc:
            # Without the keys no signature can be checked: take nothing in, keep the cursor.
            Provider.objects.filter(pk=provider.pk).update(last_run_at=started, last_error=str(exc)[:2000])
            raise
    cursor = provider.cursor
    try:
        for entry in fresh:
            raw = http_get(entry.url, csafdoc.MAX_BYTES)
            if raw is None:
                result.refused.append(f"{entry.url}: not found")
                cursor = entry.updated
                continue
            problem = _check_hash(raw, entry)
            if not problem:
                problem, signed = _check_signature(raw, entry, keys)
            if problem:
                result.refused.append(f"{entry.url}: {problem}")
                cursor = entry.updated
                continue
            try:
                outcome = services.import_document(
                    actor=None,
                    raw=raw,
                    owner=provider.owner,
                    source=Source.PROVIDER,
                    provider=provider,
                    default_tlp=entry.tlp,
                )
            except csafdoc.CsafError as exc:
                result.refused.append(f"{entry.url}: {exc.test}")
            else:
                if outcome.created or outcome.updated:
                    result.imported += 1
                else:
                    result.unchanged += 1
                if not signed:
                    result.unsigned.append(entry.url)
            cursor = entry.updated
    except FeedError as exc:
        # Unreachable half-way: keep what came in, and start after it next time.
        result.refused.append(str(exc))
    with transaction.atomic():
        Provider.objects.filter(pk=provider.pk).update(
            cursor=cursor,
            last_run_at=started,
            last_imported=result.imported,
            last_error="\n".join(
                result.refused + [f"{url}: not signed (the provider offers no .asc)" for url in result.unsigned]
            )[:2000],
        )
    provider.refresh_from_db()
    return result


def fetch_all() -> dict[str, RunResult | str]:
    outcome: dict[str, RunResult | str] = {}
    for provider in Provider.objects.filter(is_active=True).select_related("owner"):
        try:
            outcome[provider.name] = fetch(provider)
        except FeedError as exc:
            outcome[provider.name] = str(exc)
    return outcome
