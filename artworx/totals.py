"""Running totals kept by the database: a table of sums per key, moved by triggers on the rows it sums.

Why triggers rather than the service functions: the rows summed (attendance marks, contract courses) are
written by services, the admin (through services), bulk seeds and imports, data migrations, test
factories and anything written later. A trigger is the one place that sees every one of those writes,
inside the writer's transaction, so a total can never drift from its rows; a forgotten call in a new
write path cannot exist. The dashboard then sums a few hundred total rows instead of every mark.

- PostgreSQL: statement-level triggers with transition tables: a bulk insert of 400,000 marks moves the
  totals with one grouped upsert per statement, not one per row. Increments (`total + delta`) under
  the upsert's row lock keep concurrent writers right; the rows are upserted in key order, so two
  writers touching the same totals queue instead of deadlocking.
- SQLite (the embedded default): row-level triggers with the same upsert (SQLite ≥ 3.24).

A totals table may itself be the rows of another (a total of totals): its upserts fire that table's
triggers like any other write. Two definitions may keep one table from two sources (the rows summed, and
the table that says where each row counts), each recounting all of it.

`RunningTotal` describes one totals table; `install_operation` writes its triggers in a migration,
`refill` recounts it from the rows (the data migration, and a repair after raw SQL with triggers off).
"""

from dataclasses import dataclass, field

from django.db import migrations

EVENTS = ("INSERT", "UPDATE", "DELETE")


@dataclass(frozen=True)
class RunningTotal:
    """One totals table: sums of `measures` over the rows of `source`, one row per `key`.

    `measures` and `extras` are SQL expressions; `{r}` stands for the source row. `extras` are copied
    onto a totals row from `joins` (tables joined on `d.<key>`) when the row is written, for filters
    on the totals (a session's date and site); `follows` keep them right when they change.

    A key of several columns is a tuple; a key column the source row lacks is `derived` from a table of
    the `lookup` (tables, and their condition on `{r}`), which also gives the measures more to read. On
    PostgreSQL, `guard` is a statement run before the upsert: a lock that orders this total's writers.

    Measures that read a setting (a threshold) are `recounted` whenever that setting's table is written:
    the whole total counted again from its rows, in the writer's transaction.
    """

    name: str
    source: str
    target: str
    key: str | tuple[str, ...]
    measures: dict[str, str]
    watch: tuple[str, ...]  # the source columns the measures read (an update of others moves nothing)
    extras: dict[str, str] = field(default_factory=dict)
    joins: str = ""
    follows: tuple["Follow", ...] = ()
    derived: dict[str, str] = field(default_factory=dict)
    lookup: tuple[str, str] = ("", "")
    guard: str = ""
    recounted: "Recount | None" = None

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key,) if isinstance(self.key, str) else self.key

    def key_of(self, row: str) -> str:
        """The key columns of a source row (or of its lookup), named as the totals table names them."""
        return ", ".join(
            f"{self.derived.get(column, '{r}.' + column).format(r=row)} AS {column}" for column in self.keys
        )


@dataclass(frozen=True)
class Follow:
    """An update of `table` that must be copied onto the totals rows (`statement` may use NEW); on
    PostgreSQL, `guard` runs first, as a total's."""

    name: str
    table: str
    columns: tuple[str, ...]
    statement: str
    guard: str = ""


@dataclass(frozen=True)
class Recount:
    """Any write to `table` (a setting the measures read) counts the whole total again. On PostgreSQL,
    `guard` runs first: a lock that waits for the total's writers in flight and holds new ones back until
    the recount commits, so none adds a delta worked out with the setting it replaced."""

    name: str
    table: str
    guard: str = ""


def _delta_select(total: RunningTotal, sides: list[tuple[str, str, str]]) -> str:
    """SELECT key, extras, summed measures over the given (table, row alias, sign) sides."""
    parts = []
    tables, condition = total.lookup
    for table, row, sign in sides:
        measures = ", ".join(
            f"{sign}({expression.format(r=row)}) AS {column}" for column, expression in total.measures.items()
        )
        if table:  # a transition table, or the whole source when refilling
            source = f" FROM {table} {row}"
            if tables:
                source += f" JOIN {tables} ON {condition.format(r=row)}"
        else:  # a SQLite row (NEW or OLD)
            source = f" FROM {tables} WHERE {condition.format(r=row)}" if tables else ""
        parts.append(f"SELECT {total.key_of(row)}, {measures}{source}")
    keys = ", ".join(f"d.{column}" for column in total.keys)
    extras = "".join(f", {expression} " for expression in total.extras.values())
    sums = ", ".join(f"SUM(d.{column})" for column in total.measures)
    moved = " OR ".join(f"SUM(d.{column}) <> 0" for column in total.measures)
    union = " UNION ALL ".join(parts)
    # Table and column names from the code, no values. WHERE 1 = 1: SQLite parses an upsert's SELECT
    # only with a WHERE clause.
    return (
        f"SELECT {keys}{extras}, {sums} FROM ({union}) d {total.joins} "  # noqa: S608
        f"WHERE 1 = 1 GROUP BY {keys}{extras} HAVING {moved} ORDER BY {keys}"
    )


def _upsert(total: RunningTotal, select: str) -> str:
    columns = ", ".join([*total.keys, *total.extras, *total.measures])
    moves = ", ".join(f"{c} = {total.target}.{c} + excluded.{c}" for c in total.measures)
    keys = ", ".join(total.keys)
    return f"INSERT INTO {total.target} ({columns}) {select} ON CONFLICT ({keys}) DO UPDATE SET {moves}"


