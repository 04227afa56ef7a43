"""Fetching from a CSAF provider: a fake provider served from a dict (no network), through
changes.csv and ROLIE, incrementally, with hash and OpenPGP signature checks (throwaway keys made
per test run); broken and unreachable providers."""

import hashlib
import json

import pysequoia
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.advisories.conftest import csaf_fixture
from weerbaar.advisories import providers, services
from weerbaar.advisories.models import Advisory, Provider

BASE = "https://csaf.example.test"
METADATA = f"{BASE}/.well-known/csaf/provider-metadata.json"


def _doc(name: str, tracking_id: str, release: str) -> bytes:
    doc = json.loads(csaf_fixture(f"examples/{name}").read_text())
    doc["document"]["tracking"]["id"] = tracking_id
    doc["document"]["tracking"]["current_release_date"] = release
    doc["document"]["tracking"]["initial_release_date"] = release
    for revision in doc["document"]["tracking"]["revision_history"]:
        revision["date"] = release
    return json.dumps(doc).encode()


class FakeProvider:
    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        self.down = False
        self.unreachable: set[str] = set()

    def get(self, url, limit):
        self.requests.append(url)
        if self.down or url in self.unreachable:
            raise providers.FeedError(f"cannot reach {url}: ConnectionError")
        body = self.files.get(url)
        if body is not None and len(body) > limit:
            raise providers.FeedError(f"{url} is larger than {limit} bytes")
        return body

    def directory(self, docs: list[tuple[str, bytes, str]], hashes: str = "sha512"):
        self.files[METADATA] = json.dumps(
            {"distributions": [{"directory_url": f"{BASE}/csaf/"}], "role": "csaf_trusted_provider"}
        ).encode()
        lines = []
        for path, raw, date in docs:
            self.files[f"{BASE}/csaf/{path}"] = raw
            if hashes == "sha512":
                self.files[f"{BASE}/csaf/{path}.sha512"] = f"{hashlib.sha512(raw).hexdigest()}  {path}".encode()
            elif hashes == "sha256":
                self.files[f"{BASE}/csaf/{path}.sha256"] = hashlib.sha256(raw).hexdigest().encode()
            lines.append(f'"{path}","{date}"')
        self.files[f"{BASE}/csaf/changes.csv"] = "\n".join(reversed(lines)).encode()

    def publish_keys(self, *keys: tuple[str, pysequoia.Tsk, str | None]):
        """List keys in provider-metadata.json as (file name, key served, fingerprint listed)."""
        metadata = json.loads(self.files[METADATA])
        metadata["public_openpgp_keys"] = []
        for name, key, fingerprint in keys:
            self.files[f"{BASE}/keys/{name}"] = str(key.extract_certificate()).encode()
            metadata["public_openpgp_keys"].append(
                {"url": f"{BASE}/keys/{name}", "fingerprint": fingerprint or key.extract_certificate().fingerprint}
            )
        self.files[METADATA] = json.dumps(metadata).encode()

    def sign(self, url: str, key: pysequoia.Tsk, raw: bytes | None = None):
        signed = self.files[url] if raw is None else raw
        self.files[url + ".asc"] = pysequoia.sign(key.signer(), signed, mode=pysequoia.SignatureMode.DETACHED)


@pytest.fixture
def fake(monkeypatch):
    provider = FakeProvider()
    monkeypatch.setattr(providers, "http_get", provider.get)
    return provider


@pytest.fixture(scope="module")
def signing_key():
    return pysequoia.Tsk.generate("Throwaway test key of the fake CSAF provider <csaf@example.test>")


@pytest.fixture(scope="module")
def other_key():
    return pysequoia.Tsk.generate("Throwaway test key nobody lists <other@example.test>")


@pytest.fixture
def provider(world):
    return services.add_provider(actor=world.analyst.user, owner=world.cert, name="Fake", metadata_url=METADATA)


def test_directory_incremental_with_hashes(fake, provider):
    first = _doc("bsi-2022-0001.json", "FAKE-0001", "2026-01-01T10:00:00Z")
    fake.directory([("2026/fake-0001.json", first, "2026-01-01T10:00:00+00:00")])
    result = providers.fetch(provider)
    assert (result.imported, result.refused) == (1, [])
    advisory = Advisory.objects.get()
    assert (advisory.tracking_id, advisory.owner, advisory.source) == ("FAKE-0001", provider.owner, "provider")
    second = _doc("cisco-sa-20180328-smi2.json", "FAKE-0002", "2026-01-02T10:00:00Z")
    fake.directory(
        [
            ("2026/fake-0001.json", first, "2026-01-01T10:00:00+00:00"),
            ("2026/fake-0002.json", second, "2026-01-02T10:00:00+00:00"),
        ]
    )
    fake.requests.clear()
    result = providers.fetch(provider)
    assert result.imported == 1
    # Incremental: the first document is not fetched again.
    assert f"{BASE}/csaf/2026/fake-0001.json" not in fake.requests
    assert Advisory.objects.count() == 2


