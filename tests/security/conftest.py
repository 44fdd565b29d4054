"""The demo world, loaded once per module inside a transaction that is rolled back at its end."""

import pytest
from django.db import transaction

from tests.security.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        built = build_world()
        yield built
        transaction.set_rollback(True)


FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter):
    """Print what the upload tests measured, for SECURITY.md ("Uploads")."""
    if FIGURES:
        terminalreporter.section("upload test figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
