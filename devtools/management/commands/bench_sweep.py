"""Measure the reminder sweeps over many contracts (rolled back: it leaves no data behind)."""

import random
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from artworx import roles
from devtools.benchmarking import RolledBackBenchmark
from notifications.models import Kind, Notification, NotificationPreference
from notifications.sweeps import run_sweeps
from programs.models import Attendance, Cohort, Participation, Program, Session
from sites.models import Closure, Site
from students.models import Contract, ContractCourse, Enrollment, Guardian, Student

User = get_user_model()

TODAY = date(2027, 3, 1)  # a Monday in term time, so every band of reminders has contracts in it


class Command(RolledBackBenchmark):
    help = "Time the reminder sweeps' first and second pass over N active contracts, and count the queries."

    def add_arguments(self, parser):
        parser.add_argument("--contracts", type=int, default=5_000)
        parser.add_argument("--sites", type=int, default=100)
        parser.add_argument("--sessions", type=int, default=20_000)

    def run(self, *, contracts: int, sites: int, sessions: int, **options) -> None:
        n_contracts, n_sites, n_sessions = contracts, sites, sessions
        rng = random.Random(11)
        teachers = User.objects.bulk_create(
            User(username=f"bench-teacher-{i}", email=f"t{i}@bench.example") for i in range(n_sites)
        )
        staff = User.objects.bulk_create(
            User(username=f"bench-staff-{i}", email=f"s{i}@bench.example") for i in range(3)
        )
        Group.objects.get(name=roles.PROGRAM_STAFF).user_set.add(*staff)
        NotificationPreference.objects.bulk_create(
            NotificationPreference(user=user, kind=kind, by_email=True)
            for user in teachers[::2] + staff
            for kind in Kind.values
        )
        site_rows = Site.objects.bulk_create(
            Site(name=f"Bench site {i}", capacity=50) for i in range(n_sites)
        )
        Closure.objects.bulk_create(
            [Closure(name="Spring break", starts_on=date(2027, 3, 29), ends_on=date(2027, 4, 2))]
            + [
                Closure(name="Site day", site=site, starts_on=d, ends_on=d)
                for site in site_rows
                for d in (date(2027, 3, rng.randint(2, 26)),)
            ]
        )
        students = Student.objects.bulk_create(
            Student(
                first_name="B",
                last_name=str(i),
                date_of_birth=date(2009, 1, 1),
                grade=11,
                email=f"b{i}@bench.example" if i % 3 == 0 else "",
                language="es" if i % 2 else "en",
            )
            for i in range(n_contracts)
        )
        Enrollment.objects.bulk_create(
            Enrollment(
                student=s,
                site=site_rows[i % n_sites],
                teacher=teachers[i % n_sites],
                started_on=date(2026, 9, 1),
            )
            for i, s in enumerate(students)
        )
        Guardian.objects.bulk_create(
            Guardian(
                student=s,
                name=f"G {i}",
                relationship="parent",
                email=f"g{i}@bench.example",
                language="es",
                # Seeded consent without its history rows: the sweep reads only these columns.
                email_opt_in=i % 4 != 0,
            )
            for i, s in enumerate(students)
        )
        # Due dates from a week ago to six weeks ahead: some expire, many fall in a reminder band.
        contract_rows = Contract.objects.bulk_create(
            Contract(
                student=s,
                site=site_rows[i % n_sites],
                teacher=teachers[i % n_sites],
                started_on=date(2026, 10, 1),
                length_days=80,
                due_on=TODAY + timedelta(days=rng.randint(-7, 42)),
            )
            for i, s in enumerate(students)
        )
        ContractCourse.objects.bulk_create(
            ContractCourse(contract=c, subject_area="english", title="English 11A", credits=Decimal(5))
            for c in contract_rows
        )
        marks = self.add_sessions(rng, site_rows, students, n_sessions, staff[0])
        now = timezone.make_aware(datetime.combine(TODAY, datetime.min.time()) + timedelta(hours=9))
        self.stdout.write(
            f"{n_contracts} active contracts at {n_sites} sites, {n_sessions} sessions with {marks} recent "
            f"attendance marks, sweeping on {TODAY}"
        )
        self.measure("first pass (writes the reminders)", lambda: run_sweeps(now=now), show_result=True)
        self.measure("second pass (nothing new)", lambda: run_sweeps(now=now), show_result=True)
        by_email = Notification.objects.filter(by_email=True).count()
        expired = Contract.objects.filter(status=Contract.Status.EXPIRED).count()
        self.stdout.write(
            f"{Notification.objects.count()} notifications ({by_email} by email); {expired} contracts expired"
        )

    def add_sessions(self, rng, site_rows, students, n_sessions: int, artist) -> int:
        """One cohort per site meeting every weekday back from TODAY; recent sessions carry marks."""
        program = Program.objects.create(name="Bench photography", discipline="photography", level=1)
        cohorts = Cohort.objects.bulk_create(
            Cohort(
                program=program,
                site=site,
                term_starts_on=date(2026, 6, 1),
                term_ends_on=TODAY,
                meeting_days="0,1,2,3,4",
                starts_at=dt_time(15),
                duration_minutes=60,
            )
            for site in site_rows
        )
        for cohort in cohorts:
            cohort.teaching_artists.add(artist)
        per_cohort = max(1, n_sessions // len(cohorts))
        days, day = [], TODAY - timedelta(days=1)
        while len(days) < per_cohort:
            if day.weekday() < 5:
                days.append(day)
            day -= timedelta(days=1)
        recent = TODAY - timedelta(days=21)
        sessions = Session.objects.bulk_create(
            Session(
                cohort=cohort,
                date=d,
                starts_at=dt_time(15),
                duration_minutes=60,
                # Every third cohort has left its last three sessions unlogged.
                status="scheduled" if n % 3 == 0 and d >= TODAY - timedelta(days=4) else "logged",
            )
            for n, cohort in enumerate(cohorts)
            for d in days
        )
        participations = Participation.objects.bulk_create(
            Participation(cohort=cohorts[i % len(cohorts)], student=s, joined_on=date(2026, 6, 1))
            for i, s in enumerate(students)
        )
        by_cohort = {}
        for participation in participations:
            by_cohort.setdefault(participation.cohort_id, []).append(participation)
        marks = [
            Attendance(session=session, participation=p, mark="U" if rng.random() < 0.08 else "P")
            for session in sessions
            if session.status == "logged" and session.date >= recent
            for p in by_cohort.get(session.cohort_id, [])
        ]
        Attendance.objects.bulk_create(marks, batch_size=5000)
        return len(marks)