def test_hash_mismatch_is_refused_and_others_taken_in(fake, provider):
    good = _doc("bsi-2022-0001.json", "FAKE-0001", "2026-01-01T10:00:00Z")
    bad = _doc("cisco-sa-20180328-smi2.json", "FAKE-0002", "2026-01-02T10:00:00Z")
    fake.directory([("a.json", good, "2026-01-01T10:00:00Z"), ("b.json", bad, "2026-01-02T10:00:00Z")], hashes="sha256")
    fake.files[f"{BASE}/csaf/b.json.sha256"] = b"0" * 64
    result = providers.fetch(provider)
    assert result.imported == 1
    assert result.refused == [f"{BASE}/csaf/b.json: hash mismatch (sha256)"]
    assert list(Advisory.objects.values_list("tracking_id", flat=True)) == ["FAKE-0001"]
    assert "hash mismatch" in Provider.objects.get().last_error


def test_invalid_document_is_reported_by_test(fake, provider):
    bad = csaf_fixture("oasis-testdata/mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json").read_bytes()
    fake.directory([("x.json", bad, "2026-01-01T10:00:00Z")])
    result = providers.fetch(provider)
    assert result.refused == [f"{BASE}/csaf/x.json: 6.1.1 Missing Definition of Product ID"]
    assert not Advisory.objects.exists()


def test_rolie_feed_is_preferred(fake, provider):
    raw = _doc("bsi-2022-0001.json", "ROLIE-0001", "2026-03-01T10:00:00Z")
    fake.files[METADATA] = json.dumps(
        {
            "distributions": [
                {"directory_url": f"{BASE}/csaf/"},
                {
                    "rolie": {
                        "feeds": [
                            {"tlp_label": "WHITE", "url": f"{BASE}/feeds/white.json"},
                            {"tlp_label": "AMBER", "url": f"{BASE}/feeds/amber.json"},
                        ]
                    }
                },
            ]
        }
    ).encode()
    fake.files[f"{BASE}/feeds/white.json"] = json.dumps(
        {
            "feed": {
                "entry": [
                    {
                        "updated": "2026-03-01T10:00:00Z",
                        "link": [
                            {"rel": "self", "href": f"{BASE}/white/rolie-0001.json"},
                            {"rel": "hash", "href": f"{BASE}/white/rolie-0001.json.sha512"},
                        ],
                    }
                ]
            }
        }
    ).encode()
    fake.files[f"{BASE}/white/rolie-0001.json"] = raw
    fake.files[f"{BASE}/white/rolie-0001.json.sha512"] = hashlib.sha512(raw).hexdigest().encode()
    result = providers.fetch(provider)
    assert result.imported == 1
    assert f"{BASE}/csaf/changes.csv" not in fake.requests
    assert f"{BASE}/feeds/amber.json" not in fake.requests


@pytest.mark.parametrize(
    "breakage",
    [
        "down",
        "metadata-not-json",
        "no-distribution",
        "changes-missing",
        "changes-garbled",
    ],
)
def test_broken_or_unreachable_provider_keeps_earlier_data(fake, provider, breakage):
    raw = _doc("bsi-2022-0001.json", "FAKE-0001", "2026-01-01T10:00:00Z")
    fake.directory([("a.json", raw, "2026-01-01T10:00:00Z")])
    providers.fetch(provider)
    cursor = Provider.objects.get().cursor
    if breakage == "down":
        fake.down = True
    elif breakage == "metadata-not-json":
        fake.files[METADATA] = b"<html>maintenance</html>"
    elif breakage == "no-distribution":
        fake.files[METADATA] = b'{"distributions": []}'
    elif breakage == "changes-missing":
        del fake.files[f"{BASE}/csaf/changes.csv"]
    else:
        fake.files[f"{BASE}/csaf/changes.csv"] = b'"b.json","not a date"'
    with pytest.raises(providers.FeedError):
        providers.fetch(provider)
    stored = Provider.objects.get()
    assert stored.cursor == cursor
    assert stored.last_error
    assert list(Advisory.objects.values_list("tracking_id", flat=True)) == ["FAKE-0001"]


def test_command_reports_unreachable_provider(fake, provider, capsys):
    fake.down = True
    with pytest.raises(CommandError):
        call_command("fetch_csaf_providers")
    assert "not read" in capsys.readouterr().err


def test_only_https_provider_metadata(world):
    with pytest.raises(services.InputRefusedError):
        services.add_provider(actor=world.analyst.user, owner=world.cert, name="x", metadata_url="http://x/y.json")


