"""Reporting an incident: drafts, completing and sending, the NIS2 setting, attachments with their
limits and hashes, and bad input that is refused with a clear message and stores nothing."""

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.incidents.conftest import complete_facts, report
from weerbaar.core.models import AuditEntry
from weerbaar.core.tenancy import NotPermitted
from weerbaar.incidents import selectors, services
from weerbaar.incidents.models import Attachment, Incident, Notice, TimelineEntry

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def stored():
    return (
        Incident.objects.count(),
        Attachment.objects.count(),
        TimelineEntry.objects.count(),
        AuditEntry.objects.count(),
    )


def test_a_draft_needs_only_a_title_and_is_finished_later(desk):
    draft = services.create_report(actor=desk.officer_a.user, organisation=desk.board_a, title="Vreemde mail")

    assert draft.status == "draft"
    assert draft.submitted_at is None
    with pytest.raises(ValidationError) as caught:
        services.submit_report(actor=desk.officer_a.user, incident=draft)
    assert {"description", "category", "detected_at", "aware_at", "contact_name"} <= set(caught.value.message_dict)
    draft.refresh_from_db()
    assert draft.status == "draft"

    facts = complete_facts()
    facts.pop("title")
    services.update_report(actor=desk.dpo_a.user, incident=draft, **facts)
    services.submit_report(actor=desk.officer_a.user, incident=draft)

    draft.refresh_from_db()
    assert draft.status == "new"
    assert draft.cert == desk.cert
    assert draft.submitted_at is not None


def test_sending_tells_the_cert_in_the_platform_and_by_mail_without_details(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = report(desk.officer_a, title="Ransomware op de administratieserver")

    notified = set(Notice.objects.filter(incident=incident).values_list("user_id", flat=True))
    assert notified == {desk.analyst.user_id, desk.analyst_2.user_id}
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([desk.analyst.user.email, desk.analyst_2.user.email])
    assert all("Ransomware" not in message.body and incident.reference in message.body for message in mail.outbox)


def test_nis2_follows_the_sector_unless_the_organisation_says_otherwise(desk):
    assert not report(desk.officer_a).nis2_applies
    assert report(desk.university_officer).nis2_applies

    services.set_nis2_applicability(actor=desk.officer_a.user, organisation=desk.board_a, applies=True)
    assert selectors.nis2_applies_for(desk.school_a)  # a school follows its board
    assert report(desk.officer_a).nis2_applies
    # The CERT may set it for its constituency; another board may not.
    services.set_nis2_applicability(actor=desk.analyst.user, organisation=desk.board_b, applies=True)
    with pytest.raises(NotPermitted):
        services.set_nis2_applicability(actor=desk.officer_b.user, organisation=desk.board_a, applies=False)
    assert selectors.nis2_applies_for(desk.board_a)


def test_a_clock_change_of_the_setting_does_not_move_the_clocks_of_sent_reports(desk):
    incident = report(desk.officer_a)
    services.set_nis2_applicability(actor=desk.officer_a.user, organisation=desk.board_a, applies=True)

    incident.refresh_from_db()
    assert not incident.nis2_applies
    assert "nis2_early_warning" not in {c.kind for c in selectors.clocks_of(incident)}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        (
            {
                "aware_at": timezone.now() - timedelta(hours=6),
                "detected_at": timezone.now() - timedelta(hours=2),
            },
            "aware_at",
        ),
        ({"aware_at": timezone.now() + timedelta(hours=3)}, "aware_at"),
        (
            {
                "detected_at": timezone.now() + timedelta(days=2),
                "aware_at": timezone.now() + timedelta(days=2),
            },
            "detected_at",
        ),
        ({"started_at": timezone.now() - timedelta(hours=1)}, "started_at"),
        ({"aware_at": None}, "aware_at"),
        ({"contact_phone": "bel me"}, "contact_phone"),
        ({"contact_phone": "", "contact_email": ""}, "contact_phone"),
        ({"ransom_paid": True}, "ransom_paid"),
        ({"personal_data_categories": ["bsn"]}, "personal_data_involved"),
        ({"personal_data_involved": True}, "personal_data_risk"),
        ({"category": "hacking"}, "category"),
        ({"title": "x" * 201}, "title"),
        ({"description": "a\x00b"}, "description"),
        ({"pupils_affected": -1}, "pupils_affected"),
        ({"tlp": "white"}, "tlp"),
    ],
)
def test_bad_or_contradictory_facts_are_refused_and_nothing_is_stored(desk, overrides, field):
    before = stored()

    with pytest.raises(ValidationError) as caught:
        report(desk.officer_a, **overrides)

    assert field in caught.value.message_dict, caught.value.message_dict
    assert all(message.strip() for message in caught.value.message_dict[field])
    assert stored() == before


