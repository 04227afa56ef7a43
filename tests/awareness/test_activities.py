"""Recording activities and participation: validation, permissions per role, the audit log, and
the CSV import of a learning platform's export (all or nothing)."""

import pytest
from django.core.exceptions import ValidationError

from tests.awareness.conftest import days_ago, exercise, phishing, training
from tests.factories import OrganisationFactory, member
from weerbaar.awareness import services
from weerbaar.awareness.models import Activity, GroupParticipation
from weerbaar.core.models import AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.core.tenancy import NotPermitted

pytestmark = pytest.mark.django_db


def test_phishing_simulation_is_recorded_with_an_audit_entry(officer):
    activity = phishing(officer)
    assert (activity.sent, activity.opened, activity.clicked, activity.reported) == (100, 50, 20, 30)
    entry = AuditEntry.objects.get(action="awareness.activity_created")
    assert entry.organisation_ref == officer.organisation.pk
    assert entry.object_id == str(activity.public_id)


@pytest.mark.parametrize(
    ("counts", "field"),
    [
        ({"opened": 101}, "opened"),
        ({"clicked": 51}, "clicked"),
        ({"reported": 101}, "reported"),
        ({"sent": -1}, "sent"),
        ({"sent": 0, "opened": 0, "clicked": 0, "reported": 0}, "sent"),
        ({"clicked": None}, "clicked"),
        ({"sent": 10**9}, "sent"),
        ({"opened": "many"}, "opened"),
    ],
)
def test_impossible_phishing_counts_are_refused_and_nothing_is_written(officer, counts, field):
    with pytest.raises(ValidationError) as refused:
        phishing(officer, **counts)
    assert field in refused.value.message_dict
    assert not Activity.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="awareness.").exists()


def test_exercise_needs_scenario_and_who_took_part(officer):
    with pytest.raises(ValidationError) as refused:
        services.create_activity(
            actor=officer.user,
            organisation=officer.organisation,
            kind="exercise",
            title="Oefening",
            held_on=days_ago(1),
        )
    assert {"scenario", "groups"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError) as refused:
        exercise(officer, groups=["board", "astronauts"])
    assert "groups" in refused.value.message_dict
    activity = exercise(officer, groups=["it", "board", "it"])
    assert activity.groups == ["board", "it"]


def test_counts_scenario_and_repeat_belong_to_their_own_kind(officer):
    with pytest.raises(ValidationError) as refused:
        training(officer, sent=10, scenario="x", repeat_months=12)
    assert {"sent", "scenario"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError) as refused:
        services.create_activity(
            actor=officer.user,
            organisation=officer.organisation,
            kind="campaign",
            title="Campagne",
            held_on=days_ago(1),
            repeat_months=12,
        )
    assert "repeat_months" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        training(officer, repeat_months=0)
    assert "repeat_months" in refused.value.message_dict


def test_dates_and_titles_are_checked(officer):
    from datetime import date

    with pytest.raises(ValidationError) as refused:
        training(officer, held_on=date(1900, 1, 1), title="")
    assert {"held_on", "title"} <= set(refused.value.message_dict)
    with pytest.raises(ValidationError) as refused:
        training(officer, held_on=days_ago(1), ends_on=days_ago(5))
    assert "ends_on" in refused.value.message_dict
    with pytest.raises(ValidationError):
        training(officer, title="x" * 201)
    with pytest.raises(ValidationError):
        services.create_activity(
            actor=officer.user, organisation=officer.organisation, kind="party", title="x", held_on=days_ago(1)
        )


def test_update_keeps_the_kind_and_checks_again(officer):
    activity = phishing(officer)
    with pytest.raises(ValidationError):
        services.update_activity(actor=officer.user, activity=activity, kind="campaign")
    with pytest.raises(ValidationError):
        services.update_activity(actor=officer.user, activity=activity, clicked=60)
    activity.refresh_from_db()
    assert activity.clicked == 20
    services.update_activity(actor=officer.user, activity=activity, reported=40)
    activity.refresh_from_db()
    assert activity.reported == 40
    assert AuditEntry.objects.get(action="awareness.activity_changed").changes == {"reported": [30, 40]}


@pytest.mark.parametrize(
    "role",
    [
        Role.DPO,
        Role.BOARD_MEMBER,
        Role.SUPERVISORY_BOARD,
        Role.AUDITOR,
        Role.CERT_ANALYST,
        Role.SECTOR_COORDINATOR,
        Role.INSPECTOR,
    ],
)
def test_only_the_ibp_officer_records_activities(organisation, role):
    outsider = member(role, organisation)
    with pytest.raises(NotPermitted):
        services.create_activity(
            actor=outsider.user, organisation=organisation, kind="campaign", title="Campagne", held_on=days_ago(1)
        )
    assert not Activity.objects.exists()


def test_an_officer_of_another_organisation_is_refused(officer):
    activity = phishing(officer)
    stranger = member(Role.IBP_OFFICER, OrganisationFactory())
    with pytest.raises(NotPermitted):
        services.update_activity(actor=stranger.user, activity=activity, title="Gekaapt")
    with pytest.raises(NotPermitted):
        services.set_participation(
            actor=stranger.user, activity=activity, group="it", people=5, invited=5, participated=5
        )
    with pytest.raises(NotPermitted):
        services.delete_activity(actor=stranger.user, activity=activity)
    assert Activity.objects.get().title == "Phishing voorjaar"


