"""The processing register (template, import and export round trips, broken files) and the
breach register (incidents with personal data appear once)."""

from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.factories import OrganisationFactory, member, sector
from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import NotPermitted
from weerbaar.privacy import register_format, selectors, services
from weerbaar.privacy.models import Breach, ProcessingActivity

TODAY = timezone.localdate


def _register(world):
    services.apply_template(actor=world.dpo_a.user, organisation=world.board_a)
    activity = ProcessingActivity.objects.get(organisation=world.board_a, name="Learning platform")
    return services.save_activity(
        actor=world.dpo_a.user,
        organisation=world.board_a,
        activity=activity,
        name="Learning platform",
        purposes="=cmd|' /C calc'!A0 lessons online",
        legal_basis="public_task",
        data_subjects=["pupils", "teachers"],
        data_categories=["name", "work"],
        processor_codes=["leerplatform"],
        transfers=[{"country": "US", "mechanism": "scc"}],
        retention="one year",
        security_measures="MFA; encryption",
        dpia_needed="yes",
    )


def _snapshot(organisation):
    return [
        (
            a.name,
            a.purposes,
            a.legal_basis,
            a.special_condition,
            a.data_subjects,
            a.data_categories,
            a.recipients,
            sorted(p.code for p in a.processors.all()),
            a.transfers,
            a.retention,
            a.security_measures,
            a.dpia_needed,
        )
        for a in ProcessingActivity.objects.filter(organisation=organisation).order_by("name")
    ]


def test_template_fills_a_register_once(world):
    added = services.apply_template(actor=world.dpo_a.user, organisation=world.board_a)
    assert added == len(register_format.TEMPLATE)
    assert services.apply_template(actor=world.dpo_a.user, organisation=world.board_a) == 0
    camera = ProcessingActivity.objects.get(organisation=world.board_a, name="Camera surveillance")
    assert camera.dpia_needed == "yes"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_export_and_import_into_another_organisation_gives_the_same_register(world, tmp_path, file_format):
    _register(world)
    path = tmp_path / f"register.{file_format}"
    call_command(
        "export_processing_register", world.board_a.board_number, "--format", file_format, "--output", str(path)
    )
    out = StringIO()
    call_command("import_processing_register", str(world.board_b.public_id), str(path), stdout=out)
    assert _snapshot(world.board_b) == _snapshot(world.board_a)
    assert len(_snapshot(world.board_b)) == len(register_format.TEMPLATE)
    # Importing again replaces by name: still the same register.
    call_command("import_processing_register", world.board_b.board_number, str(path), stdout=StringIO())
    assert _snapshot(world.board_b) == _snapshot(world.board_a)


def test_brin_names_the_organisation(world, tmp_path):
    vo_school = OrganisationFactory(name="VO School", sector=sector("VO"), brin="12AB", board_number="")
    _register(world)
    path = tmp_path / "register.csv"
    call_command("export_processing_register", world.board_a.board_number, "--output", str(path))
    call_command("import_processing_register", "12ab", str(path), stdout=StringIO())
    assert _snapshot(vo_school) == _snapshot(world.board_a)


