"""The hot paths' SQL built once (`core.sql`): a row written by insert() is the row save() would
write, a row read by get_with() is the row the ORM would read, and anything save() would do
besides writing columns (a signal receiver) is never skipped."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import transaction
from django.db.models.signals import post_save

from tests.factories import MembershipFactory
from weerbaar.accounts.models import PersonalAccessToken
from weerbaar.accounts.services import create_api_token
from weerbaar.core import audit, sql
from weerbaar.core.audit import verify_chain
from weerbaar.core.models import AuditChainHead, AuditEntry
from weerbaar.incidents.models import Incident

pytestmark = pytest.mark.django_db

SKIPPED = {"id", "public_id", "created_at", "updated_at"}


def report(organisation, user, title: str) -> Incident:
    """A report with many columns left empty and some of every kind filled in."""
    return Incident(
        organisation=organisation,
        reported_by=user,
        title=title,
        description="Phishing mail sent from a staff account after a password leak.",
        category="fraud",
        detected_at=datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        aware_at=datetime(2026, 3, 29, 3, 15, tzinfo=UTC),
        pupils_affected=40,
        personal_data_involved=True,
        personal_data_categories=["contact", "grades"],
        contact_name="Sanne de Vries",
        intake_key=f"key-{title}",
    )


def test_insert_stores_the_row_save_would_store():
    membership = MembershipFactory()
    by_save = report(membership.organisation, membership.user, "By save")
    by_save.save()
    by_insert = sql.insert(report(membership.organisation, membership.user, "By insert"))

    assert by_insert.pk is not None
    assert by_insert.pk != by_save.pk
    assert not by_insert._state.adding
    stored_save = Incident.objects.get(pk=by_save.pk)
    stored_insert = Incident.objects.get(pk=by_insert.pk)
    for field in Incident._meta.concrete_fields:
        if field.name in SKIPPED or field.name in ("title", "intake_key"):
            continue
        assert getattr(stored_insert, field.attname) == getattr(stored_save, field.attname), field.name
    # The automatic timestamps are filled in as save() fills them, on the instance too.
    assert stored_insert.created_at == by_insert.created_at
    assert stored_insert.updated_at == by_insert.updated_at
    assert stored_insert.public_id == by_insert.public_id
    assert stored_insert.title == "By insert"


def test_insert_of_a_different_set_of_empty_columns_gets_its_own_statement():
    membership = MembershipFactory()
    bare = sql.insert(Incident(organisation=membership.organisation, reported_by=membership.user, title="Bare"))
    full = sql.insert(report(membership.organisation, membership.user, "Full"))
    assert Incident.objects.get(pk=bare.pk).pupils_affected is None
    assert Incident.objects.get(pk=full.pk).pupils_affected == 40


def test_insert_leaves_a_model_with_save_receivers_to_save():
    membership = MembershipFactory()
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.title, created))

    post_save.connect(receiver, sender=Incident, dispatch_uid="test-sql-receiver")
    try:
        sql.insert(report(membership.organisation, membership.user, "Watched"))
    finally:
        post_save.disconnect(dispatch_uid="test-sql-receiver", sender=Incident)
    assert seen == [("Watched", True)]


def test_insert_goes_through_a_models_own_save_unless_told_it_only_guards_changes():
    membership = MembershipFactory()
    original = Incident.save
    calls = []

    def own_save(self, *args, **kwargs):
        calls.append(self.title)
        original(self, *args, **kwargs)

    with mock.patch.object(Incident, "save", own_save):
        sql.insert(report(membership.organisation, membership.user, "Own save"))
    assert calls == ["Own save"]
    assert Incident.objects.filter(title="Own save").exists()


def test_get_with_reads_what_the_orm_reads_with_the_related_row_in_the_same_statement(django_assert_num_queries):
    membership = MembershipFactory()
    token, _secret = create_api_token(actor=membership.user, name="test", scope="read_write", days_valid=30)
    expected = PersonalAccessToken.objects.select_related("user").get(pk=token.pk)

    with django_assert_num_queries(1):
        found = sql.get_with(PersonalAccessToken, "user", prefix=token.prefix)
        assert found.user.email == membership.user.email

    for field in PersonalAccessToken._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    for field in type(membership.user)._meta.concrete_fields:
        assert getattr(found.user, field.attname) == getattr(expected.user, field.attname), field.name
    assert isinstance(found.expires_at, datetime)
    assert found.expires_at.tzinfo is not None
    assert found.expires_at > datetime.now(UTC) + timedelta(days=29)
    assert found.user.is_active is True


def test_get_with_gives_none_for_an_unknown_key_and_refuses_a_column_that_is_not_unique():
    assert sql.get_with(PersonalAccessToken, "user", prefix="nosuchprefix") is None
    with pytest.raises(ValueError, match="not unique"):
        sql.get_with(PersonalAccessToken, "user", name="test")


def test_the_first_entry_of_an_empty_chain_creates_the_head():
    AuditChainHead.objects.all().delete()
    assert not AuditEntry.objects.exists()
    with transaction.atomic():
        first = audit.record(actor=None, action="test.first", organisation_id=None)
        second = audit.record(actor=None, action="test.second", organisation_id=None)
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    head = AuditChainHead.objects.get(pk=1)
    assert (head.seq, head.hash) == (2, second.hash)
    assert verify_chain() == []


def test_the_task_backend_writes_the_row_the_library_writes():
    from django_tasks_db import DatabaseBackend as LibraryBackend
    from django_tasks_db.models import DBTaskResult

    from weerbaar.core.tasks import DatabaseBackend
    from weerbaar.incidents.tasks import announce_report_task

    # Ours writes the row itself, without the ORM's save().
    with mock.patch.object(DBTaskResult, "save_base", side_effect=AssertionError("save() was used")):
        ours = DatabaseBackend("default", {}).enqueue(announce_report_task, (42,), {})
    theirs = LibraryBackend("default", {}).enqueue(announce_report_task, (42,), {})

    assert ours.status == theirs.status
    stored_ours = DBTaskResult.objects.get(pk=ours.id)
    stored_theirs = DBTaskResult.objects.get(pk=theirs.id)
    for field in DBTaskResult._meta.concrete_fields:
        if field.name not in {"id", "enqueued_at"}:
            assert getattr(stored_ours, field.attname) == getattr(stored_theirs, field.attname), field.name
    assert stored_ours.task == announce_report_task


def test_a_pre_save_receiver_the_caller_does_not_name_sends_the_row_through_save():
    from django.db.models.signals import pre_save
    from django_tasks_db.models import DBTaskResult

    from weerbaar.core.tasks import DatabaseBackend
    from weerbaar.incidents.tasks import announce_report_task

    seen = []

    def watcher(sender, instance, **kwargs):
        seen.append(instance.pk)

    pre_save.connect(watcher, sender=DBTaskResult, dispatch_uid="test-sql-watcher")
    try:
        result = DatabaseBackend("default", {}).enqueue(announce_report_task, (7,), {})
    finally:
        pre_save.disconnect(dispatch_uid="test-sql-watcher", sender=DBTaskResult)
    assert seen == [result.db_result.pk]
    assert DBTaskResult.objects.filter(pk=result.db_result.pk).exists()


def test_hot_path_statements_are_prepared_on_postgresql_and_still_logged():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statement = "SELECT CAST(%s AS integer) + 1"
    with CaptureQueriesContext(connection) as seen:
        assert sql.fetch(statement, [41]) == [(42,)]
        assert sql.fetch(statement, [1]) == [(2,)]
    assert len(seen.captured_queries) == 2
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("+ 1" in text for text in prepared), prepared