def test_participation_above_the_group_is_refused(officer):
    activity = training(officer)
    for values, field in [
        ({"people": 10, "invited": 11, "participated": 5}, "invited"),
        ({"people": 10, "invited": 10, "participated": 11}, "participated"),
        ({"people": 0, "invited": 0, "participated": 0}, "people"),
        ({"people": 10, "invited": -1, "participated": 0}, "invited"),
    ]:
        with pytest.raises(ValidationError) as refused:
            services.set_participation(actor=officer.user, activity=activity, group="it", **values)
        assert field in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.set_participation(
            actor=officer.user, activity=activity, group="aliens", people=1, invited=1, participated=1
        )
    assert not GroupParticipation.objects.exists()
    services.set_participation(actor=officer.user, activity=activity, group="it", people=8, invited=8, participated=6)
    services.set_participation(actor=officer.user, activity=activity, group="it", people=8, invited=8, participated=7)
    assert GroupParticipation.objects.get().participated == 7


# --- CSV import ----------------------------------------------------------------------------------

GOOD = b"Groep;Aantal;Uitgenodigd;Voltooid\r\nDocenten;120;110;95\r\nICT;8;8;8\r\n"


def test_csv_export_in_dutch_is_imported(officer):
    activity = training(officer)
    result = services.import_participation(actor=officer.user, activity=activity, content=GOOD)
    assert result == {"rows": 2, "created": 2}
    rows = {p.group: (p.people, p.invited, p.participated) for p in activity.participations.all()}
    assert rows == {"teaching_staff": (120, 110, 95), "it": (8, 8, 8)}
    assert AuditEntry.objects.filter(action="awareness.participation_imported").count() == 1


def test_csv_with_bom_and_commas_and_english_headers(officer):
    activity = training(officer)
    content = "\ufeffgroup,people,invited,completed\nboard,5,5,4\n".encode()
    assert services.import_participation(actor=officer.user, activity=activity, content=content)["rows"] == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"Groep;Aantal;Uitgenodigd;Voltooid\nDocenten;120;130;95\nICT;8;8;8\n", "row 2, invited"),
        (b"Groep;Aantal;Uitgenodigd;Voltooid\nDocenten;120;110;95\nICT;8;8;9\n", "row 3, participated"),
        (b"Groep;Aantal;Uitgenodigd;Voltooid\nDocenten;120;110;veel\n", "row 2, participated"),
        (b"Groep;Aantal;Uitgenodigd;Voltooid\nMarsmannetjes;1;1;1\n", "row 2, group"),
        (b"Groep;Aantal;Uitgenodigd;Voltooid\nICT;8;8;8\nict;8;8;8\n", "row 3, group"),
        (b"Groep;Aantal;Uitgenodigd\nICT;8;8\n", "participated"),
        (b"", "empty"),
        (b"Groep;Aantal;Uitgenodigd;Voltooid\n", "no rows"),
        (b"\xff\xfeG\x00r\x00", "CSV"),
        ("Groep;Aantal;Uitgenodigd;Voltooid\nICT;8;8;8\n".encode("utf-16"), "CSV"),
        (b"Groep;Aantal;Uitgenodigd;Voltooid\n\xe9;8;8;8\n", "UTF-8"),
        (b'Groep;Aantal;Uitgenodigd;Voltooid\n"ICT;8;8;8\n', "cannot be read"),
        (b"Groep;Aantal;Uitgenodigd;Voltooid\n" + b"ICT;8;8;" + b"9" * 300 + b"\n", "too long"),
        (b"Groep;Aantal;Uitgenodigd;Voltooid\n" + b"ICT;1;1;1\n" * 300, "Too many lines"),
        (b"a" * (300 * 1024), "too large"),
        (b"Groep;Aantal;Uitgenodigd;Voltooid\nICT;8;8;8" + b";x" * 50 + b"\n", "too many"),
    ],
)
def test_broken_csv_is_refused_whole_and_writes_nothing(officer, content, expected):
    activity = training(officer)
    services.set_participation(actor=officer.user, activity=activity, group="it", people=8, invited=8, participated=2)
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.import_participation(actor=officer.user, activity=activity, content=content)
    assert any(expected in message for message in refused.value.messages), refused.value.messages
    # The valid row in the same file was not applied either.
    assert list(activity.participations.values_list("group", "participated")) == [("it", 2)]
    assert AuditEntry.objects.count() == entries


def test_import_lists_every_problem_with_row_and_column(officer):
    activity = training(officer)
    content = b"Groep;Aantal;Uitgenodigd;Voltooid\nDocenten;120;130;95\nICT;x;8;8\nRvT;3;3;4\n"
    with pytest.raises(ValidationError) as refused:
        services.import_participation(actor=officer.user, activity=activity, content=content)
    assert refused.value.messages == [
        "row 2, invited: More people invited than the group has.",
        "row 3, people: Enter a whole number of 0 or more.",
        "row 4, participated: More people took part than were invited.",
    ]


def test_import_by_someone_else_is_refused(officer):
    activity = training(officer)
    board = member(Role.BOARD_MEMBER, officer.organisation)
    with pytest.raises(NotPermitted):
        services.import_participation(actor=board.user, activity=activity, content=GOOD)
    assert not GroupParticipation.objects.exists()
