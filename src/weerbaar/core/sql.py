"""Writing a new row, and reading one by a unique key, with SQL built once per process, for the
few paths that run hundreds of times a second (the incident intake, API token checks, the
audit log every service appends to).

`Model.save()` builds its INSERT anew on every call: for a model of fifty columns that costs
more CPU than the database spends storing the row. `insert()` builds the statement once per
model and database, and fills in the values the way `save()` does (`pre_save()` for automatic
timestamps, `get_db_prep_save()` for each column's adaptation), so the stored row is the same.
"""

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.signals import post_save, pre_save

_STATEMENTS: dict[tuple, str] = {}
_FIELDS: dict[type, list[models.Field]] = {}


def _columns(model: type[models.Model]) -> list[models.Field]:
    if model not in _FIELDS:
        meta = model._meta
        _FIELDS[model] = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
    return _FIELDS[model]


def _statement(db, model: type[models.Model], empty: tuple[bool, ...]) -> str:
    """The INSERT for the model, with NULL written out for the columns that are empty this time:
    a report leaves most of its fifty columns empty, and fewer parameters are cheaper to send
    (the driver caches its parsing of a statement only up to fifty of them)."""
    key = (db.alias, db.vendor, model, empty)
    if key not in _STATEMENTS:
        meta = model._meta
        quote = db.ops.quote_name
        fields = _columns(model)
        # Table and column names come from the model; every value is a parameter.
        statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            quote(meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join("NULL" if is_empty else "%s" for is_empty in empty),
        )
        if meta.auto_field is not None and db.features.can_return_columns_from_insert:
            statement += f" RETURNING {quote(meta.auto_field.column)}"
        _STATEMENTS[key] = statement
    return _STATEMENTS[key]


def _receivers(signal, model: type[models.Model]) -> list:
    sync, asynchronous = signal._live_receivers(model)
    return [*sync, *asynchronous]


def _plain(model: type[models.Model], done: tuple) -> bool:
    """Whether save() would do nothing for a new row beyond writing its columns, apart from the
    pre_save receivers in `done` (whose work the caller has done)."""
    if model._meta.parents or post_save.has_listeners(model):
        return False
    return not pre_save.has_listeners(model) or all(r in done for r in _receivers(pre_save, model))


def insert(instance: models.Model, *, plain_save: bool = False, receivers_done: tuple = ()) -> models.Model:
    """Store a new instance as `instance.save()` would.

    Only for a model whose save() adds nothing to a first save (pass `plain_save=True` for one
    that overrides save() only to refuse changes). A model with a parent table, post_save
    receivers or pre_save receivers other than those the caller names in `receivers_done`
    (having done their work itself) falls back to save(), so a receiver added later is never
    skipped.
    """
    model = type(instance)
    overridden = model.save is not models.Model.save
    if (overridden and not plain_save) or not _plain(model, receivers_done) or not instance._state.adding:
        instance.save()
        return instance
    db = connections[DEFAULT_DB_ALIAS]
    values = [f.get_db_prep_save(f.pre_save(instance, True), db) for f in _columns(model)]
    if any(hasattr(v, "resolve_expression") for v in values):
        # An expression (F(), a database function) is the ORM's to compile.
        instance.save()
        return instance
    statement = _statement(db, model, tuple(v is None for v in values))
    with cursor() as writing:
        writing.execute(statement, [v for v in values if v is not None])
        auto = model._meta.auto_field
        if auto is not None:
            returned = db.features.can_return_columns_from_insert
            setattr(instance, auto.attname, writing.fetchone()[0] if returned else writing.lastrowid)
    instance._state.adding = False
    instance._state.db = db.alias
    return instance


_SELECTS: dict[tuple, tuple[str, list, models.Field, list[models.Field], list[models.Field]]] = {}


