"""Model instances read and written by SQL written once, for hot paths.

The ORM builds and compiles its SQL again on every call, which for a small statement costs
several times what the database spends running it.

`Rows` names a model and the models joined to it (as `select_related` would); it gives the
column list to write into a SELECT, and turns the cursor's rows into instances exactly as
the ORM does: the database converters of each field (JSON, datetimes in UTC, booleans on
SQLite) applied, `Model.from_db` for each instance, and each joined instance cached on its
parent (no query when the code reads `message.contact`). A joined model that may be absent (a
nullable foreign key, read with LEFT JOIN) comes back as None when its primary key is NULL.
Write the SELECT with the tables' own names (`table(Model)`), the column list in
`rows.columns`, and the joins in the order the `Rows` names them.

`Inserts` writes instances with one INSERT, as `save` or `bulk_create` would.

`model_sql` writes a statement with a model's own table and column names, `adapt` and
`aware` carry datetimes in and out as the ORM does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models
from django.db.models.constants import OnConflict
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import Query

Converter = tuple[int, list[Callable[..., Any]], Any]


def aware(value: datetime | str) -> datetime:
    """A datetime read by hand-written SQL: SQLite's driver gives it naive (stored in UTC, or
    as text), PostgreSQL's aware."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def adapt(moment: datetime) -> Any:
    """A datetime as the ORM writes it to the default database (naive UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(moment)


def table(model: type[models.Model]) -> str:
    """The model's table name, quoted for the default database."""
    return connection.ops.quote_name(model._meta.db_table)


def model_sql(model: type[models.Model], text: str, **constants: str) -> str:
    """`text` with {table} and each {field} replaced by the model's quoted table and column
    names, and {name} by `constants` (SQL fragments and enumerated values, never what a user
    sent). A literal `{ids}` stays, for a list of placeholders filled in per call."""
    fields = model._meta.concrete_fields
    names = {f.name: connection.ops.quote_name(str(f.column)) for f in fields if f.column}
    return text.format(table=table(model), ids="{ids}", **names, **constants)


