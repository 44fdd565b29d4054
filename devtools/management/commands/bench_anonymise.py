"""Anonymise 10,000 leavers of the scale-1 county network and write the figure (`make bench`)."""

import time
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import F
from django.utils import timezone

from alumni.models import Alumnus
from devtools.bench.pages import machine
from devtools.bench.report import write_section
from devtools.bench.seed import County
from retention.models import Anonymisation
from retention.selectors import anonymisation_plan, students_due
from retention.services.anonymise import BATCH_SIZE, students_anonymise
from students.models import Enrollment, Student

TARGET_SECONDS = 120


class Command(BaseCommand):
    help = "Seed scale 1, make N students leavers, time their anonymisation; write docs/benchmarks.md."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--leavers", type=int, default=10_000)
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--markdown", default=str(settings.BASE_DIR / "docs" / "benchmarks.md"))

    def handle(self, *args, scale: float, leavers: int, batch_size: int, markdown: str, **options):
        name = str(connection.settings_dict["NAME"])
        if "bench" not in Path(name).name:
            raise CommandError(
                f"The benchmark empties its database; use one whose name says bench, not {name!r}."
            )
        call_command("flush", interactive=False, verbosity=0)
        call_command("migrate", verbosity=0)
        counts = County(scale=scale).build()
        ids = list(Student.objects.order_by("pk").values_list("pk", flat=True)[:leavers])
        if len(ids) < leavers:
            raise CommandError(f"Scale {scale} has {len(ids)} students, fewer than {leavers}.")
        # Leavers: open enrollments end (on their first day: the dates stay valid), alumni withdraw consent.
        Enrollment.objects.filter(student__in=ids, ended_on__isnull=True).update(
            ended_on=F("started_on"), exit_reason="moved"
        )
        Alumnus.objects.filter(student__in=ids).update(consents_to_contact=False)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(f"scale {scale}: {len(ids)} leavers; dry run")
        started = time.perf_counter()
        plan = anonymisation_plan(student_ids=ids)
        dry_seconds = time.perf_counter() - started
        started = time.perf_counter()
        due = students_due(today=timezone.localdate()).count()
        due_seconds = time.perf_counter() - started
        self.stdout.write(f"anonymising {len(ids)} students in batches of {batch_size}")
        started = time.perf_counter()
        done = students_anonymise(student_ids=ids, batch_size=batch_size)
        seconds = time.perf_counter() - started
        assert len(done) == len(ids) == Anonymisation.objects.count()
        self.stdout.write(f"anonymised {len(done)} students in {seconds:.1f} s")
        run = machine()
        rows = sum(count for kind, count in plan.items() if kind != "students")
        met = "yes" if seconds <= TARGET_SECONDS else f"no: {seconds:.0f} s > {TARGET_SECONDS} s"
        section = "\n".join(
            [
                f"Run on {datetime.now().astimezone():%Y-%m-%dT%H:%M%z} by `manage.py bench_anonymise`: "
                f"{run.get('cpu', '')}, {run.get('cores', '')} cores, {run.get('memory', '')}, "
                f"{run.get('database', '')}.",
                "",
                f"Scale {scale:g}: {counts.get('active_students', 0):,} active students, "
                f"{counts.get('alumni', 0):,} alumni, {counts.get('attendance', 0):,} attendance marks. "
                f"{len(ids):,} students made leavers past retention; batches of {batch_size} students, "
                "one transaction each.",
                "",
                "| action | rows | time | target (≤ 120 s for 10,000) |",
                "|---|---|---|---|",
                f"| dry run: rows that would change, by kind | {rows:,} | {dry_seconds:.1f} s | |",
                f"| students due under the policy today (one query; these left this year) | {due:,} "
                f"| {due_seconds:.1f} s | |",
                f"| anonymisation of {len(ids):,} leavers, every table and history | {rows:,} "
                f"| {seconds:.1f} s | {met} |",
                "",
                "Rows by kind in the dry run: "
                + ", ".join(f"{kind} {count:,}" for kind, count in sorted(plan.items()))
                + ".",
            ]
        )
        write_section(Path(markdown), "anonymise", section)
        self.stdout.write(f"written {markdown}")