def test_exports_are_formula_safe(world):
    _register(world)
    data = services.export_register(ProcessingActivity.objects.filter(organisation=world.board_a), "xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(data)).active
    purposes = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=cmd|' /C calc'!A0 lessons online" in purposes
    csv_text = services.export_register(ProcessingActivity.objects.filter(organisation=world.board_a), "csv").decode()
    assert "'=cmd" in csv_text


def _csv(*rows):
    return ("\n".join([",".join(register_format.COLUMNS), *rows]) + "\n").encode()


@pytest.mark.parametrize(
    ("data", "file_format", "expected"),
    [
        (_csv("A,purpose,magic,,,,,,,,,"), "csv", "row 2, column legal_basis"),
        (_csv("A,purpose,public_task,,,,,nonexistent-product,,,,"), "csv", "row 2, column processors"),
        (_csv("A,purpose,public_task,,,,,,US:maybe,,,"), "csv", "row 2, column transfers"),
        (_csv("A,purpose,public_task,,,,,,,,,", "a,other,consent,,,,,,,,,"), "csv", "row 3, column name"),
        (_csv(",purpose,public_task,,,,,,,,,"), "csv", "row 2, column name"),
        (b"PK\x03\x04 not really a zip", "xlsx", "not an XLSX"),
        (b"name,purposes\nx,y\n", "csv", "Missing columns"),
        (b"\x00\x00", "csv", "not a text"),
    ],
)
def test_broken_files_write_nothing(world, data, file_format, expected):
    services.apply_template(actor=world.dpo_b.user, organisation=world.board_b)
    before = _snapshot(world.board_b)
    with pytest.raises(services.ImportRefusedError) as exc:
        services.import_register(actor=world.dpo_b.user, organisation=world.board_b, data=data, file_format=file_format)
    assert expected in (exc.value.message + " ".join(str(e) for e in exc.value.errors))
    assert _snapshot(world.board_b) == before


def test_a_good_row_beside_a_bad_one_is_not_written(world):
    data = _csv("Good,ok,consent,,,,,,,,,", "Bad,ok,magic,,,,,,,,,")
    with pytest.raises(services.ImportRefusedError):
        services.import_register(actor=world.dpo_b.user, organisation=world.board_b, data=data, file_format="csv")
    assert not ProcessingActivity.objects.filter(organisation=world.board_b).exists()


def test_zip_bomb_workbook_is_refused(world, tmp_path):
    import zipfile

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/big.xml", b"0" * (60 * 1024 * 1024))
    with pytest.raises(services.ImportRefusedError) as exc:
        services.import_register(
            actor=world.dpo_b.user, organisation=world.board_b, data=buffer.getvalue(), file_format="xlsx"
        )
    assert "unpacks" in exc.value.message


def test_import_command_fails_with_row_errors(world, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv("A,purpose,magic,,,,,,,,,"))
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_processing_register", world.board_b.board_number, str(path), stderr=err)
    assert "row 2, column legal_basis" in err.getvalue()
    with pytest.raises(CommandError):
        call_command("import_processing_register", "99999", str(path))


def test_register_belongs_to_its_organisation(world):
    _register(world)
    assert not ProcessingActivity.objects.visible_to(world.dpo_b.user, Action.PRIVACY_VIEW).exists()
    assert not ProcessingActivity.objects.visible_to(world.coordinator.user, Action.PRIVACY_VIEW).exists()
    assert ProcessingActivity.objects.visible_to(world.board_member_a.user, Action.PRIVACY_VIEW).exists()
    with pytest.raises(NotPermitted):
        services.save_activity(
            actor=world.board_member_a.user, organisation=world.board_a, name="x", purposes="y", legal_basis="consent"
        )
    with pytest.raises(NotPermitted):
        services.apply_template(actor=world.dpo_b.user, organisation=world.board_a)


# --- breach register -----------------------------------------------------------------------------


def _incident(world, personal_data=True, submit=True):
    from tests.incidents.conftest import complete_facts
    from weerbaar.incidents import services as incident_services

    cert = OrganisationFactory(name="CERT PO", kind="cert", sector=None, board_number="")
    cert.served_sectors.set([sector("PO")])
    member(Role.CERT_ANALYST, cert)
    extra = {}
    if personal_data:
        extra = {
            "personal_data_involved": True,
            "personal_data_categories": ["contact"],
            "personal_data_risk": "high",
            "data_encrypted": "no",
            "data_subjects_count": 120,
        }
    return incident_services.create_report(
        actor=world.officer_a.user, organisation=world.board_a, submit=submit, **complete_facts(**extra)
    )


def test_an_incident_with_personal_data_shows_up_once(world):
    incident = _incident(world)
    _incident_without = _incident(world, personal_data=False)
    rows = selectors.breach_register(world.dpo_a.user, world.board_a)
    assert [(r.breach, r.incident) for r in rows] == [(None, incident)]
    breach = services.decide_on_incident(
        actor=world.dpo_a.user,
        incident=incident,
        report_to_authority="report",
        authority_reason="Pupil contact details, high risk",
        authority_reported_on=TODAY(),
        inform_people="report",
        people_reason="Parents must be warned about phishing",
        people_informed_on=TODAY(),
        decided_on=TODAY(),
    )
    assert breach.people_affected == 120
    # A second decision changes the same entry; no second row appears.
    services.decide_on_incident(
        actor=world.dpo_a.user, incident=incident, measures="Passwords reset", decided_on=TODAY()
    )
    rows = selectors.breach_register(world.dpo_a.user, world.board_a)
    assert len(rows) == 1
    assert rows[0].breach.pk == breach.pk
    assert rows[0].incident == incident
    assert Breach.objects.filter(incident=incident).count() == 1
    # Exported once as well.
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(services.breach_workbook(rows))).active
    assert sheet.max_row == 2


def test_drafts_and_other_organisations_stay_out(world):
    _incident(world, submit=False)
    assert selectors.breach_register(world.dpo_a.user, world.board_a) == []
    _incident(world)
    assert selectors.breach_register(world.dpo_b.user, world.board_a) == []
    assert selectors.breach_register(world.coordinator.user, world.board_a) == []


def test_another_dpo_cannot_decide_on_the_incident(world):
    incident = _incident(world)
    with pytest.raises(NotPermitted):
        services.decide_on_incident(actor=world.dpo_b.user, incident=incident, decided_on=TODAY())
    assert not Breach.objects.exists()


def test_direct_entry_and_date_rules(world):
    breach = services.record_breach(
        actor=world.dpo_a.user,
        organisation=world.board_a,
        title="Lost USB stick",
        discovered_on=TODAY() - timedelta(days=2),
        occurred_on=TODAY() - timedelta(days=3),
        report_to_authority="no_report",
        authority_reason="Encrypted stick: no risk",
        decided_on=TODAY(),
    )
    assert breach.incident is None
    with pytest.raises(ValidationError) as exc:
        services.record_breach(
            actor=world.dpo_a.user,
            organisation=world.board_a,
            title="Mis-sent e-mail",
            discovered_on=TODAY() - timedelta(days=1),
            report_to_authority="report",
            authority_reported_on=TODAY() - timedelta(days=5),
        )
    assert set(exc.value.message_dict) >= {"authority_reason", "authority_reported_on", "decided_on"}
    assert Breach.objects.count() == 1
    with pytest.raises(NotPermitted):
        services.record_breach(actor=world.dpo_b.user, organisation=world.board_a, title="x", discovered_on=TODAY())