class Rows[M: models.Model]:
    """Instances of `model`, each with the instances of `joined` (attribute name → model)
    cached on it."""

    def __init__(
        self, model: type[M], *, only: Sequence[str] = (), **joined: type[models.Model]
    ) -> None:
        """`only`: read just these attributes of `model` (the rest deferred, as `.only()`)."""
        self.model = model
        every: list[type[models.Model]] = [model, *joined.values()]
        self.parts: list[tuple[type[models.Model], list[models.Field[Any, Any]]]] = [
            (m, [f for f in m._meta.concrete_fields if f.column]) for m in every
        ]
        if only:
            wanted = [f for f in self.parts[0][1] if f.attname in only or f.name in only]
            self.parts[0] = (model, wanted)
        # Per part: its model, its attribute names, where its primary key is, and where it
        # starts in a row; per joined part: the parent's field that caches it.
        self._layout: list[tuple[type[models.Model], list[str], int, int]] = []
        start = 0
        for m, fields in self.parts:
            pk = [f.primary_key for f in fields].index(True)
            self._layout.append((m, [f.attname for f in fields], start + pk, start))
            start += len(fields)
        self._caches = [model._meta.get_field(name) for name in joined]
        self._converters: dict[str, list[Converter]] = {}

    @property
    def columns(self) -> str:
        """The SELECT list: every concrete column of the model, then of each joined model."""
        quote = connection.ops.quote_name
        return ", ".join(
            f"{table(m)}.{quote(str(f.column))}" for m, fields in self.parts for f in fields
        )

    def _converters_for(self) -> list[Converter]:
        """Each column's database converters, as the ORM's compiler finds them (once per
        database alias)."""
        known = self._converters.get(connection.alias)
        if known is not None:
            return known
        compiler = connection.ops.compiler("SQLCompiler")(
            Query(self.model), connection, connection.alias
        )
        cols: list[Any] = [f.get_col(m._meta.db_table) for m, fields in self.parts for f in fields]
        found = compiler.get_converters(cols)
        converters = [(pos, funcs, expr) for pos, (funcs, expr) in found.items()]
        self._converters[connection.alias] = converters
        return converters

    def fetch(self, sql: str, params: Sequence[Any]) -> list[M]:
        """Run `sql` (which selects `self.columns`) and build the instances."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return []
        converters = self._converters_for()
        alias = connection.alias
        found: list[M] = []
        for raw in rows:
            values = list(raw)
            for pos, funcs, expr in converters:
                value = values[pos]
                for func in funcs:
                    value = func(value, expr, connection)
                values[pos] = value
            found.append(self._build(alias, values))
        return found

    def _build(self, alias: str, values: list[Any]) -> M:
        built: list[models.Model | None] = []
        for m, attnames, pk_at, start in self._layout:
            if values[pk_at] is None:
                built.append(None)  # a LEFT JOIN that found nothing
                continue
            built.append(m.from_db(alias, attnames, values[start : start + len(attnames)]))
        parent = built[0]
        assert isinstance(parent, self.model)
        for field, child in zip(self._caches, built[1:], strict=True):
            field.set_cached_value(parent, child)  # type: ignore[union-attr]
        return parent


class Inserts[M: models.Model]:
    """Rows of `model` written by one INSERT built once (per number of rows): each field's
    value as `Model.save` would write it (Python defaults from the constructor, `pre_save`
    for `auto_now` fields, the field's database preparation), the new primary keys read back
    with RETURNING and set on the instances.

    `ignore_conflicts`: a row that breaks a unique constraint is skipped, as with
    `bulk_create(ignore_conflicts=True)`; the instances then get no primary key.

    No signals are sent, as with `bulk_create`: the model must have no `pre_save` or
    `post_save` receiver, and an insert refuses to run if one is connected."""

    def __init__(self, model: type[M], *, ignore_conflicts: bool = False) -> None:
        self.model = model
        self.ignore_conflicts = ignore_conflicts
        self.fields = [f for f in model._meta.concrete_fields if f.column and not f.primary_key]
        self._sql: dict[tuple[str, int], str] = {}

    def _statement(self, count: int) -> str:
        key = (connection.alias, count)
        known = self._sql.get(key)
        if known is not None:
            return known
        quote, ops = connection.ops.quote_name, connection.ops
        conflict = OnConflict.IGNORE if self.ignore_conflicts else None
        columns = ", ".join(quote(str(f.column)) for f in self.fields)
        one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        parts = [
            ops.insert_statement(on_conflict=conflict),
            f"{table(self.model)} ({columns}) VALUES",
            ", ".join([one] * count),
        ]
        suffix = ops.on_conflict_suffix_sql(self.fields, conflict, [], [])
        if suffix:
            parts.append(suffix)
        if not self.ignore_conflicts:
            parts.append(f"RETURNING {quote(str(self.model._meta.pk.column))}")
        sql = " ".join(parts)
        self._sql[key] = sql
        return sql

    def insert(self, *objs: M) -> None:
        if not objs:
            return
        if pre_save.has_listeners(self.model) or post_save.has_listeners(self.model):
            raise RuntimeError(f"{self.model.__name__} has save receivers: use the ORM")
        size = max(1, connection.ops.bulk_batch_size(self.fields, list(objs)))
        for start in range(0, len(objs), size):
            self._insert(objs[start : start + size])

    def _insert(self, objs: Sequence[M]) -> None:
        params: list[Any] = []
        for obj in objs:
            for field in self.fields:
                value = field.pre_save(obj, add=True)
                params.append(field.get_db_prep_save(value, connection))
        with connection.cursor() as cursor:
            cursor.execute(self._statement(len(objs)), params)
            ids = [] if self.ignore_conflicts else cursor.fetchall()
        alias = connection.alias
        for obj, row in zip(objs, ids, strict=False):
            obj.pk = row[0]
        for obj in objs:
            obj._state.adding = obj.pk is None
            obj._state.db = alias
