"""Values kept between requests until the data behind them changes.

Every write to a model with history leaves a history row (django-simple-history, including the bulk
paths), so the newest history id of each table a value reads is a version of the data: one query of
index-only lookups. A kept value is used only while that version, the language and the given parts are
all the same; anything else computes it afresh. The cache is shared by every process (Redis in
production, config/settings.py).
"""

import hashlib
import os

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import get_language

TIMEOUT = 15 * 60  # a version seen by no one for this long is let go


def data_versions(sources) -> dict:
    """The newest history id of every model in `sources`, by model, in one query."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"(SELECT MAX(history_id) FROM {quote(m.history.model._meta.db_table)})"  # noqa: S608 - model tables
        for m in sources
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return dict(zip(sources, cursor.fetchone(), strict=True))


def data_version(sources) -> str:
    """The newest history id of every model in `sources`, in one query, as one string."""
    return versions_of(data_versions(sources), sources)


def versions_of(versions: dict, sources) -> str:
    """The part of `versions` (from `data_versions`) that `sources` read, as one string."""
    return ",".join(str(versions[model]) for model in sources)


def version_key(name: str, *parts, sources=None, version: str | None = None) -> str:
    """A cache key that changes with the language, the given parts and the data of `sources` (or a
    `version` of it already read: `versions_of`)."""
    if version is None:
        version = data_version(sources)
    return f"{name}:" + hashlib.sha256(repr([get_language(), *parts, version]).encode()).hexdigest()


def cached(key: str, compute):
    """The value kept under `key`, or `compute()` kept there now."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


# Generations: a counter kept in the cache for data that leaves no history row (the user table, who
# holds which role). Every write bumps it, in the process that writes (artworx/receivers.py), so a key
# that includes the counter is let go on every change. Read without a query: a cache lookup.
PEOPLE = "people"  # users (names, active, superuser) and who holds which role: the pickers
ROLES = "roles"  # the role groups themselves (renamed, deleted): everyone's roles


def roles_of(user_id) -> str:
    """The generation name of one person's roles (their groups, their superuser flag)."""
    return f"roles:{user_id}"


GENERATION_TIMEOUT = None  # kept for good: a counter lost (eviction, a flushed Redis) starts again at a
# fresh random value, so a key built on the old counter is never taken for a new one


def generation_key(name: str) -> str:
    """Where the counter of the generation `name` is kept."""
    return f"generation:{name}"


def generation(*names: str) -> str:
    """The current generations of `names`, joined (one cache read; each set at its first use)."""
    keys = [generation_key(name) for name in names]
    values = cache.get_many(keys)
    for key in keys:
        if key not in values:
            cache.add(key, int.from_bytes(os.urandom(6), "big"), GENERATION_TIMEOUT)
            values[key] = cache.get(key)
    return ".".join(str(values[key]) for key in keys)


def kept_for_generations(key: str, *names: str, compute, timeout=TIMEOUT):
    """The value kept under `key` while the generations of `names` stay the same, or `compute()` kept
    there now: the value and the generations are read in one cache round trip."""
    keys = [generation_key(name) for name in names]
    values = cache.get_many([*keys, key])
    if all(k in values for k in keys):
        current = ".".join(str(values[k]) for k in keys)
        kept = values.get(key)
        if kept is not None and kept[0] == current:
            return kept[1]
    else:  # a generation not set yet (or evicted): start it
        current = generation(*names)
    value = compute()
    cache.set(key, (current, value), timeout)
    return value


def bump(name: str) -> None:
    """Start a new generation of `name`: every key built on the old one is let go."""
    key = generation_key(name)
    try:
        cache.incr(key)
    except ValueError:  # not there (evicted): any fresh value differs from the old one
        cache.add(key, int.from_bytes(os.urandom(6), "big"), GENERATION_TIMEOUT)


def bump_now_and_at_commit(*names: str) -> None:
    """New generations of `names` now (this transaction reads its own change) and again at commit (a
    request that read the old rows in between and kept them under the new generation is let go too)."""

    def bump_all() -> None:
        for name in names:
            bump(name)

    bump_all()
    transaction.on_commit(bump_all)


# What the top bar keeps per person and day (the bell's count, notifications/context_processors.py):
# a person's own write lets it go at once (artworx.middleware.RolesMiddleware), anyone else's within
# the value's own short timeout.
PERSON_VALUES = ("bell",)


def person_key(name: str, user) -> str:
    """Where the value `name` of the top bar is kept for `user` today."""
    return f"{name}:{user.pk}:{timezone.localdate().isoformat()}"


def person_forget(user) -> None:
    """Let go of every top-bar value kept for `user`: they just changed something."""
    cache.delete_many([person_key(name, user) for name in PERSON_VALUES])
