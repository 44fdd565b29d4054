"""The triggers that keep each site's calendar version (`CalendarVersion`).

A closure of one site changes that site's calendar; a closure of the whole organisation (no site)
changes every site's; a closure moved from one site to another changes both. Each such write adds one
to the version of every site whose calendar it changed, inside the writer's transaction, whichever
path wrote it (a service, the admin console, a seed or a migration): a row-level trigger per event on
`sites_closure`. A renamed closure changes no calendar and no version.

The versions are upserted in site order, so two writers that touch the same sites queue instead of
deadlocking. The same statements run on PostgreSQL and SQLite (≥ 3.24, for the upsert).
"""

from django.db import migrations

from artworx.totals import dropped, trigger_function

TABLE = "sites_closure"
DATED = ("site_id", "starts_on", "ends_on")  # what a calendar reads of a closure


def _bump(where: str) -> str:
    """Add one to the version of the sites `where` picks (NEW and OLD name the closure's rows)."""
    return (
        "INSERT INTO sites_calendarversion (site_id, version) "  # noqa: S608 - no values, names from here
        f"SELECT id, 1 FROM sites_site WHERE {where} ORDER BY id "
        "ON CONFLICT (site_id) DO UPDATE SET version = sites_calendarversion.version + 1"
    )


def _sites(row: str) -> str:
    """The sites whose calendar a closure's row applies to: its site, or all for the organisation's."""
    return f"{row}.site_id IS NULL OR id = {row}.site_id"


# (event, the sites whose version moves, the condition on the row for an update)
EVENTS = (
    ("insert", _sites("NEW"), ""),
    (
        "update",
        f"{_sites('NEW')} OR {_sites('OLD')}",
        " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in DATED),
    ),
    ("delete", _sites("OLD"), ""),
)


def statements(vendor: str) -> tuple[list[str], list[str]]:
    """The statements that create the triggers on `vendor`, and those that drop them."""
    create, drop = [], []
    for event, where, changed in EVENTS:
        name = f"sites_calendarversion_{event}"
        on = f"AFTER {event.upper()}{' OF ' + ', '.join(DATED) if changed else ''} ON {TABLE} FOR EACH ROW"
        if vendor == "postgresql":
            when = f" WHEN ({changed})" if changed else ""
            create += [
                trigger_function(name, _bump(where)),
                f"CREATE TRIGGER {name} {on}{when} EXECUTE FUNCTION {name}()",
            ]
            drop += dropped(name, TABLE)
        elif vendor == "sqlite":
            when = f" WHEN {changed.replace('IS DISTINCT FROM', 'IS NOT')}" if changed else ""
            create.append(f"CREATE TRIGGER {name} {on}{when} BEGIN {_bump(where)}; END")
            drop.append(f"DROP TRIGGER IF EXISTS {name}")
        else:
            raise NotImplementedError(f"calendar versions need triggers written for {vendor}")
    return create, drop


def install_operation() -> migrations.RunPython:
    """A migration's step that creates the triggers; backwards drops them."""

    def run(schema_editor, *, forwards: bool) -> None:
        create, drop = statements(schema_editor.connection.vendor)
        with schema_editor.connection.cursor() as cursor:
            for statement in drop + (create if forwards else []):
                cursor.execute(statement)

    return migrations.RunPython(
        lambda apps, schema_editor: run(schema_editor, forwards=True),
        lambda apps, schema_editor: run(schema_editor, forwards=False),
    )
