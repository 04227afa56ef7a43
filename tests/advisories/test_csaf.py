"""CSAF 2.0 intake: the OASIS validator test data (every invalid document refused with the failed
test named, every valid one accepted), the real example advisories, hostile files, and the
command's exit status."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.advisories.conftest import CSAF_FIXTURES, csaf_fixture
from weerbaar.advisories import csafdoc, services
from weerbaar.advisories.choices import Source
from weerbaar.advisories.models import Advisory, AdvisoryProduct
from weerbaar.core.models import AuditEntry


def _cases(kind: str):
    testcases = json.loads(csaf_fixture("oasis-testdata/testcases.json").read_text())
    for test in testcases["tests"]:
        if test["group"] != "mandatory":
            continue
        for case in test.get(kind, ()):
            yield pytest.param(test["id"], case["name"], id=case["name"].rsplit("-2021-", 1)[-1])


def _expected(test_id: str) -> str:
    # 6.1.27.x are the sub-tests of 6.1.27 (profile tests); the library reports them as 6.1.27.
    parts = test_id.split(".")
    return ".".join(parts[:3])


@pytest.mark.parametrize(("test_id", "name"), list(_cases("failures")))
def test_every_invalid_oasis_document_is_refused_naming_the_test(db, test_id, name):
    raw = csaf_fixture(f"oasis-testdata/{name}").read_bytes()
    with pytest.raises(csafdoc.CsafError) as refused:
        services.import_document(actor=None, raw=raw, owner=None, source=Source.COMMAND, default_tlp="green")
    named = [t.split(" ", 1)[0] for t in refused.value.tests]
    assert _expected(test_id) in named, refused.value.tests
    assert Advisory.objects.count() == 0
    assert AdvisoryProduct.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(("test_id", "name"), list(_cases("valid")))
def test_every_valid_oasis_document_is_accepted(db, test_id, name):
    raw = csaf_fixture(f"oasis-testdata/{name}").read_bytes()
    result = services.import_document(actor=None, raw=raw, owner=None, source=Source.COMMAND, default_tlp="green")
    assert result.created
    assert bytes(result.advisory.raw) == raw


def test_failed_test_is_named_with_its_title():
    raw = csaf_fixture("oasis-testdata/mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json").read_bytes()
    with pytest.raises(csafdoc.CsafError) as refused:
        csafdoc.load(raw)
    assert refused.value.test == "6.1.1 Missing Definition of Product ID"


def test_invalid_cvss_is_named_test_6_1_8():
    raw = csaf_fixture("oasis-testdata/mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-08-01.json").read_bytes()
    with pytest.raises(csafdoc.CsafError) as refused:
        csafdoc.load(raw)
    assert refused.value.test == "6.1.8 Invalid CVSS"


@pytest.mark.parametrize("path", sorted(p.name for p in (CSAF_FIXTURES / "examples").glob("*.json")))
def test_real_advisories_are_accepted_and_read(db, path, world):
    raw = csaf_fixture(f"examples/{path}").read_bytes()
    result = services.import_document(actor=None, raw=raw, owner=world.cert, source=Source.COMMAND, default_tlp="amber")
    advisory = result.advisory
    doc = json.loads(raw)
    assert advisory.tracking_id == doc["document"]["tracking"]["id"]
    assert advisory.title == doc["document"]["title"]
    assert advisory.cves == [v["cve"] for v in doc.get("vulnerabilities", []) if "cve" in v]


def test_bsi_advisory_details(db):
    raw = csaf_fixture("examples/bsi-2022-0001.json").read_bytes()
    advisory = services.import_document(actor=None, raw=raw, owner=None, source=Source.COMMAND).advisory
    assert advisory.tlp == "clear"  # WHITE in CSAF 2.0
    assert advisory.cves == ["CVE-2022-27193"]
    assert str(advisory.cvss_max) == "6.1"
    products = list(advisory.products.all())
    assert {p.cpe_key for p in products} == {"csaf-tools:cvrf-csaf-converter"}
    assert "1.0.0-rc1" in {p.version_range for p in products}


def test_cisco_advisory_reads_vendor_product_and_versions():
    doc = csafdoc.load(csaf_fixture("examples/cisco-sa-20180328-smi2.json").read_bytes())
    summary = csafdoc.summarise(doc)
    assert summary.cvss_max is not None
    assert float(summary.cvss_max) == 9.8
    assert {p.vendor for p in summary.products} == {"Cisco"}
    assert all(p.versions.stated for p in summary.products)


def test_newer_version_replaces_and_older_is_left_alone(db):
    doc = json.loads(csaf_fixture("examples/bsi-2022-0001.json").read_text())
    services.import_document(actor=None, raw=json.dumps(doc).encode(), owner=None, source=Source.COMMAND)
    newer = json.loads(json.dumps(doc))
    newer["document"]["title"] = "Updated title"
    newer["document"]["tracking"]["current_release_date"] = "2022-04-01T10:00:00.000Z"
    newer["document"]["tracking"]["version"] = "2"
    newer["document"]["tracking"]["revision_history"].append(
        {"date": "2022-04-01T10:00:00.000Z", "number": "2", "summary": "More products"}
    )
    result = services.import_document(actor=None, raw=json.dumps(newer).encode(), owner=None, source=Source.COMMAND)
    assert result.updated
    assert result.advisory.title == "Updated title"
    again = services.import_document(actor=None, raw=json.dumps(doc).encode(), owner=None, source=Source.COMMAND)
    assert not again.updated
    assert not again.created
    assert Advisory.objects.get().version == "2"


@pytest.mark.parametrize(
    ("raw", "test"),
    [
        (b"\xff\xfe not json", "json"),
        (b"[1, 2, 3]", "json"),
        (b"[" * 100_000 + b"]" * 100_000, "json"),
        (b'{"a":' * 100 + b"1" + b"}" * 100, "json"),
        (b'{"document": {"csaf_version": "2.1"}}', "schema"),
    ],
)
def test_hostile_or_broken_files_are_refused(db, raw, test):
    with pytest.raises(csafdoc.CsafError) as refused:
        services.import_document(actor=None, raw=raw, owner=None, source=Source.COMMAND)
    assert refused.value.test == test
    assert Advisory.objects.count() == 0


def test_oversized_file_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(csafdoc, "MAX_BYTES", 100)
    with pytest.raises(csafdoc.CsafError) as refused:
        csafdoc.parse(b" " * 200)
    assert refused.value.test == "size"


def test_amber_without_owner_is_refused(db):
    doc = json.loads(csaf_fixture("examples/bsi-2022-0001.json").read_text())
    doc["document"]["distribution"]["tlp"]["label"] = "AMBER"
    with pytest.raises(csafdoc.CsafError) as refused:
        services.import_document(actor=None, raw=json.dumps(doc).encode(), owner=None, source=Source.COMMAND)
    assert refused.value.test == "TLP"


def test_tlp2_note_gives_amber_strict(db, world):
    doc = json.loads(csaf_fixture("examples/bsi-2022-0001.json").read_text())
    doc["document"]["distribution"] = {"text": "TLP v2.0: TLP:AMBER+STRICT", "tlp": {"label": "AMBER"}}
    advisory = services.import_document(
        actor=None, raw=json.dumps(doc).encode(), owner=world.cert, source=Source.COMMAND
    ).advisory
    assert advisory.tlp == "amber+strict"


def test_command_imports_good_files_and_fails_naming_file_and_test(db, capsys):
    good = csaf_fixture("examples/bsi-2022-0001.json")
    bad = csaf_fixture("oasis-testdata/mandatory/oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json")
    with pytest.raises(CommandError) as failed:
        call_command("import_csaf", str(good), str(bad), "--tlp", "green")
    assert failed.value.returncode == 1
    err = capsys.readouterr().err
    assert bad.name in err
    assert "6.1.1 Missing Definition of Product ID" in err
    assert list(Advisory.objects.values_list("tracking_id", flat=True)) == ["BSI-2022-0001"]


def test_command_succeeds_when_all_files_pass(db, capsys):
    call_command("import_csaf", str(csaf_fixture("examples/bsi-2022-0001.json")))
    assert "BSI-2022-0001 1 (new)" in capsys.readouterr().out
