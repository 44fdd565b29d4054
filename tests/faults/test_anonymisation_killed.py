"""The nightly anonymisation killed with SIGKILL in the middle of a student (PostgreSQL): every student is
anonymised entirely or not at all, and the next run finishes the rest.

`manage.py anonymise` runs in a child process on this test's database, one student per transaction. The
test holds a row lock on the third student's family message, so the child stops inside that student's
transaction, after it has already rewritten the student's own row; the test kills it there.
"""

import psycopg2
import pytest
from django.db import connection

from artworx import roles
from families.models import Message
from retention.models import Anonymisation
from students.models import Guardian, Student
from tests.factories import UserFactory
from tests.faults.conftest import BIN, child_env, database_url, wait_until
from tests.retention.leavers import leaver
from tests.retention.sentinels import SENTINEL, plant, scan_database, student_rows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
LEAVERS = 4


def blocked_on_a_lock(dsn: dict) -> bool:
    """Whether another session of this database waits for a row lock."""
    with psycopg2.connect(**dsn) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
            [dsn["dbname"]],
        )
        waiting = cursor.fetchone()[0]
    db.close()
    return waiting > 0


def alone(dsn: dict) -> bool:
    """Whether the killed child's server session is gone (it rolls back when it finds its client dead)."""
    with psycopg2.connect(**dsn) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
            "AND state <> 'idle'",
            [dsn["dbname"]],
        )
        busy = cursor.fetchone()[0]
    db.close()
    return busy == 0


def test_a_run_killed_mid_student_leaves_each_student_whole_and_the_next_run_finishes(
    site, teacher, processes, figures
):
    staff = UserFactory(role=roles.PROGRAM_STAFF)
    students = [leaver(site=site, teacher=teacher, staff=staff) for _ in range(LEAVERS)]
    ids = sorted(student.pk for student in students)
    plant(student_rows(ids))
    names = {pk: Student.objects.get(pk=pk).last_name for pk in ids}
    settings = connection.settings_dict
    dsn = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings.get("PASSWORD") or None,
        "dbname": settings["NAME"],
    }
    connection.close()  # the child and the lock holder below are the database's only other clients
    victim = ids[2]
    lock = psycopg2.connect(**dsn)
    with lock.cursor() as cursor:  # a transaction stays open until rollback
        cursor.execute("SELECT id FROM families_message WHERE student_id = %s FOR UPDATE", [victim])
    env = child_env(DEBUG="true", DATABASE_URL=database_url())
    command = [str(BIN / "python"), "manage.py", "anonymise", "--batch-size", "1"]
    child = processes.start("anonymise", command, env=env)
    wait_until(lambda: blocked_on_a_lock(dsn), seconds=120, what="the run to reach the locked message")
    processes.kill(child)
    lock.rollback()
    lock.close()
    wait_until(lambda: alone(dsn), seconds=30, what="the killed run's session to end")

    done = set(Anonymisation.objects.values_list("student_id", flat=True))
    assert done == set(ids[:2])  # the students before the victim, each in its own committed transaction
    for pk in ids[2:]:  # the victim's own row was rewritten before the lock: rolled back with the rest
        student = Student.objects.get(pk=pk)
        assert student.last_name == names[pk] and SENTINEL in student.last_name
        assert SENTINEL in Guardian.objects.get(student=student).name
        assert SENTINEL in Message.objects.get(student=student, kind=Message.Kind.STAFF).body
        assert Student.history.filter(id=pk, last_name__contains=SENTINEL).exists()
    for pk in ids[:2]:
        assert not Student.history.filter(id=pk, last_name__contains=SENTINEL).exists()

    rerun = processes.start("anonymise-again", command, env=env)
    assert rerun.wait(timeout=300) == 0
    assert set(Anonymisation.objects.values_list("student_id", flat=True)) == set(ids)
    assert scan_database() == {}
    figures.append(
        f"anonymisation: killed inside student 3 of {LEAVERS}; 2 whole, 2 untouched; re-run finished"
    )