def test_an_update_with_contradictory_times_leaves_the_report_as_it_was(desk):
    incident = report(desk.officer_a)
    aware = incident.aware_at

    with pytest.raises(ValidationError):
        services.update_report(
            actor=desk.officer_a.user,
            incident=incident,
            aware_at=incident.detected_at - timedelta(hours=1),
            title="Nieuwe titel",
        )

    incident.refresh_from_db()
    assert incident.aware_at == aware
    assert incident.title == "Phishing: drie accounts overgenomen"


def test_attachments_are_kept_with_their_sha256(desk):
    upload = SimpleUploadedFile("schermafdruk.png", PNG, content_type="image/png")

    incident = report(desk.officer_a, attachments=[upload])

    attachment = incident.attachments.get()
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    assert attachment.size == len(PNG)
    assert attachment.content_type == "image/png"
    with attachment.file.open("rb") as handle:
        assert handle.read() == PNG


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("factuur.exe", b"MZ\x90\x00"),
        ("rapport.pdf", b"MZ\x90\x00 not a pdf"),
        ("log.txt", b"binary\x00\x01\x02"),
        ("leeg.png", b""),
        ("archief.zip", b"PK\x03\x04"),
        ("../../etc/passwd.png", b"\x89PNG\r\n\x1a\n"),
    ],
)
def test_hostile_attachments_are_refused_and_nothing_is_stored(desk, settings, name, content):
    before = stored()
    upload = SimpleUploadedFile(name, content)

    if name.startswith("../"):
        # The path is dropped; only the plain name is kept.
        incident = report(desk.officer_a, attachments=[upload])
        assert incident.attachments.get().name == "passwd.png"
        return
    with pytest.raises(ValidationError) as caught:
        report(desk.officer_a, attachments=[upload])
    assert "attachments" in caught.value.message_dict
    assert stored() == before


def test_a_file_above_the_limit_is_refused(desk, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    before = stored()

    with pytest.raises(ValidationError) as caught:
        report(desk.officer_a, attachments=[SimpleUploadedFile("groot.png", PNG + b"\x00" * 2048)])

    assert "too large" in caught.value.message_dict["attachments"][0]
    assert stored() == before


def test_no_file_is_left_behind_when_the_report_is_refused(desk, settings, tmp_path):
    good = SimpleUploadedFile("goed.png", PNG)
    bad_red = {
        "tlp": "red",
        "named_people": [desk.dpo_a.user],
    }  # refused only after the files were checked

    with pytest.raises(ValidationError):
        report(desk.officer_a, attachments=[good], **bad_red)

    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_at_most_twenty_files_per_incident(desk):
    incident = report(desk.officer_a, attachments=[SimpleUploadedFile(f"f{i}.png", PNG) for i in range(20)])

    with pytest.raises(ValidationError):
        services.add_attachments(
            actor=desk.officer_a.user,
            incident=incident,
            attachments=[SimpleUploadedFile("nog-een.png", PNG)],
        )
    assert incident.attachments.count() == 20


def test_a_closed_incident_can_no_longer_be_changed_by_the_reporter(desk):
    incident = report(desk.officer_a)
    services.triage(actor=desk.analyst.user, incident=incident, severity="low", category="fraud")
    services.change_status(actor=desk.analyst.user, incident=incident, status="resolved")
    services.change_status(
        actor=desk.analyst.user,
        incident=incident,
        status="closed",
        resolution_summary="Accounts hersteld, MFA aangezet.",
    )

    with pytest.raises(ValidationError):
        services.update_report(actor=desk.officer_a.user, incident=incident, title="Later")


def test_the_audit_log_names_what_changed_never_the_content(desk):
    incident = report(desk.officer_a, title="Geheime titel", description="Geheime beschrijving")
    services.add_entry(actor=desk.analyst.user, incident=incident, body="Geheime notitie")

    logged = " ".join(
        f"{e.object_label} {e.changes}" for e in AuditEntry.objects.filter(action__startswith="incident.")
    )
    assert "Geheim" not in logged
    assert incident.reference.lower() in logged.lower()
