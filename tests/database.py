"""Each worker's PostgreSQL test database, copied from one migrated once per set of migrations.

Migrating an empty database takes about 14 seconds on this project (every app's migrations, the data
they write and the checks after them). On PostgreSQL the first worker to start migrates a database
named after a fingerprint of every migration file (`artworx_migrated_<fingerprint>`) and every worker
then copies it (`CREATE DATABASE ... TEMPLATE`, well under a second) into its own test database, which
pytest-django then keeps (its `migrate` finds nothing to apply). The next run, or the next moment of
`make test-moments`, copies the same one; a changed or added migration file changes the name, and the
first run after it migrates again and drops the databases of older fingerprints.

A test that empties the database (`transactional_db`: pytest-django flushes every table after it) puts
back the rows the migrations wrote (the reminder settings, the targets, the retention policy, the
agreement templates: `migrated_rows`), so the tests a worker runs after it find the database as the
migrations left it, whatever order the workers were given the tests in. The content types, permissions
and role groups are written again by the flush itself (`post_migrate`).
"""

import contextlib
import datetime
import hashlib
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, transaction

# Any number, the same in every worker: the workers take turns to look for (and make) the migrated copy.
LOCK = 2_026_1201


def fingerprint() -> str:
    """A digest of Django's version and every installed app's migration files, names and contents."""
    digest = hashlib.sha256(django.get_version().encode())
    for app in sorted(apps.get_app_configs(), key=lambda app: app.label):
        for path in sorted((Path(app.path) / "migrations").glob("*.py")):
            digest.update(f"{app.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def copy_migrated_database() -> None:
    """Make this worker's test database a fresh copy of the migrated one, migrating that one first if
    no run has made it for these migrations."""
    quote = connection.ops.quote_name
    test_name = connection.creation._get_test_db_name()
    prefix = f"{connection.settings_dict['NAME']}_migrated_"
    migrated = prefix + fingerprint()
    with connection._nodb_cursor() as cursor:
        # The project's connections give up on a lock after seconds; migrating the copy takes longer.
        cursor.execute("SET lock_timeout = 0")
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [migrated])
            if cursor.fetchone() is None:
                _migrate_into(migrated)
                _drop_older(cursor, prefix, keep=migrated)
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)}")
            cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(migrated)}")
            # A test's commits need not wait for the disk: a crash loses a test database, not data.
            cursor.execute(f"ALTER DATABASE {quote(test_name)} SET synchronous_commit = off")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])


def _migrate_into(name: str) -> None:
    """Migrate a new database under a building name, renamed to `name` once complete: a run stopped
    halfway leaves no half-migrated copy behind under the name the next run looks for."""
    building = f"{name}_building"
    settings_dict = connection.settings_dict
    saved = settings_dict["NAME"], settings_dict["TEST"]["NAME"]
    settings_dict["TEST"]["NAME"] = building
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    finally:
        connection.close()
        settings_dict["NAME"], settings_dict["TEST"]["NAME"] = saved
        settings.DATABASES[connection.alias]["NAME"] = saved[0]
    with connection._nodb_cursor() as cursor:
        quote = connection.ops.quote_name
        cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(name)}")


def _drop_older(cursor, prefix: str, keep: str) -> None:
    """Drop the migrated copies of older migrations (one that another run is copying stays)."""
    cursor.execute(
        "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s", [prefix, keep]
    )
    for (name,) in cursor.fetchall():
        with contextlib.suppress(DatabaseError):
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")


# Written again after every flush by Django and the roles (`post_migrate`), with new ids.
REWRITTEN_BY_THE_FLUSH = {"contenttypes.contenttype", "auth.permission", "auth.group", "sessions.session"}


def migrated_rows() -> str:
    """The rows the migrations wrote, as JSON: every table's but those the flush writes again."""
    kept = [
        model
        for model in apps.get_models()
        if model._meta.label_lower not in REWRITTEN_BY_THE_FLUSH
        and model._meta.managed
        and not model._meta.proxy
    ]
    rows = [row for model in kept for row in model._base_manager.all()]
    return serializers.serialize("json", rows, cls=ExactJSONEncoder)


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder with every microsecond of a time kept: its own stops at the millisecond, so a
    row put back would differ from the migrated one by what it drops."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def put_back(rows: str) -> None:
    """Write the migrated rows again, as they were (ids included), into the emptied tables."""
    with transaction.atomic():
        for row in serializers.deserialize("json", rows):
            row.save()
