"""The audit log: every service write is recorded, the log cannot be changed through the ORM, and
audit_verify finds any change made behind its back."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from tests.factories import member
from weerbaar.core import audit
from weerbaar.core.audit import verify_chain
from weerbaar.core.models import AppendOnlyError, AuditEntry
from weerbaar.core.permissions import Role
from weerbaar.organisations import services

pytestmark = pytest.mark.django_db(transaction=False)


def make_entries(n: int, organisation_id: int | None = None) -> list[AuditEntry]:
    entries = []
    for i in range(n):
        with transaction.atomic():
            entries.append(
                audit.record(actor=None, action=f"test.step{i}", organisation_id=organisation_id, changes={"i": i})
            )
    return entries


@contextmanager
def tamper():
    """Raw SQL behind the application's back, as an attacker with database access would do.

    On PostgreSQL a trigger refuses such changes; the attacker first disables it.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_no_update")


def test_service_write_records_actor_organisation_action_object_and_change(organisation):
    admin = member(Role.BOARD_MEMBER, organisation)
    invited = services.invite_member(
        actor=admin.user, organisation=organisation, email="nieuw@school.test", role=Role.DPO
    )

    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.actor_ref == admin.user.pk
    assert entry.actor_label == admin.user.email
    assert entry.organisation_ref == organisation.pk
    assert entry.action == "member.invited"
    assert entry.object_type == "organisations.membership"
    assert entry.object_id == str(invited.public_id)
    assert entry.changes["role"] == Role.DPO


def test_refused_service_write_records_nothing(organisation, other_organisation):
    outsider = member(Role.BOARD_MEMBER, other_organisation)
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        services.invite_member(actor=outsider.user, organisation=organisation, email="x@school.test", role=Role.DPO)
    assert AuditEntry.objects.count() == before


def test_entries_link_into_an_intact_chain():
    entries = make_entries(4)
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[1].prev_hash == entries[0].hash
    assert verify_chain() == []


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit.record(actor=None, action="test.loose", organisation_id=None)


def test_orm_cannot_change_or_delete_entries():
    entry = make_entries(1)[0]
    entry.action = "something.else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="database trigger exists on PostgreSQL only")
def test_postgresql_trigger_refuses_raw_updates():
    from django.db import DatabaseError

    make_entries(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET action = 'x'")


def test_verify_finds_a_changed_entry():
    make_entries(3)
    with tamper() as cursor:
        cursor.execute("UPDATE core_auditentry SET changes = %s WHERE seq = 2", ['{"i": 99}'])
    problems = verify_chain()
    assert [(p.seq, "changed" in p.message) for p in problems] == [(2, True)]


def test_verify_finds_a_deleted_entry():
    make_entries(3)
    with tamper() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = 2")
    problems = verify_chain()
    assert any(p.seq == 3 and "missing" in p.message for p in problems)


def test_verify_finds_entries_cut_off_the_end():
    make_entries(3)
    with tamper() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE seq = 3")
    assert any("should end at entry 3" in p.message for p in verify_chain())


def test_verify_finds_reordered_entries():
    make_entries(3)
    with tamper() as cursor:
        # Swap the content of entries 1 and 2, keeping each entry's own hash consistent, so only
        # the links give the reordering away.
        cursor.execute("UPDATE core_auditentry SET seq = 100 WHERE seq = 1")
        cursor.execute("UPDATE core_auditentry SET seq = 1 WHERE seq = 2")
        cursor.execute("UPDATE core_auditentry SET seq = 2 WHERE seq = 100")
    messages = [p.message for p in verify_chain()]
    assert any("does not link" in m for m in messages)


def test_audit_verify_command_reports_and_fails_on_tampering(capsys):
    make_entries(2)
    call_command("audit_verify")
    assert "intact: 2 entries" in capsys.readouterr().out

    with tamper() as cursor:
        cursor.execute("UPDATE core_auditentry SET actor_label = 'someone-else' WHERE seq = 1")
    with pytest.raises(CommandError, match="not intact"):
        call_command("audit_verify")
    assert "entry 1: content was changed" in capsys.readouterr().err


def test_organisation_admin_sees_own_audit_log_only(client, organisation, other_organisation):
    admin = member(Role.BOARD_MEMBER, organisation)
    other_admin = member(Role.BOARD_MEMBER, other_organisation)
    services.invite_member(actor=admin.user, organisation=organisation, email="mine@school.test", role=Role.DPO)
    services.invite_member(
        actor=other_admin.user, organisation=other_organisation, email="theirs@school.test", role=Role.DPO
    )
    dpo = member(Role.DPO, organisation)

    client.force_login(admin.user)
    page = client.get(f"/organisations/{organisation.public_id}/audit-log/")
    assert page.status_code == 200
    assert b"mine@school.test" in page.content
    assert b"theirs@school.test" not in page.content
    assert client.get(f"/organisations/{other_organisation.public_id}/audit-log/").status_code == 404

    # A DPO has no access to the audit log of its organisation.
    client.force_login(dpo.user)
    assert client.get(f"/organisations/{organisation.public_id}/audit-log/").status_code == 404
