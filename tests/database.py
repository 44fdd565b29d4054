"""Each worker's PostgreSQL test database, copied from one migrated once per set of migrations.

Migrating an empty database takes about 14 seconds on this project (every app's migrations, the data
they write and the checks after them). On PostgreSQL the first worker to start migrates a database
named after a fingerprint of every migration file (`artworx_migrated_<fingerprint>`) and every worker
then copies it (`CREATE DATABASE ... TEMPLATE`, well under a second) into its own test database, which
pytest-django then keeps (its `migrate` finds nothing to apply). The next run, or the next moment of
`make test-moments`, copies the same one; a changed or added migration file changes the name, and the
first run after it migrates again and drops the databases of older fingerprints. On the way it copies
the database as it stood before the data migrations that tests/test_migrations.py replays
(`<name>_before`), so that the replay migrates forward from a copy rather than back and forth.

A test that empties the database (`transactional_db`, `live_server`) leaves it as the migrations did,
so the tests a worker runs after it find what they would have found first, whatever order the workers
were given the tests in. Once per worker, the rows the migrations wrote (the content types, permissions
and role groups, the reminder settings, the targets, the retention policy, the agreement templates) are
copied beside their tables (`keep_rows("migrated")`); after such a test every table is emptied and those
rows are written back from the copies (`empty_to_migrated`), in place of Django's flush. On PostgreSQL
the demo is kept the same way, so the modules and browser tests that read it write it back in a
fraction of a second instead of loading it again (`demo_world`, `world` and `demo` in the conftests).
"""

import contextlib
import hashlib
from pathlib import Path

import django
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

# tests/test_migrations.py writes rows as the code wrote them before these migrations, then migrates on.
REPLAYED_FROM = [
    ("students", "0009_agreements"),  # 0010 gives every contract an agreement
    ("notifications", "0006_sweep_runs"),  # programs 0008 moves the absence thresholds here
    ("programs", "0007_cohort_term_years_1900_to_2100"),
]

# The name of the copy before the replayed migrations, set where the worker's database is copied.
COPIES: dict[str, str] = {}

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
    COPIES["before replay"] = f"{migrated}_before"
    with connection._nodb_cursor() as cursor:
        # The project's connections give up on a lock after seconds; migrating the copy takes longer.
        cursor.execute("SET lock_timeout = 0")
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            # Both copies, or neither: one made before the copy "_before" existed is made again.
            cursor.execute(
                "SELECT count(*) FROM pg_database WHERE datname IN (%s, %s)", [migrated, f"{migrated}_before"]
            )
            if cursor.fetchone()[0] < 2:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(migrated)}")
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
    halfway leaves no half-migrated copy behind under the name the next run looks for. On the way, the
    database as it stood before the data migrations that tests/test_migrations.py replays is copied
    (`name` + "_before"): the replay starts from a copy of it, migrating forward only."""
    building = f"{name}_building"
    quote = connection.ops.quote_name
    settings_dict = connection.settings_dict
    saved = settings_dict["NAME"], settings_dict["TEST"]["NAME"]
    settings_dict["TEST"]["NAME"] = building
    try:
        connection.creation._create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        connection.close()
        settings_dict["NAME"] = building
        executor = MigrationExecutor(connection)
        executor.migrate(REPLAYED_FROM, plan=_plan_before_replay(executor))
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name + '_before')}")
            cursor.execute(f"CREATE DATABASE {quote(name + '_before')} TEMPLATE {quote(building)}")
        call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    finally:
        connection.close()
        settings_dict["NAME"], settings_dict["TEST"]["NAME"] = saved
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(name)}")


def _plan_before_replay(executor) -> list:
    """Every migration but those that migrating back to REPLAYED_FROM would undo (the next of each in
    its app, and all that depend on them), in the order a full migration applies them."""
    graph = executor.loader.graph
    undone = {
        node
        for app, name in REPLAYED_FROM
        for child in graph.node_map[(app, name)].children
        if child[0] == app
        for node in graph.backwards_plan(child)
    }
    plan = executor.migration_plan(graph.leaf_nodes(), clean_start=True)
    return [(step, back) for step, back in plan if (step.app_label, step.name) not in undone]


@contextlib.contextmanager
def connected_to_a_copy_before_replay():
    """The connection, for the block, on a new copy of the database as it stood before the replayed data
    migrations (made beside the migrated one, `_migrate_into`); the copy is dropped after."""
    quote = connection.ops.quote_name
    before = COPIES["before replay"]
    settings_dict = connection.settings_dict
    saved = settings_dict["NAME"]  # the worker's test database
    replay = f"{saved}_replay"
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(replay)}")
        cursor.execute(f"CREATE DATABASE {quote(replay)} TEMPLATE {quote(before)}")
    settings_dict["NAME"] = replay
    try:
        yield
    finally:
        connection.close()
        settings_dict["NAME"] = saved
        ContentType.objects.clear_cache()  # ids read from the copy
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(replay)}")


def _drop_older(cursor, prefix: str, keep: str) -> None:
    """Drop the migrated copies of older migrations (one that another run is copying stays)."""
    cursor.execute(
        "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname NOT IN (%s, %s)",
        [prefix, keep, f"{keep}_before"],
    )
    for (name,) in cursor.fetchall():
        with contextlib.suppress(DatabaseError):
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")


# The sets of rows kept beside the tables, each once per worker: what the migrations wrote, and the demo
# with the objects the security tests pick (`demo_world` in tests/conftest.py).
KEPT = ("migrated", "world")
TABLES: list[str] = []  # every table, read once per worker
WRITTEN: dict[str, list[str]] = {}  # per kept set, the tables it holds rows of


def _quoted_copy(kept: str, table: str) -> str:
    """Where the rows of `table` are kept for `kept`: in a schema of that name on PostgreSQL, which Django
    never looks in; beside the table under a prefix on SQLite, which has no schemas."""
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        return f"{quote(kept)}.{quote(table)}"
    return quote(f"{kept}__{table}")


def keep_rows(kept: str) -> None:
    """Copy the rows of every table that has any beside it, as the set `kept`."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if not TABLES:
            TABLES[:] = [
                table
                for table in connection.introspection.table_names(cursor)
                if table != "django_migrations" and not table.startswith(tuple(f"{k}__" for k in KEPT))
            ]
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP SCHEMA IF EXISTS {quote(kept)} CASCADE")
            cursor.execute(f"CREATE SCHEMA {quote(kept)}")
        WRITTEN[kept] = []
        for table in TABLES:
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
            if cursor.fetchone():
                cursor.execute(f"DROP TABLE IF EXISTS {_quoted_copy(kept, table)}")
                cursor.execute(f"CREATE TABLE {_quoted_copy(kept, table)} AS SELECT * FROM {quote(table)}")
                WRITTEN[kept].append(table)


