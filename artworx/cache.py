"""Values kept between requests until the data behind them changes.

Every write to a model with history leaves a history row (django-simple-history, including the bulk
paths), so the newest history id of each table a value reads is a version of the data: one query of
index-only lookups. A kept value is used only while that version, the language and the given parts are
all the same; anything else computes it afresh. The cache is shared by every process (Redis in
production, config/settings.py).
"""

import hashlib

from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

TIMEOUT = 15 * 60  # a version seen by no one for this long is let go


def data_version(sources) -> str:
    """The newest history id of every model in `sources`, in one query."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"(SELECT MAX(history_id) FROM {quote(m.history.model._meta.db_table)})"  # noqa: S608 - model tables
        for m in sources
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return ",".join(str(value) for value in cursor.fetchone())


def version_key(name: str, *parts, sources) -> str:
    """A cache key that changes with the language, the given parts and the data of `sources`."""
    return (
        f"{name}:"
        + hashlib.sha256(repr([get_language(), *parts, data_version(sources)]).encode()).hexdigest()
    )


def cached(key: str, compute):
    """The value kept under `key`, or `compute()` kept there now."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value