def _converters(db, fields: list[models.Field], table: str) -> list[tuple[list, object]]:
    """Per column, the conversions the ORM applies to a value read from this database, with the
    column expression they are given."""
    result = []
    for f in fields:
        col = f.get_col(table)
        result.append((db.ops.get_db_converters(col) + col.get_db_converters(db), col))
    return result


def get_with(model: type[models.Model], related: str, **lookup) -> models.Model | None:
    """The one row of `model` whose unique column equals the value given (`prefix="abc"`), with
    the row its foreign key `related` (not null) points at, in one statement built once; None if
    there is none. The instances are those `select_related(related).filter(...).first()` would
    give."""
    ((column_name, value),) = lookup.items()
    db = connections[DEFAULT_DB_ALIAS]
    key = (db.alias, db.vendor, model, related, column_name)
    if key not in _SELECTS:
        meta = model._meta
        link = meta.get_field(related)
        where = meta.get_field(column_name)
        if not where.unique:
            raise ValueError(f"{column_name} is not unique")
        other = link.related_model._meta
        own_fields = list(meta.concrete_fields)
        other_fields = list(other.concrete_fields)
        quote = db.ops.quote_name
        columns = [f"t.{quote(f.column)}" for f in own_fields] + [f"r.{quote(f.column)}" for f in other_fields]
        statement = (
            f"SELECT {', '.join(columns)} FROM {quote(meta.db_table)} t "  # noqa: S608 (names from the models)
            f"INNER JOIN {quote(other.db_table)} r ON r.{quote(link.target_field.column)} = t.{quote(link.column)} "
            f"WHERE t.{quote(where.column)} = %s"
        )
        converters = _converters(db, own_fields, meta.db_table) + _converters(db, other_fields, other.db_table)
        _SELECTS[key] = (statement, converters, where, own_fields, other_fields)
    statement, converters, where, own_fields, other_fields = _SELECTS[key]
    with cursor() as reading:
        reading.execute(statement, [where.get_db_prep_value(value, db)])
        row = reading.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, (column_converters, col) in enumerate(converters):
        for convert in column_converters:
            values[i] = convert(values[i], col, db)
    split = len(own_fields)
    instance = model.from_db(db.alias, [f.attname for f in own_fields], values[:split])
    target = model._meta.get_field(related).related_model
    linked = target.from_db(db.alias, [f.attname for f in other_fields], values[split:])
    setattr(instance, related, linked)
    return instance


_PREPARING_CURSOR = None


def _preparing_cursor_class():
    global _PREPARING_CURSOR
    if _PREPARING_CURSOR is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparingCursor(ServerBindingCursor):
            def execute(self, query, params=None, **kwargs):
                kwargs.setdefault("prepare", True)
                return super().execute(query, params, **kwargs)

        _PREPARING_CURSOR = PreparingCursor
    return _PREPARING_CURSOR


def cursor():
    """A database cursor whose statements PostgreSQL prepares (elsewhere, an ordinary one).

    The statements of the hot paths are few and fixed, and for some (a permission check of many
    joins and subqueries) PostgreSQL spends several times longer parsing and planning than
    running them. Prepared, each is planned once per connection, which pays off with
    connections kept open between requests (WEERBAAR_DB_CONN_MAX_AGE), as production runs. It
    is still Django's cursor wrapper, so errors, the query log and test counts work as usual.
    """
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return db.cursor()
    db.ensure_connection()
    db.validate_thread_sharing()
    raw = db.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's preparing off, which also ignores an explicit prepare=True.
        # Its own queries run on client-side cursors, which never prepare, so with a threshold
        # no statement reaches only the statements run here are prepared.
        raw.prepare_threshold = 2**31 - 1
    with db.wrap_database_errors:
        prepared = _preparing_cursor_class()(raw)
    return db.make_debug_cursor(prepared) if db.queries_logged else db.make_cursor(prepared)


def fetch(statement: str, params: list) -> list[tuple]:
    """The rows of a read on the hot path, as a prepared statement on PostgreSQL."""
    with cursor() as reading:
        reading.execute(statement, params)
        return reading.fetchall()
