"""The pre-filled documents and the STIX export carry the incident's facts, and only what may be
shared: no TLP:RED or AMBER+STRICT indicator goes to an authority or to a reader not named."""

import json
import logging
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from tests.incidents.conftest import report
from weerbaar.incidents import documents, selectors, services, stix
from weerbaar.incidents.choices import DocumentKind
from weerbaar.incidents.pdf import render_pdf

pytestmark = pytest.mark.django_db

PDF_MAGIC = b"%PDF-"


@pytest.fixture
def breach(desk):
    services.set_nis2_applicability(actor=desk.officer_a.user, organisation=desk.board_a, applies=True)
    now = timezone.now()
    incident = report(
        desk.officer_a,
        title="Leerlingvolgsysteem gelekt",
        description="Een export met cijfers stond openbaar.",
        category="information-content-security",
        aware_at=now - timedelta(hours=30),
        detected_at=now - timedelta(hours=31),
        systems_affected="Leerlingvolgsysteem",
        teaching_hours_lost=12,
        pupils_affected=340,
        staff_affected=25,
        suspected_malicious=True,
        personal_data_involved=True,
        personal_data_categories=["name_address", "pupil_record"],
        data_subject_groups=["pupils", "parents"],
        data_subjects_count=340,
        records_count=1200,
        breach_nature=["read", "copied"],
        data_encrypted="no",
        personal_data_risk="high",
        processor_involved="Leverancier LVS B.V.",
    )
    services.add_indicator(actor=desk.analyst.user, incident=incident, type="domain", value="exfil.example")
    services.add_indicator(
        actor=desk.analyst.user,
        incident=incident,
        type="ipv4",
        value="198.51.100.7",
        tlp="red",
        named_people=[desk.officer_a.user],
    )
    services.record_duty_met(
        actor=desk.officer_a.user,
        incident=incident,
        kind="nis2_early_warning",
        met_at=now - timedelta(hours=20),
        channel="ncsc_portal",
        reference="MELD-2026-77",
    )
    incident.refresh_from_db()
    return incident


def text_of(document) -> str:
    return " ".join(
        [document.title, document.intro, document.deadline]
        + [f"{row.label}: {row.value}" for section in document.sections for row in section.rows]
    )


def build(kind, incident, user):
    records = selectors.clock_records_of(user, incident)
    return documents.build(
        kind,
        incident,
        indicators=list(selectors.indicators_of(user, incident)),
        records=records,
        clocks=selectors.clocks_of(incident, records),
    )


def test_the_early_warning_holds_the_facts_and_the_reporting_official(desk, breach):
    text = text_of(build(DocumentKind.EARLY_WARNING, breach, desk.officer_a.user))

    for fact in (
        "Stichting Alfa",
        "Leerlingvolgsysteem gelekt",
        "Anna Alfa",
        "IBP-coördinator",
        "+31 30 123 4567",
        "anna@alfa.example",
        documents.when(breach.aware_at),
        documents.when(breach.aware_at + timedelta(hours=24)),
    ):
        assert fact in text, fact
    assert "Suspected to be a deliberate or unlawful act: yes" in text


def test_the_notification_adds_impact_and_only_shareable_indicators(desk, breach):
    text = text_of(build(DocumentKind.NOTIFICATION, breach, desk.officer_a.user))

    for fact in (
        "Teaching hours disrupted: 12",
        "Pupils or students affected: 340",
        "Staff affected: 25",
        "exfil.example",
        "MELD-2026-77",
    ):
        assert fact in text, fact
    assert "198.51.100.7" not in text  # TLP:RED, even though this reader may see it


def test_the_ap_answers_follow_the_sections_of_the_breach_form(desk, breach):
    document = build(DocumentKind.AP_BREACH, breach, desk.officer_a.user)
    text = text_of(document)

    assert [s.heading.split(".")[0] for s in document.sections] == [str(n) for n in range(10)]
    for fact in (
        "Name and address",
        "Pupil or student records",
        "Number of records (approximately): 1.200",
        "Number of people (approximately): 340",
        "Pupils or students, Parents or guardians",
        "Read by someone not allowed to, Copied",
        "A high risk for the people concerned",
        "No",
        "Leverancier LVS B.V.",
        "School-CERT",
        breach.reference,
    ):
        assert fact in text, fact