def test_http_get_refuses_large_bodies_and_redirects(monkeypatch):
    class Response:
        def __init__(self, status, chunks):
            self.status_code, self._chunks = status, chunks

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def iter_content(self, size):
            yield from self._chunks

    calls = []

    def fake_get(url, **kwargs):
        calls.append(kwargs)
        return {"big": Response(200, [b"x" * 600] * 3), "moved": Response(302, []), "gone": Response(404, [])}[
            url.rsplit("/", 1)[-1]
        ]

    monkeypatch.setattr(providers.requests, "get", fake_get)
    with pytest.raises(providers.FeedError):
        providers.http_get("https://p.test/big", 1000)
    with pytest.raises(providers.FeedError):
        providers.http_get("https://p.test/moved", 1000)
    assert providers.http_get("https://p.test/gone", 1000) is None
    assert all(call["allow_redirects"] is False for call in calls)


def test_good_signature_is_accepted(fake, provider, signing_key):
    raw = _doc("bsi-2022-0001.json", "SIG-0001", "2026-01-01T10:00:00Z")
    fake.directory([("a.json", raw, "2026-01-01T10:00:00Z")])
    fake.publish_keys(("provider.asc", signing_key, None))
    fake.sign(f"{BASE}/csaf/a.json", signing_key)
    result = providers.fetch(provider)
    assert (result.imported, result.refused, result.unsigned) == (1, [], [])
    assert f"{BASE}/csaf/a.json.asc" in fake.requests
    assert Provider.objects.get().last_error == ""


def test_tampered_document_is_refused_and_earlier_version_kept(fake, provider, signing_key):
    first = _doc("bsi-2022-0001.json", "SIG-0001", "2026-01-01T10:00:00Z")
    fake.directory([("a.json", first, "2026-01-01T10:00:00Z")])
    fake.publish_keys(("provider.asc", signing_key, None))
    fake.sign(f"{BASE}/csaf/a.json", signing_key)
    assert providers.fetch(provider).imported == 1
    stored = Advisory.objects.get()
    # A newer version whose hash file was made for the altered text, its signature for the original.
    update = _doc("bsi-2022-0001.json", "SIG-0001", "2026-01-05T10:00:00Z")
    doc = json.loads(update)
    doc["document"]["title"] = "Nothing to see here"
    tampered = json.dumps(doc).encode()
    fake.directory([("a.json", tampered, "2026-01-05T10:00:00Z")])
    fake.publish_keys(("provider.asc", signing_key, None))
    fake.sign(f"{BASE}/csaf/a.json", signing_key, raw=update)
    result = providers.fetch(provider)
    assert result.imported == 0
    assert len(result.refused) == 1
    assert result.refused[0].startswith(f"{BASE}/csaf/a.json: OpenPGP signature does not verify")
    assert "OpenPGP signature does not verify" in Provider.objects.get().last_error
    kept = Advisory.objects.get()
    assert (kept.pk, bytes(kept.raw), kept.current_release) == (stored.pk, bytes(stored.raw), stored.current_release)


def test_signature_by_a_key_not_listed_is_refused(fake, provider, signing_key, other_key):
    raw = _doc("bsi-2022-0001.json", "SIG-0001", "2026-01-01T10:00:00Z")
    fake.directory([("a.json", raw, "2026-01-01T10:00:00Z")])
    fake.publish_keys(("provider.asc", signing_key, None))
    fake.sign(f"{BASE}/csaf/a.json", other_key)
    result = providers.fetch(provider)
    assert result.imported == 0
    # The signature names the signing subkey, not the primary key.
    signer = pysequoia.Sig.from_bytes(fake.files[f"{BASE}/csaf/a.json.asc"]).issuer_fingerprint.upper()
    assert result.refused == [
        f"{BASE}/csaf/a.json: OpenPGP signature by a key provider-metadata.json does not list ({signer})"
    ]
    assert not Advisory.objects.exists()


def test_key_whose_fingerprint_differs_from_the_listed_one_is_not_used(fake, provider, signing_key, other_key):
    raw = _doc("bsi-2022-0001.json", "SIG-0001", "2026-01-01T10:00:00Z")
    fake.directory([("a.json", raw, "2026-01-01T10:00:00Z")])
    # The metadata pins signing_key's fingerprint; the server hands out other_key, which signed.
    fake.publish_keys(("provider.asc", other_key, signing_key.extract_certificate().fingerprint))
    fake.sign(f"{BASE}/csaf/a.json", other_key)
    result = providers.fetch(provider)
    assert result.imported == 0
    assert result.refused[0] == (
        f"{BASE}/keys/provider.asc: OpenPGP key not used: its fingerprint "
        f"({other_key.extract_certificate().fingerprint.upper()}) is not the one provider-metadata.json lists "
        f"({signing_key.extract_certificate().fingerprint.upper()})"
    )
    assert result.refused[1].startswith(f"{BASE}/csaf/a.json: OpenPGP signature by a key provider-metadata.json")
    assert not Advisory.objects.exists()


