"""Measure due-date computation for many contracts (rolled back: it leaves no data behind)."""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model

from devtools.benchmarking import RolledBackBenchmark
from sites.calendar import calendars_for_sites
from sites.models import Closure, Site
from students.models import Contract, Enrollment, Student
from students.selectors import with_pace
from students.services import contracts_recompute_due_dates

User = get_user_model()


class Command(RolledBackBenchmark):
    help = "Time due dates and pace for N contracts across many sites, and count the queries."

    def add_arguments(self, parser):
        parser.add_argument("--contracts", type=int, default=10_000)
        parser.add_argument("--sites", type=int, default=120)

    def run(self, *, contracts: int, sites: int, **options) -> None:
        n_contracts, n_sites = contracts, sites
        rng = random.Random(7)
        teacher = User.objects.create(username="bench-teacher")
        site_rows = Site.objects.bulk_create(
            Site(name=f"Bench site {i}", capacity=50) for i in range(n_sites)
        )
        Closure.objects.bulk_create(
            [Closure(name="Winter break", starts_on=date(2026, 12, 21), ends_on=date(2027, 1, 1))]
            + [
                Closure(name="Site day", site=site, starts_on=d, ends_on=d)
                for site in site_rows
                for d in (date(2026, 10, rng.randint(1, 28)), date(2027, 2, rng.randint(1, 26)))
            ]
        )
        students = Student.objects.bulk_create(
            Student(first_name="B", last_name=str(i), date_of_birth=date(2009, 1, 1), grade=11)
            for i in range(n_contracts)
        )
        Enrollment.objects.bulk_create(
            Enrollment(student=s, site=site_rows[i % n_sites], teacher=teacher, started_on=date(2026, 8, 17))
            for i, s in enumerate(students)
        )
        Contract.objects.bulk_create(
            Contract(
                student=s,
                site=site_rows[i % n_sites],
                teacher=teacher,
                length_days=80,
                due_on=date(2027, 12, 31),
                started_on=date(2026, 8, 17) + timedelta(days=rng.randint(0, 60)),
            )
            for i, s in enumerate(students)
        )
        rows = list(Contract.objects.all())
        calendars = calendars_for_sites({c.site_id for c in rows})
        self.measure(
            "compute due dates only (calculator)",
            lambda: [c.due_date(calendars[c.site_id]) for c in rows],
        )
        self.measure(
            "recompute due dates", lambda: contracts_recompute_due_dates(site_id=None, reason="benchmark")
        )
        rows = list(Contract.objects.with_credits())
        self.measure("pace for every contract", lambda: with_pace(rows, today=date(2026, 11, 20)))
        unchanged = Contract.objects.filter(due_on=date(2027, 12, 31)).count()
        self.stdout.write(f"{n_contracts} contracts at {n_sites} sites; due dates left unmoved: {unchanged}")
