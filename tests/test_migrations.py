"""The data migrations carry the rows written before them over: rows are written as the code of that
time wrote them into the database as it stood before those migrations, and the migrations after are
applied.

On PostgreSQL the replay starts from a copy of the database made on the way to the migrated one
(tests/database.py) and migrates forward only. SQLite has no such copies: the worker's database is taken
back to that state first, which renders the state of every model at each migration undone (half a minute
on this project), and emptied after.
"""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from programs.models import AbsenceThresholds
from students.models import AgreementVersion, Contract
from tests import database
from tests.conftest import coverage_paused
from tests.database import REPLAYED_FROM

pytestmark = pytest.mark.slow


def written_before(old_apps) -> dict[str, int]:
    """The rows the code of that time wrote: a minor's active contract, and the reminder settings
    program staff had changed."""
    site = old_apps.get_model("sites", "Site").objects.create(name="Old site", capacity=10)
    student = old_apps.get_model("students", "Student").objects.create(
        first_name="Old", last_name="Contract", date_of_birth=date(2010, 1, 1), grade=10, district_id="X1"
    )
    teacher = old_apps.get_model("artworx", "User").objects.create(username="oldteacher")
    contract = old_apps.get_model("students", "Contract").objects.create(
        student=student, site=site, teacher=teacher, started_on=date(2026, 9, 14), length_days=80,
        due_on=date(2027, 1, 1), status="active",
    )  # fmt: skip
    old_apps.get_model("notifications", "ReminderSettings").objects.update_or_create(
        pk=1,
        defaults={
            "consecutive_absences": 4,
            "chronic_absence_percent": 15,
            "chronic_absence_min_sessions": 8,
        },
    )
    return {"contract": contract.pk}


def replay() -> dict:
    """Write the rows at the state before, apply every migration after, and read what they made."""
    executor = MigrationExecutor(connection)
    written = written_before(executor.loader.project_state(REPLAYED_FROM).apps)
    executor.migrate(executor.loader.graph.leaf_nodes())
    version = AgreementVersion.objects.get(contract_id=written["contract"])
    return {
        "agreement": (version.status, version.on_paper, version.requires_guardian),
        "agreement checks": (version.hash_matches, version.signatures.exists()),
        "contract status": Contract.objects.get(pk=written["contract"]).status,
        "thresholds": AbsenceThresholds.objects.values(
            "consecutive_absences", "chronic_absence_percent", "chronic_absence_min_sessions"
        ).get(),
    }


@pytest.fixture(scope="module")
def replayed(django_db_setup, django_db_blocker, request) -> dict:
    """What the migrations made of the rows written before them."""
    with django_db_blocker.unblock(), coverage_paused():
        if connection.vendor == "postgresql":
            with database.connected_to_a_copy_before_replay():
                return replay()
        request.getfixturevalue("migrated_rows_kept")
        MigrationExecutor(connection).migrate(REPLAYED_FROM)
        try:
            return replay()
        finally:
            executor = MigrationExecutor(connection)
            executor.migrate(executor.loader.graph.leaf_nodes())
            database.empty_to_migrated()


def test_every_existing_contract_was_given_a_paper_agreement(replayed):
    """Students 0010 over a minor's contract written before agreements existed: signed on paper."""
    assert replayed["agreement"] == ("signed", True, True)
    assert replayed["agreement checks"] == (True, False)
    assert replayed["contract status"] == "active"


def test_the_absence_thresholds_program_staff_had_set_are_carried_over(replayed):
    """Programs 0008 moves the thresholds from the reminder settings to their own table."""
    assert replayed["thresholds"] == {
        "consecutive_absences": 4,
        "chronic_absence_percent": 15,
        "chronic_absence_min_sessions": 8,
    }