def test_unsigned_document_is_taken_in_and_reported(fake, provider, signing_key):
    raw = _doc("bsi-2022-0001.json", "SIG-0001", "2026-01-01T10:00:00Z")
    fake.directory([("a.json", raw, "2026-01-01T10:00:00Z")])
    fake.publish_keys(("provider.asc", signing_key, None))
    result = providers.fetch(provider)
    assert (result.imported, result.refused, result.unsigned) == (1, [], [f"{BASE}/csaf/a.json"])
    assert Provider.objects.get().last_error == f"{BASE}/csaf/a.json: not signed (the provider offers no .asc)"
    assert Advisory.objects.get().tracking_id == "SIG-0001"


def test_unreachable_key_changes_nothing(fake, provider, signing_key):
    raw = _doc("bsi-2022-0001.json", "SIG-0001", "2026-01-01T10:00:00Z")
    fake.directory([("a.json", raw, "2026-01-01T10:00:00Z")])
    fake.publish_keys(("provider.asc", signing_key, None))
    fake.sign(f"{BASE}/csaf/a.json", signing_key)
    fake.unreachable.add(f"{BASE}/keys/provider.asc")
    with pytest.raises(providers.FeedError):
        providers.fetch(provider)
    stored = Provider.objects.get()
    assert (stored.cursor, "keys/provider.asc" in stored.last_error) == (None, True)
    assert not Advisory.objects.exists()


def test_rolie_signature_link_is_followed(fake, provider, signing_key):
    raw = _doc("bsi-2022-0001.json", "ROLIE-0001", "2026-03-01T10:00:00Z")
    fake.files[METADATA] = json.dumps(
        {"distributions": [{"rolie": {"feeds": [{"tlp_label": "WHITE", "url": f"{BASE}/white.json"}]}}]}
    ).encode()
    fake.files[f"{BASE}/white.json"] = json.dumps(
        {
            "feed": {
                "entry": [
                    {
                        "updated": "2026-03-01T10:00:00Z",
                        "link": [
                            {"rel": "self", "href": f"{BASE}/white/r.json"},
                            {"rel": "signature", "href": f"{BASE}/signatures/r.json.asc"},
                        ],
                    }
                ]
            }
        }
    ).encode()
    fake.files[f"{BASE}/white/r.json"] = raw
    fake.publish_keys(("provider.asc", signing_key, None))
    fake.sign(f"{BASE}/white/r.json", signing_key)
    fake.files[f"{BASE}/signatures/r.json.asc"] = fake.files.pop(f"{BASE}/white/r.json.asc")
    result = providers.fetch(provider)
    assert (result.imported, result.refused, result.unsigned) == (1, [], [])


def test_command_names_unsigned_documents(fake, provider, capsys):
    fake.directory([("a.json", _doc("bsi-2022-0001.json", "SIG-0001", "2026-01-01T10:00:00Z"), "2026-01-01T10:00:00Z")])
    call_command("fetch_csaf_providers")
    assert f"Fake: taken in without a signature: {BASE}/csaf/a.json" in capsys.readouterr().out


@pytest.mark.parametrize("breakage", ["garbled-signature", "no-fingerprint-listed", "key-not-found", "key-garbled"])
def test_unusable_signature_or_key_refuses_the_signed_document(fake, provider, signing_key, breakage):
    raw = _doc("bsi-2022-0001.json", "SIG-0001", "2026-01-01T10:00:00Z")
    fake.directory([("a.json", raw, "2026-01-01T10:00:00Z")])
    fake.publish_keys(("provider.asc", signing_key, None))
    fake.sign(f"{BASE}/csaf/a.json", signing_key)
    if breakage == "garbled-signature":
        fake.files[f"{BASE}/csaf/a.json.asc"] = b"<html>not a signature</html>"
    elif breakage == "no-fingerprint-listed":
        metadata = json.loads(fake.files[METADATA])
        del metadata["public_openpgp_keys"][0]["fingerprint"]
        fake.files[METADATA] = json.dumps(metadata).encode()
    elif breakage == "key-not-found":
        del fake.files[f"{BASE}/keys/provider.asc"]
    else:
        fake.files[f"{BASE}/keys/provider.asc"] = b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbroken\n"
    result = providers.fetch(provider)
    assert result.imported == 0
    assert result.refused[-1].startswith(f"{BASE}/csaf/a.json: OpenPGP signature")
    assert not Advisory.objects.exists()