def test_the_final_report_shows_cause_measures_and_resolution(desk, breach):
    services.update_report(
        actor=desk.officer_a.user,
        incident=breach,
        root_cause="Openbare deellink",
        mitigations="Link ingetrokken, logboeken nagekeken",
    )
    services.triage(
        actor=desk.analyst.user,
        incident=breach,
        severity="high",
        category="information-content-security",
    )
    services.change_status(
        actor=desk.analyst.user,
        incident=breach,
        status="resolved",
        resolution_summary="Export verwijderd en leverancier aangesproken.",
    )
    breach.refresh_from_db()

    text = text_of(build(DocumentKind.FINAL, breach, desk.officer_a.user))

    for fact in ("Openbare deellink", "Link ingetrokken", "Export verwijderd", "Severity: High"):
        assert fact in text, fact


def test_document_pages_and_pdfs_are_served_to_readers_only(desk, breach, client):
    client.force_login(desk.officer_a.user)
    page = client.get(f"/incidents/{breach.public_id}/documents/ap-breach/")
    pdf = client.get(f"/incidents/{breach.public_id}/documents/early-warning/pdf/")

    assert page.status_code == 200
    assert "Leerlingvolgsysteem gelekt" in page.content.decode()
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(PDF_MAGIC)

    client.force_login(desk.officer_b.user)
    assert client.get(f"/incidents/{breach.public_id}/documents/ap-breach/").status_code == 404
    assert client.get(f"/incidents/{breach.public_id}/documents/early-warning/pdf/").status_code == 404


def test_a_value_in_a_report_cannot_make_the_pdf_fetch_anything(desk, caplog):
    incident = report(desk.officer_a, description='<img src="file:///etc/hostname"> <b>vet</b>')
    body = render_to_string(
        "incidents/document_pdf.html",
        {
            "incident": incident,
            "document": documents.build(DocumentKind.NOTIFICATION, incident),
            "generated_at": timezone.now(),
        },
    )

    assert "&lt;img" in body  # typed text stays text
    assert render_pdf(body).startswith(PDF_MAGIC)
    # Even markup that asks for a file gets nothing: the renderer may fetch no URL at all.
    with caplog.at_level(logging.WARNING):
        assert render_pdf('<p>x</p><img src="file:///etc/hostname">').startswith(PDF_MAGIC)
    assert "refused to fetch" in caplog.text


def test_the_stix_bundle_marks_every_object_with_tlp_2(desk, breach):
    bundle = stix.bundle(
        breach,
        list(selectors.indicators_of(desk.officer_a.user, breach)),
        creator_name="School-CERT",
    )
    by_type = {}
    for obj in bundle["objects"]:
        by_type.setdefault(obj["type"], []).append(obj)

    assert bundle["type"] == "bundle"
    assert bundle["id"].startswith("bundle--")
    markings = {m["id"]: m for m in by_type["marking-definition"]}
    assert markings["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]["extensions"][
        "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
    ] == {"extension_type": "property-extension", "tlp_2_0": "amber"}
    assert markings["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]["name"] == "TLP:RED"
    assert all(m["created"] == "2022-10-01T00:00:00.000Z" for m in markings.values())
    (incident_object,) = by_type["incident"]
    assert incident_object["name"] == "Leerlingvolgsysteem gelekt"
    patterns = sorted(i["pattern"] for i in by_type["indicator"])
    assert patterns == [
        "[domain-name:value = 'exfil.example']",
        "[ipv4-addr:value = '198.51.100.7']",
    ]
    for obj in by_type["indicator"] + by_type["relationship"] + by_type["incident"]:
        assert obj["spec_version"] == "2.1"
        assert set(obj["object_marking_refs"]) <= set(markings)
        assert obj["created"].endswith("Z")
    ids = {obj["id"] for obj in bundle["objects"]}
    assert all(r["source_ref"] in ids and r["target_ref"] in ids for r in by_type["relationship"])


def test_the_stix_export_holds_only_what_the_reader_may_see(desk, breach, client):
    client.force_login(desk.dpo_a.user)  # not named on the TLP:RED indicator

    response = client.get(f"/incidents/{breach.public_id}/stix/")

    assert response.status_code == 200
    body = json.loads(response.content)
    values = json.dumps(body)
    assert "exfil.example" in values
    assert "198.51.100.7" not in values
    assert "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1" not in values


def test_stix_patterns_escape_quotes():
    assert stix.pattern("url", "http://x.example/a'b\\c") == "[url:value = 'http://x.example/a\\'b\\\\c']"
    assert stix.pattern("sha256", "ab" * 32) == f"[file:hashes.'SHA-256' = '{'ab' * 32}']"
