"""Audit history (django-simple-history): who changed what and when, for pages and for bulk paths."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from django.db import connections
from django.db.models import F, JSONField, QuerySet, Value
from django.db.models.expressions import RawSQL
from simple_history.manager import HistoryDescriptor
from simple_history.models import HistoricalRecords


@dataclass(frozen=True)
class Change:
    """One recorded change, for the history section of an object's page."""

    when: datetime
    who: object
    what: str
    kind: str
    fields: list[str]


# What a page says of an author (`str(user)`: their name, or their username without one), read with
# each version.
AUTHOR_NAMES = ("first_name", "last_name", "username")


def change_history(
    sources: Iterable[tuple[QuerySet, str]], *, excluded: Iterable[str] = (), limit: int = 30
) -> list[Change]:
    """Who changed what and when in the given history querysets, newest first.

    One query, whatever the number of sources: every version of every source together (UNION ALL,
    each version's compared fields as one JSON object, with its author's name). The changed
    fields are found by comparing each version with the one before it of the same object, as
    simple-history's diff does (the tracked, editable fields; many-to-many fields are left out, as
    comparing them would cost a query per version). Field names only, never values: what a page may
    not show (a private note, a phone number) is never shown here either.
    """
    excluded = {"updated_at", "created_at", *excluded}
    sources = list(sources)
    if not sources:
        return []
    compared = [_compared(records.model, excluded) for records, _what in sources]
    versions = [_versions(records, index, compared[index]) for index, (records, _what) in enumerate(sources)]
    rows = list(versions[0].union(*versions[1:], all=True).order_by("history_date", "history_id"))
    people = _Authors(sources[0][0].model)
    previous, changes = {}, []
    for row in rows:
        records, what = sources[row["source"]]
        before = previous.get((row["source"], row["object_id"]))
        fields = []
        if before is not None:
            meta = records.model.instance_type._meta
            fields = [
                str(meta.get_field(name).verbose_name)
                for name in compared[row["source"]]
                if before.get(name) != row["data"].get(name)
            ]
        previous[(row["source"], row["object_id"])] = row["data"]
        who = people.of(row)
        changes.append(Change(row["history_date"], who, str(what), row["history_type"], fields))
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


def _compared(history_model, excluded: set[str]) -> list[str]:
    """The fields compared between versions, in the model's order: tracked, editable, not excluded."""
    return [
        field.name
        for field in history_model.tracked_fields
        if field.editable and not field.many_to_many and field.name not in excluded
    ]


def _versions(records: QuerySet, source: int, compared: list[str]) -> QuerySet:
    """One source's versions as plain values: when, who, what happened, to which object, and the
    compared fields' values as one JSON object."""
    model = records.model
    return (
        records.order_by()
        .values(
            "history_id",
            "history_date",
            "history_type",
            "history_user_id",
            *(f"history_user__{name}" for name in AUTHOR_NAMES),
        )
        .annotate(
            source=Value(source),
            object_id=F(model.instance_type._meta.pk.attname),
            data=RawSQL(  # noqa: S611 - model field names and quoted columns, no input
                _as_object(model, tuple(compared), records.db), (), output_field=JSONField()
            ),
        )
    )


# The SQL of each history's compared fields as one JSON object, by history model, fields and database.
_objects: dict[tuple, str] = {}


def _as_object(history_model, compared: tuple[str, ...], alias: str) -> str:
    """The compared fields of a version as one JSON object, as `JSONObject` writes it, but written once
    per process: resolving and compiling twenty-odd field expressions per source cost each history
    section about 1.5 ms a page (the student page's four sources)."""
    connection = connections[alias]
    key = (history_model, compared, connection.vendor)
    if key not in _objects:
        table, quote = history_model._meta.db_table, connection.ops.quote_name
        columns = {field.name: field.column for field in history_model._meta.fields}
        # Field names are Python identifiers (safe as SQL literals); columns are quoted with their table,
        # which the join to the author also has columns of the same names as.
        pairs = ", ".join(f"'{name}', {quote(table)}.{quote(columns[name])}" for name in compared)
        # PostgreSQL builds it from at most 100 arguments, 50 fields; the largest history has 22.
        function = "JSONB_BUILD_OBJECT" if connection.vendor == "postgresql" else "JSON_OBJECT"
        _objects[key] = f"{function}({pairs})"
    return _objects[key]


class _Authors:
    """The people who made the changes, from the names read with each version (one per person)."""

    def __init__(self, history_model):
        self.model = history_model._meta.get_field("history_user").related_model
        self.people = {}

    def of(self, row: dict):
        """The author of a version, or None for a change the system made."""
        pk = row["history_user_id"]
        if pk is not None and pk not in self.people:
            names = {name: row[f"history_user__{name}"] for name in AUTHOR_NAMES}
            self.people[pk] = self.model(pk=pk, **names)
        return self.people.get(pk)


@contextmanager
def history_user(user) -> Iterator[None]:
    """Record `user` as the author of every change made inside (a task or command acting for someone).

    Web requests get this from simple-history's middleware; a Celery task has no request.
    """
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if previous is None:
            del context.request
        else:
            context.request = previous


class KeptHistoryDescriptor(HistoryDescriptor):
    """`Model.history`, with its manager class built once.

    django-simple-history's descriptor builds a new manager class (`Manager.from_queryset`) on every
    access, about 0.1 ms: once for every record saved one at a time (to write its history record), once
    per bulk write, and on every read of a history. This one builds it when the model is ready and gives
    each access an instance of it, as before.
    """

    def __init__(self, descriptor: HistoryDescriptor):
        super().__init__(
            descriptor.model, manager=descriptor.manager_class, queryset=descriptor.queryset_class
        )
        self.manager = self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self.manager(self.model, instance)


def keep_history_managers(models: Iterable[type]) -> None:
    """Give each of `models` that keeps a history (and each of their many-to-many histories) the
    descriptor that builds its manager class once (the project app's `ready`)."""
    for model in models:
        for name, value in list(vars(model).items()):
            if type(value) is HistoryDescriptor:
                setattr(model, name, KeptHistoryDescriptor(value))