def _written_columns(table: str) -> str:
    """The columns of `table` a row is written with: a generated column is the database's to write
    (`students.ContractPace.changes_since`)."""
    quote = connection.ops.quote_name
    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table == table:
            fields = [field for field in model._meta.concrete_fields if not field.generated]
            return ", ".join(quote(field.column) for field in fields)
    return "*"


def restore_rows(kept: str) -> None:
    """Empty every table and write the rows of the set `kept` back, as they were (ids included).

    Django's flush deletes the rows on SQLite; on PostgreSQL it truncates every table, which takes a
    third of a second however few rows they hold, then writes the content types and permissions again:
    with the migrated rows put back after it, close to a second per test. Deleting takes milliseconds."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # No trigger runs, so the kept running totals are written as they were, not counted again
            # from the rows they sum (artworx/totals.py); the suite's role is a superuser, as in CI.
            cursor.execute("SET LOCAL session_replication_role = replica")
            passes = 1
        else:
            # SQLite's triggers cannot be set aside: deleting the rows a running total sums moves the
            # total, and a second pass deletes what they wrote. (So only the migrated rows, which hold
            # none of those, are kept on SQLite.)
            passes = 2
        for _ in range(passes):
            for table in TABLES:
                cursor.execute(f"DELETE FROM {quote(table)}")
        for table in WRITTEN[kept]:
            columns = _written_columns(table)
            into = quote(table) if columns == "*" else f"{quote(table)} ({columns})"
            cursor.execute(f"INSERT INTO {into} SELECT {columns} FROM {_quoted_copy(kept, table)}")
    ContentType.objects.clear_cache()


def empty_to_migrated() -> None:
    """Leave the database as the migrations did."""
    restore_rows("migrated")


def fixture_teardown(test_case) -> None:
    """What Django's `TransactionTestCase` does after each test, for this suite: `empty_to_migrated`."""
    empty_to_migrated()


def changed_tables() -> list[str]:
    """The tables whose rows differ from those the migrations wrote."""
    quote = connection.ops.quote_name
    changed = []
    with connection.cursor() as cursor:
        for table in TABLES:
            if table in WRITTEN["migrated"]:
                copy, table_sql = _quoted_copy("migrated", table), quote(table)
                cursor.execute(
                    f"SELECT (SELECT count(*) FROM {table_sql}) - (SELECT count(*) FROM {copy}), "
                    f"(SELECT count(*) FROM (SELECT * FROM {table_sql} EXCEPT SELECT * FROM {copy}) AS d)"
                )
            else:
                cursor.execute(f"SELECT count(*), 0 FROM {quote(table)}")
            if any(cursor.fetchone()):
                changed.append(table)
    return changed
