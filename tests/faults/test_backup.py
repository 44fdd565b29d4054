"""Backups: a custom-format pg_dump of a seeded database restores with pg_restore into a fresh one,
every table holding the same rows (PostgreSQL).

The commands are the ones in SECURITY.md ("Faults and backups"); this test runs them on a database seeded
through the services (sites, students with guardians, enrollments, contracts, a cohort with logged
sessions, referrals, history rows).
"""

import shutil
import subprocess
import time
import uuid
from datetime import date, timedelta
from datetime import time as clock
from decimal import Decimal

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from artworx import roles
from programs.models import Session
from programs.services import participation_create, session_log_attendance
from tests.agreements import open_signed_contract
from tests.factories import (
    CohortFactory,
    EnrollmentFactory,
    GuardianFactory,
    ReferralFactory,
    SiteFactory,
    TeacherFactory,
    UserFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def program(name: str) -> str:
    """The full path of a PostgreSQL client program."""
    path = shutil.which(name)
    assert path, f"{name} is not installed"
    return path


def row_counts(dsn: dict) -> dict[str, int]:
    """Exact row counts of every table in the public schema of a database."""
    with psycopg2.connect(**dsn) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    db.close()
    return counts


def seed() -> None:
    """A full site's worth of records of every main kind."""
    staff = UserFactory(role=roles.PROGRAM_STAFF)
    artist = UserFactory(role=roles.TEACHING_ARTIST)
    courses = [{"subject_area": "english", "title": "English 11A", "credits": Decimal(5)}]
    teachers = TeacherFactory.create_batch(2)
    site = SiteFactory(capacity=50, teachers=teachers)
    cohort = CohortFactory(site=site, teaching_artists=[artist])
    for n in range(50):
        student = EnrollmentFactory(site=site, teacher=teachers[n % 2]).student
        GuardianFactory(student=student)
        if n < 10:
            open_signed_contract(student=student, started_on=date(2026, 9, 14), courses=courses)
        if n < 25:
            participation_create(cohort=cohort, student=student, joined_on=date(2026, 9, 14), by=staff)
    participations = list(cohort.participations.all())
    for day in range(10):
        session = Session.objects.create(
            cohort=cohort,
            date=date(2026, 9, 14) + timedelta(days=day),
            starts_at=clock(15),
            duration_minutes=60,
        )
        marks = {p.pk: "P" if (p.pk + day) % 5 else "U" for p in participations}
        session_log_attendance(session=session, marks=marks, topic=f"Week {day}", by=staff)
    ReferralFactory.create_batch(20)


def test_a_dump_of_the_seeded_database_restores_into_a_fresh_one_with_every_row(tmp_path, figures):
    seed()
    source = connection.settings_dict
    server = ["-h", source["HOST"] or "127.0.0.1", "-p", str(source["PORT"] or 5432), "-U", source["USER"]]
    dsn = {
        "host": server[1],
        "port": server[3],
        "user": server[5],
        "password": source.get("PASSWORD") or None,
    }
    target = f"artworx_restore_{uuid.uuid4().hex[:10]}"
    dump = tmp_path / "artworx.dump"
    pg_dump, pg_restore, createdb, dropdb = map(program, ("pg_dump", "pg_restore", "createdb", "dropdb"))

    started = time.monotonic()
    subprocess.run(  # noqa: S603
        [pg_dump, *server, "--format=custom", "--no-owner", f"--file={dump}", source["NAME"]],
        check=True,
        timeout=300,
    )
    dump_seconds = time.monotonic() - started
    subprocess.run([createdb, *server, target], check=True, timeout=60)  # noqa: S603
    try:
        started = time.monotonic()
        subprocess.run(  # noqa: S603
            [pg_restore, *server, "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump)],
            check=True,
            timeout=300,
        )
        restore_seconds = time.monotonic() - started
        before = row_counts({**dsn, "dbname": source["NAME"]})
        after = row_counts({**dsn, "dbname": target})
    finally:
        subprocess.run([dropdb, *server, "--if-exists", target], check=True, timeout=60)  # noqa: S603

    assert after == before
    assert before["students_student"] == 50 and before["programs_attendance"] == 250
    figures.append(
        f"backup: pg_dump --format=custom of a seeded database ({len(before)} tables, {sum(before.values())} "
        f"rows) wrote {dump.stat().st_size / 1024:.0f} KiB in {dump_seconds:.2f} s; pg_restore into a "
        f"fresh database took {restore_seconds:.2f} s; row counts equal in every table"
    )
