"""The dashboard's figures, kept between requests until any of the data behind them changes.

Every write the dashboard depends on leaves a history row (django-simple-history, including the
bulk paths), so the newest history id of each table it reads is a version of the data: one query
of index-only lookups. A cached board is used only while that version, the period, the day, the
scope and the language are all the same; anything else computes it afresh.
"""

import hashlib

from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

from alumni.models import Alumnus, CheckIn
from artworx.dashboard.models import Target
from artworx.notifications.models import ReminderSettings
from artworx.roles import sees_all
from programs.models import (
    Attendance,
    Cohort,
    Credential,
    Participation,
    Pathway,
    Placement,
    Program,
    Session,
)
from sites.models import Closure, Site
from students.models import Contract, ContractCourse, Enrollment, Referral, Student

SOURCES = [
    Attendance, Session, Participation, Cohort, Program, Pathway, Credential, Placement, Contract,
    ContractCourse, Enrollment, Student, Referral, Alumnus, CheckIn, Site, Closure, Target, ReminderSettings,
]  # fmt: skip
TIMEOUT = 15 * 60  # a version seen by no one for this long is let go


def data_version(sources=SOURCES) -> str:
    """The newest history id of every table in `sources`, in one query."""
    quote = connection.ops.quote_name
    columns = ", ".join(
        f"(SELECT MAX(history_id) FROM {quote(m.history.model._meta.db_table)})"  # noqa: S608 - model tables
        for m in sources
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return ",".join(str(value) for value in cursor.fetchone())


def version_key(name: str, *parts, sources=SOURCES) -> str:
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


def board_key(*, user, site, start, end, today) -> str:
    """The key of one board: the filters, the day, the user's scope and the data's version."""
    scope = "all" if sees_all(user) else f"user{user.pk}"
    return version_key("dashboard", scope, site.pk if site else "", start, end, today)
