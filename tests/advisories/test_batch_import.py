"""Taking in many advisories at once: the same checks as one by one, a refused document keeps
nothing, a newer version replaces the one held, and every new advisory is stored, audited and
matched as import_document() does it."""

import json
from datetime import UTC, datetime

from weerbaar.advisories import csafdoc, services
from weerbaar.advisories.choices import Source
from weerbaar.advisories.models import Advisory, AdvisoryProduct, Exposure
from weerbaar.core.models import AuditEntry


def _document(n: int, *, version: str = "1", title: str = "") -> bytes:
    doc = csafdoc.build(
        publisher_name="NCSC",
        publisher_namespace="https://ncsc.example",
        tracking_id=f"NCSC-2026-{n:04d}",
        title=title or f"Kwetsbaarheden verholpen in product {n}",
        tlp="green",
        released=datetime(2026, 1, 1 + n, tzinfo=UTC),
        summary="Meerdere kwetsbaarheden.",
        cve=f"CVE-2026-{1000 + n}",
        cvss=csafdoc.cvss_object("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        kans="high",
        schade="high",
        products=[
            {"vendor": "Zoom", "product": "Workplace", "version_range": "vers:generic/<6.1", "purl": "", "cpe": ""},
            {"vendor": f"Vendor {n}", "product": "Tool", "version_range": "", "purl": "", "cpe": ""},
        ],
        remediation="Installeer de updates.",
        version=version,
    )
    if version != "1":
        doc["document"]["tracking"]["current_release_date"] = f"2026-02-0{n + 1}T00:00:00Z"
        doc["document"]["tracking"]["revision_history"][0]["number"] = "1"
        doc["document"]["tracking"]["revision_history"].append(
            {"date": f"2026-02-0{n + 1}T00:00:00Z", "number": version, "summary": "Bijgewerkt."}
        )
    return json.dumps(doc).encode()


def test_batch_stores_checks_audits_and_matches_each_document(world):
    services.add_item(
        actor=world.officer_b.user, organisation=world.board_b, vendor="Zoom", product="Workplace", version="6.0"
    )
    held = services.import_document(actor=None, raw=_document(1), owner=None, source=Source.COMMAND).advisory
    audits = AuditEntry.objects.count()
    broken = json.loads(_document(3))
    broken["document"]["category"] = ""  # fails the schema
    raws = [
        _document(2),
        json.dumps(broken).encode(),
        _document(1, version="2", title="Bijgewerkt advies"),  # replaces the one held
        _document(4),
        _document(4),  # twice in one batch: the second is already held by then
        b"not json",
    ]
    results = services.import_documents(actor=None, raws=raws, owner=None, source=Source.COMMAND)

    assert isinstance(results[1], csafdoc.CsafError)
    assert isinstance(results[5], csafdoc.CsafError)
    assert (results[0].created, results[3].created) == (True, True)
    assert results[2].updated
    assert results[2].advisory.pk == held.pk
    assert not results[4].created
    assert not results[4].updated
    assert Advisory.objects.count() == 3  # held (updated), 2 and 4; nothing of the refused ones
    assert Advisory.objects.get(pk=held.pk).title == "Bijgewerkt advies"
    new = Advisory.objects.get(tracking_id="NCSC-2026-0004")
    assert new.sha256 == csafdoc.sha256(raws[3])
    assert bytes(new.raw) == raws[3]
    assert new.tlp == "green"
    assert new.source == Source.COMMAND
    assert AdvisoryProduct.objects.filter(advisory=new).count() == 2
    assert AuditEntry.objects.count() == audits + 3
    assert set(AuditEntry.objects.filter(action="advisory.imported").values_list("object_label", flat=True)) >= {
        "NCSC-2026-0002",
        "NCSC-2026-0004",
    }
    # Matching was queued for every stored advisory: Zoom 6.0 lies below 6.1 in each.
    assert set(Exposure.objects.values_list("advisory__tracking_id", "tier")) == {
        ("NCSC-2026-0001", 3),
        ("NCSC-2026-0002", 3),
        ("NCSC-2026-0004", 3),
    }


def test_batch_needs_the_right_to_publish_and_keeps_nothing_otherwise(world):
    import pytest

    from weerbaar.core.tenancy import NotPermitted

    with pytest.raises(NotPermitted):
        services.import_documents(
            actor=world.officer_a.user, raws=[_document(5)], owner=world.cert, source=Source.UPLOAD
        )
    assert not Advisory.objects.exists()
