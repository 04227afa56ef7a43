"""Appending to and verifying the audit log.

Services call `record()` inside their transaction, so the entry is written if and only if the
change itself is.
"""

from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from weerbaar.core import sql
from weerbaar.core.models import AuditChainHead, AuditEntry

GENESIS_HASH = "0" * 64

# Every service appends through here, some of them hundreds of times a second: the head is read
# and moved with fixed statements instead of ORM queries built on each call.
_HEAD = AuditChainHead._meta.db_table
_READ_HEAD = f'SELECT "seq", "hash" FROM "{_HEAD}" WHERE "id" = 1'  # noqa: S608 (the model's table name)
_MOVE_HEAD = f'UPDATE "{_HEAD}" SET "seq" = %s, "hash" = %s WHERE "id" = 1'  # noqa: S608


def _lock_head() -> tuple[int, str]:
    """The chain head's number and hash, locked until the transaction ends (on SQLite the
    transaction's write lock serialises appenders instead)."""
    statement = _READ_HEAD + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    with sql.cursor() as cursor:
        cursor.execute(statement, [])
        row = cursor.fetchone()
    if row is None:
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        return head.seq, head.hash
    return row[0], row[1]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def record(
    *,
    actor,
    action: str,
    organisation_id: int | None,
    obj: Any = None,
    changes: dict[str, Any] | None = None,
    object_label: str = "",
) -> AuditEntry:
    """Append one entry to the audit chain. Must run inside the service's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the service's transaction")
    seq, prev_hash = _lock_head()
    entry = AuditEntry(
        seq=seq + 1,
        created_at=timezone.now(),
        actor_ref=getattr(actor, "pk", None),
        actor_label=(getattr(actor, "email", "") or "system") if actor is not None else "system",
        organisation_ref=organisation_id,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(getattr(obj, "public_id", None) or getattr(obj, "pk", "") or "") if obj is not None else "",
        object_label=(object_label or (str(obj) if obj is not None else ""))[:300],
        changes=_jsonable(changes or {}),
        prev_hash=prev_hash,
    )
    entry.hash = entry.compute_hash()
    # AuditEntry.save() only refuses changes: a new entry is stored as save() would store it.
    sql.insert(entry, plain_save=True)
    with sql.cursor() as cursor:
        cursor.execute(_MOVE_HEAD, [entry.seq, entry.hash])
    return entry


def field_changes(instance: Any, fields: list[str], new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value differs."""
    result: dict[str, list[Any]] = {}
    for name in fields:
        if name in new_values:
            old = getattr(instance, name)
            new = new_values[name]
            if old != new:
                result[name] = [_jsonable(old), _jsonable(new)]
    return result


@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    message: str


def verify_chain(batch_size: int = 2000) -> list[ChainProblem]:
    """Walk the whole chain and report every changed, deleted or reordered entry."""
    problems: list[ChainProblem] = []
    expected_seq = 1
    prev_hash = GENESIS_HASH
    last_seq = 0
    with transaction.atomic():
        entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size)
        for entry in entries:
            if entry.seq != expected_seq:
                problems.append(ChainProblem(entry.seq, f"entries {expected_seq}..{entry.seq - 1} are missing"))
            if entry.prev_hash != prev_hash:
                problems.append(ChainProblem(entry.seq, "does not link to the entry before it (removed or reordered)"))
            if entry.compute_hash() != entry.hash:
                problems.append(ChainProblem(entry.seq, "content was changed after it was written"))
            prev_hash = entry.hash
            expected_seq = entry.seq + 1
            last_seq = entry.seq
        head = AuditChainHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    head_hash = head.hash if head else GENESIS_HASH
    if head_seq != last_seq:
        problems.append(ChainProblem(head_seq, f"the chain should end at entry {head_seq} but ends at {last_seq}"))
    elif head_hash != prev_hash:
        problems.append(ChainProblem(head_seq, "the last entry differs from the recorded chain head"))
    return problems
