"""Audit history (django-simple-history): who changed what and when, for pages and for bulk paths."""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from django.db.models import QuerySet
from simple_history.models import HistoricalRecords


@dataclass(frozen=True)
class Change:
    """One recorded change, for the history section of an object's page."""

    when: datetime
    who: object
    what: str
    kind: str
    fields: list[str]


def change_history(
    sources: Iterable[tuple[QuerySet, str]], *, excluded: Iterable[str] = (), limit: int = 30
) -> list[Change]:
    """Who changed what and when in the given history querysets, newest first.

    One query per source; the changed fields are found by comparing each version with the one before
    it in memory (simple-history's diff API). Field names only, never values: what a page may not show
    (a private note, a phone number) is never shown here either.
    """
    excluded = ["updated_at", "created_at", *excluded]
    changes = []
    for records, what in sources:
        previous = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(record.id)
            fields = []
            if before is not None:
                # Many-to-many fields are left out: comparing them costs a query per version.
                m2m = [field.name for field in record.instance_type._meta.many_to_many]
                delta = record.diff_against(before, excluded_fields=[*excluded, *m2m])
                fields = [
                    str(record.instance_type._meta.get_field(name).verbose_name)
                    for name in delta.changed_fields
                ]
            previous[record.id] = record
            changes.append(
                Change(record.history_date, record.history_user, str(what), record.history_type, fields)
            )
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


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
