"""The data migrations carry the rows written before them over: the database is taken back once to the
state before each of them, rows are written as the code of that time wrote them, and every migration is
applied again.

One replay for every data migration checked here: taking the database back renders the state of every
model at each migration undone, about half a minute each time on this project.
"""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from programs.models import AbsenceThresholds
from students.models import AgreementVersion, Contract
from tests import database
from tests.conftest import coverage_paused

pytestmark = pytest.mark.slow

BEFORE = [
    ("students", "0009_agreements"),  # 0010 gives every contract an agreement
    ("notifications", "0006_sweep_runs"),  # programs 0008 moves the absence thresholds here
    ("programs", "0007_cohort_term_years_1900_to_2100"),
]


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


@pytest.fixture(scope="module")
def replayed(migrated_rows_kept, django_db_blocker) -> dict:
    """What the migrations made of the rows written before them, read before the database is emptied
    again for the tests after this module."""
    with django_db_blocker.unblock():
        with coverage_paused():
            executor = MigrationExecutor(connection)
            executor.migrate(BEFORE)
            try:
                written = written_before(executor.loader.project_state(BEFORE).apps)
            finally:
                executor = MigrationExecutor(connection)
                executor.migrate(executor.loader.graph.leaf_nodes())
        try:
            version = AgreementVersion.objects.get(contract_id=written["contract"])
            yield {
                "agreement": (version.status, version.on_paper, version.requires_guardian),
                "agreement checks": (version.hash_matches, version.signatures.exists()),
                "contract status": Contract.objects.get(pk=written["contract"]).status,
                "thresholds": AbsenceThresholds.objects.values(
                    "consecutive_absences", "chronic_absence_percent", "chronic_absence_min_sessions"
                ).get(),
            }
        finally:
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
