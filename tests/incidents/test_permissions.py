"""Who sees which incident, entry and indicator: the organisation reach of each role combined with
TLP 2.0 (RED only the named people, AMBER+STRICT only the writer's organisation, AMBER also the
CERT), and refused changes that leave everything as it was."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import OrganisationFactory, member, sector
from tests.incidents.conftest import report
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Action, Role
from weerbaar.core.tenancy import NotPermitted
from weerbaar.incidents import selectors, services
from weerbaar.incidents.models import Incident, Indicator, TimelineEntry
from weerbaar.organisations.choices import OrganisationKind

pytestmark = pytest.mark.django_db


def sees(membership, incident, action=Action.INCIDENT_VIEW) -> bool:
    return Incident.objects.visible_to(membership.user, action).filter(pk=incident.pk).exists()


def readers_of(model, record, desk) -> set[str]:
    people = {
        "officer_a": desk.officer_a,
        "dpo_a": desk.dpo_a,
        "board_member_a": desk.board_member_a,
        "analyst": desk.analyst,
        "analyst_2": desk.analyst_2,
        "officer_b": desk.officer_b,
        "surf_analyst": desk.surf_analyst,
        "coordinator": desk.coordinator,
        "ministry": desk.ministry,
    }
    return {
        name
        for name, m in people.items()
        if model.objects.visible_to(m.user, Action.INCIDENT_VIEW).filter(pk=record.pk).exists()
    }


def test_an_amber_report_is_read_by_the_institution_and_its_cert_only(desk):
    incident = report(desk.officer_a)

    assert incident.cert == desk.cert
    assert sees(desk.officer_a, incident)
    assert sees(desk.dpo_a, incident)
    assert sees(desk.board_member_a, incident)
    assert sees(desk.analyst, incident)
    assert sees(desk.analyst, incident, Action.INCIDENT_HANDLE)
    for outsider in (
        desk.officer_b,
        desk.surf_analyst,
        desk.coordinator,
        desk.council,
        desk.ministry,
        desk.school_officer,
    ):
        assert not sees(outsider, incident), outsider.role


def test_a_school_never_sees_another_schools_incident_but_its_board_does(desk):
    school_b = OrganisationFactory(
        name="School Beta",
        kind=OrganisationKind.SCHOOL,
        parent=desk.board_b,
        sector=sector("PO"),
        board_number="",
    )
    officer_school_b = member(Role.IBP_OFFICER, school_b)
    incident = report(officer_school_b)

    assert sees(officer_school_b, incident)
    assert sees(desk.officer_b, incident)  # the school's own board
    assert sees(desk.analyst, incident)
    assert not sees(desk.school_officer, incident)
    assert not sees(desk.officer_a, incident)


def test_a_cert_sees_only_its_constituency(desk):
    university_incident = report(desk.university_officer)

    assert university_incident.cert == desk.surfcert
    assert sees(desk.surf_analyst, university_incident)
    assert not sees(desk.analyst, university_incident)
    assert not sees(desk.analyst, university_incident, Action.INCIDENT_HANDLE)


def test_a_draft_stays_with_the_institution(desk):
    draft = report(desk.officer_a, submit=False)

    assert sees(desk.officer_a, draft)
    assert sees(desk.dpo_a, draft)
    assert not sees(desk.analyst, draft)


def test_a_red_report_is_read_only_by_the_reporter_and_the_people_named(desk):
    incident = report(desk.officer_a, tlp="red", named_people=[desk.analyst.user])

    assert sees(desk.officer_a, incident)
    assert sees(desk.analyst, incident)
    for unnamed in (desk.dpo_a, desk.board_member_a, desk.analyst_2, desk.officer_b):
        assert not sees(unnamed, incident)
    # Naming someone never reaches beyond their organisation: an outsider cannot be named at all.
    with pytest.raises(ValidationError):
        report(desk.officer_a, tlp="red", named_people=[desk.analyst.user, desk.officer_b.user])


def test_a_red_report_must_name_someone_at_the_cert(desk):
    before = Incident.objects.count()

    with pytest.raises(ValidationError) as caught:
        report(desk.officer_a, tlp="red", named_people=[desk.dpo_a.user])

    assert "named_people" in caught.value.message_dict
    assert Incident.objects.count() == before


def test_amber_strict_keeps_a_report_from_the_cert_so_it_is_refused(desk):
    with pytest.raises(ValidationError) as caught:
        report(desk.officer_a, tlp="amber+strict")
    assert "tlp" in caught.value.message_dict
    assert not Incident.objects.exists()


def test_timeline_entries_follow_their_tlp_label(desk):
    incident = report(desk.officer_a)
    shared = services.add_entry(actor=desk.analyst.user, incident=incident, body="Wachtwoorden resetten.", tlp="amber")
    cert_strict = services.add_entry(
        actor=desk.analyst.user, incident=incident, body="Alleen CERT.", tlp="amber+strict"
    )
    internal = services.add_entry(actor=desk.analyst.user, incident=incident, body="Intern.", internal=True)
    school_strict = services.add_entry(
        actor=desk.officer_a.user, incident=incident, body="Alleen bestuur.", tlp="amber+strict"
    )
    red = services.add_entry(
        actor=desk.analyst.user,
        incident=incident,
        body="Naam van de dader.",
        tlp="red",
        named_people=[desk.officer_a.user],
    )

    assert readers_of(TimelineEntry, shared, desk) == {
        "officer_a",
        "dpo_a",
        "board_member_a",
        "analyst",
        "analyst_2",
    }
    assert readers_of(TimelineEntry, cert_strict, desk) == {"analyst", "analyst_2"}
    assert readers_of(TimelineEntry, internal, desk) == {"analyst", "analyst_2"}
    assert readers_of(TimelineEntry, school_strict, desk) == {
        "officer_a",
        "dpo_a",
        "board_member_a",
    }
    assert readers_of(TimelineEntry, red, desk) == {"analyst", "officer_a"}


def test_indicators_follow_their_tlp_label(desk):
    incident = report(desk.officer_a)
    amber = services.add_indicator(actor=desk.analyst.user, incident=incident, type="domain", value="evil.example")
    red = services.add_indicator(
        actor=desk.analyst.user,
        incident=incident,
        type="ipv4",
        value="203.0.113.9",
        tlp="red",
        named_people=[desk.analyst_2.user],
    )

    assert readers_of(Indicator, amber, desk) == {
        "officer_a",
        "dpo_a",
        "board_member_a",
        "analyst",
        "analyst_2",
    }
    assert readers_of(Indicator, red, desk) == {"analyst", "analyst_2"}


def test_only_the_cert_keeps_internal_notes(desk):
    incident = report(desk.officer_a)

    with pytest.raises(ValidationError):
        services.add_entry(actor=desk.officer_a.user, incident=incident, body="Intern?", internal=True)
    assert not TimelineEntry.objects.filter(internal=True).exists()


@pytest.mark.parametrize(
    "who",
    ["officer_b", "surf_analyst", "coordinator", "ministry", "board_member_a", "school_officer"],
)
def test_people_outside_the_incident_change_nothing(desk, who):
    incident = report(desk.officer_a)
    person = getattr(desk, who).user
    audit_before = AuditEntry.objects.count()
    entries_before = TimelineEntry.objects.count()

    for attempt in (
        lambda: services.add_entry(actor=person, incident=incident, body="x"),
        lambda: services.add_indicator(actor=person, incident=incident, type="domain", value="x.example"),
        lambda: services.triage(actor=person, incident=incident, severity="high", category="fraud"),
        lambda: services.update_report(actor=person, incident=incident, title="Overschreven"),
        lambda: services.change_status(actor=person, incident=incident, status="triaged"),
    ):
        with pytest.raises(NotPermitted):
            attempt()

    incident.refresh_from_db()
    assert incident.title == "Phishing: drie accounts overgenomen"
    assert incident.status == "new"
    assert TimelineEntry.objects.count() == entries_before
    assert AuditEntry.objects.count() == audit_before


def test_the_cert_handles_but_does_not_rewrite_the_report(desk):
    incident = report(desk.officer_a)

    with pytest.raises(NotPermitted):
        services.update_report(actor=desk.analyst.user, incident=incident, title="Anders")
    services.triage(actor=desk.analyst.user, incident=incident, severity="high", category="intrusions")
    incident.refresh_from_db()
    assert (incident.status, incident.severity) == ("triaged", "high")


def test_sector_roles_read_statistics_never_incidents(desk, client):
    incident = report(desk.officer_a)
    for membership in (desk.coordinator, desk.council, desk.ministry):
        assert not selectors.list_incidents(membership.user).exists()
        client.force_login(membership.user)
        assert client.get(f"/incidents/{incident.public_id}/").status_code == 404
        assert client.get("/incidents/statistics/").status_code == 200
    client.force_login(desk.officer_a.user)
    assert client.get("/incidents/statistics/").status_code in (403, 404)