def trigger_function(name: str, body: str, guard: str = "") -> str:
    """A PostgreSQL trigger function that takes `guard` (a lock) if any, runs `body` and returns nothing."""
    lead = f"{guard}; " if guard else ""
    header = f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
    return f"{header} BEGIN {lead}{body}; RETURN NULL; END $$"


def dropped(name: str, table: str) -> list[str]:
    """The statements that drop a PostgreSQL trigger named as its function, and the function."""
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}()"]


def _postgresql(total: RunningTotal) -> tuple[list[str], list[str]]:
    create, drop = [], []
    for event in EVENTS:
        sides = []
        if event in ("INSERT", "UPDATE"):
            sides.append(("new_rows", "r", ""))
        if event in ("UPDATE", "DELETE"):
            sides.append(("old_rows", "o", "-"))
        tables = " ".join(
            f"{'NEW' if table == 'new_rows' else 'OLD'} TABLE AS {table}" for table, _row, _s in sides
        )
        function = f"{total.name}_{event.lower()}"
        create.append(trigger_function(function, _upsert(total, _delta_select(total, sides)), total.guard))
        create.append(
            f"CREATE TRIGGER {function} AFTER {event} ON {total.source} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
        drop += dropped(function, total.source)
    if recount := total.recounted:
        create.append(trigger_function(recount.name, "; ".join(_recount(total)), recount.guard))
        create.append(
            f"CREATE TRIGGER {recount.name} AFTER {' OR '.join(EVENTS)} ON {recount.table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {recount.name}()"
        )
        drop += dropped(recount.name, recount.table)
    for follow in total.follows:
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in follow.columns)
        create.append(trigger_function(follow.name, follow.statement, follow.guard))
        create.append(
            f"CREATE TRIGGER {follow.name} AFTER UPDATE OF {', '.join(follow.columns)} ON {follow.table} "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {follow.name}()"
        )
        drop += dropped(follow.name, follow.table)
    return create, drop


def _sqlite(total: RunningTotal) -> tuple[list[str], list[str]]:
    create, drop = [], []
    for event in EVENTS:
        sides = []
        if event in ("UPDATE", "DELETE"):
            sides.append(("", "OLD", "-"))
        if event in ("INSERT", "UPDATE"):
            sides.append(("", "NEW", ""))
        trigger = f"{total.name}_{event.lower()}"
        when = ""
        if event == "UPDATE":
            row_keys = [column for column in total.keys if column not in total.derived]
            when = " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in (*row_keys, *total.watch))
        create.append(
            f"CREATE TRIGGER {trigger} AFTER {event} ON {total.source} FOR EACH ROW{when} BEGIN "
            f"{_upsert(total, _delta_select(total, sides))}; END"
        )
        drop.append(f"DROP TRIGGER IF EXISTS {trigger}")
    if recount := total.recounted:
        for event in EVENTS:
            trigger = f"{recount.name}_{event.lower()}"
            create.append(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {recount.table} FOR EACH ROW BEGIN "
                f"{'; '.join(_recount(total))}; END"
            )
            drop.append(f"DROP TRIGGER IF EXISTS {trigger}")
    for follow in total.follows:
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in follow.columns)
        create.append(
            f"CREATE TRIGGER {follow.name} AFTER UPDATE OF {', '.join(follow.columns)} ON {follow.table} "
            f"FOR EACH ROW WHEN {changed} BEGIN {follow.statement}; END"
        )
        drop.append(f"DROP TRIGGER IF EXISTS {follow.name}")
    return create, drop


def statements(total: RunningTotal, vendor: str) -> tuple[list[str], list[str]]:
    """The statements that create the triggers of `total` on `vendor`, and those that drop them."""
    if vendor == "postgresql":
        return _postgresql(total)
    if vendor == "sqlite":
        return _sqlite(total)
    raise NotImplementedError(f"running totals need triggers written for {vendor}")


def _recount(total: RunningTotal) -> list[str]:
    """The statements that count every totals row again from the source rows (the rows are replaced)."""
    select = _delta_select(total, [(total.source, "r", "")])
    columns = ", ".join([*total.keys, *total.extras, *total.measures])
    # Table and column names from the code, no values.
    return [f"DELETE FROM {total.target}", f"INSERT INTO {total.target} ({columns}) {select}"]  # noqa: S608


def refill(cursor, total: RunningTotal) -> None:
    """Recount every totals row from the source rows (the rows are replaced)."""
    for statement in _recount(total):
        cursor.execute(statement)


def install(schema_editor, total: RunningTotal) -> None:
    """Create the triggers of `total` and fill it from the rows already there (a migration's step)."""
    create, drop = statements(total, schema_editor.connection.vendor)
    with schema_editor.connection.cursor() as cursor:
        for statement in drop + create:
            cursor.execute(statement)
        refill(cursor, total)


def uninstall(schema_editor, total: RunningTotal) -> None:
    """Drop the triggers of `total` (the migration's way back)."""
    _create, drop = statements(total, schema_editor.connection.vendor)
    with schema_editor.connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)


def install_operation(*totals: RunningTotal) -> migrations.RunPython:
    """A migration's step that installs the triggers of `totals` and fills them; backwards drops them."""

    def forwards(apps, schema_editor):
        for total in totals:
            install(schema_editor, total)

    def backwards(apps, schema_editor):
        for total in totals:
            uninstall(schema_editor, total)

    return migrations.RunPython(forwards, backwards)
