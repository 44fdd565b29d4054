"""The demo world: on PostgreSQL, loaded once per worker and kept beside the tables, written back for each
module that uses it and emptied after it (tests/database.py)."""

import pytest
from django.db import connection, transaction

from tests import database
from tests.security.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, request) -> World:
    """The demo as loaded, whatever the modules before this one did to it or to the objects picked."""
    if connection.vendor != "postgresql":
        # SQLite cannot write the kept rows back with its triggers set aside: a module loads the demo
        # inside a transaction rolled back at its end.
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)
        return
    demo = request.getfixturevalue("demo_world")
    with django_db_blocker.unblock():
        database.restore_rows("world")
        yield demo.read_again()
        database.empty_to_migrated()


FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter):
    """Print what the upload tests measured, for SECURITY.md ("Uploads")."""
    if FIGURES:
        terminalreporter.section("upload test figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
