"""Measure the main pages and actions on the seeded network, through the Django test client.

Every scenario is timed over repeated runs (median and 95th percentile) with its query count taken
from one run; writes happen inside a transaction that is rolled back, so the data set is the same
for every run and every scenario.
"""

import csv
import io
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import django
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from artworx import roles
from families.reminders import family_notices
from notifications.sweeps import run_sweeps
from programs.models import Cohort, Participation, Session
from sites.models import Site
from students.models import ContractPace, Student
from students.pace_turns import turns_write
from students.roster import roster_import_apply, roster_import_create

User = get_user_model()


class Rollback(Exception):
    """Raised to undo a scenario's writes."""


@dataclass
class Result:
    name: str
    label: str
    runs: int
    median_ms: float
    p95_ms: float
    queries: int
    detail: str = ""

    def as_dict(self) -> dict:
        return self.__dict__.copy()


class QueryCounter:
    """Counts the queries run on the default connection (query logging keeps only the last 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        # The savepoints are the benchmark's own rollback around a write, not the page's work.
        if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
            self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self):
        self.wrapper = connection.execute_wrapper(self)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def rolled_back(action: Callable) -> Callable:
    """Wrap an action so that whatever it writes is undone."""

    def run():
        try:
            with transaction.atomic():
                result = action()
                raise Rollback(result)
        except Rollback as undo:
            return undo.args[0]

    return run


class Bench:
    """The scenarios of one scale, with the people and objects they use."""

    def __init__(self, *, repeats: int, say: Callable[[str], None] = print):
        self.repeats = repeats
        self.say = say
        self.results: list[Result] = []
        self.now = timezone.now()
        today = timezone.localdate()
        self.staff = User.objects.filter(groups__name=roles.PROGRAM_STAFF).order_by("pk").first()
        self.cohort = (
            Cohort.objects.filter(term_starts_on__lte=today, term_ends_on__gte=today)
            .annotate(
                n=Count("participations", filter=Q(participations__status=Participation.Status.ENROLLED))
            )
            .order_by("-n", "pk")
            .first()
        )
        self.artist = self.cohort.teaching_artists.order_by("pk").first()
        self.session = (
            # A past day's session: today's may not have begun yet, and only a begun session is logged.
            self.cohort.sessions.filter(date__lt=today, date__gt=today - timedelta(days=8))
            .exclude(status=Session.Status.CANCELLED)
            .order_by("-date")
            .first()
        )
        self.site = self.cohort.site
        self.log_url = reverse("programs:session_log", args=[self.session.pk])
        self.student = Student.objects.filter(
            enrollments__site=self.site, enrollments__ended_on__isnull=True
        ).first()
        self.clients = {}

    def client(self, user) -> Client:
        if user.pk not in self.clients:
            client = Client()
            client.force_login(user)
            self.clients[user.pk] = client
        return self.clients[user.pk]

    def time(
        self, name: str, label: str, action: Callable, *, repeats: int | None = None, warmup: int = 2
    ) -> Result:
        """Run an action: warm up, count one run's queries, then time the repeats."""
        for _ in range(warmup):
            action()
        with QueryCounter() as queries:
            detail = action()
        times = []
        for _ in range(repeats or self.repeats):
            started = time.perf_counter()
            action()
            times.append((time.perf_counter() - started) * 1000)
        return self.record(name, label, times, queries.count, detail if isinstance(detail, str) else "")

    def record(self, name: str, label: str, times: list[float], queries: int, detail: str = "") -> Result:
        """Keep and print one scenario's figures."""
        result = Result(
            name=name,
            label=label,
            runs=len(times),
            median_ms=round(statistics.median(times), 1),
            p95_ms=round(percentile(times, 0.95), 1),
            queries=queries,
            detail=detail,
        )
        extra = f", {detail}" if detail else ""
        self.say(f"  {label}: median {result.median_ms} ms, p95 {result.p95_ms} ms, {queries} queries{extra}")
        self.results.append(result)
        return result

    def page(self, name: str, label: str, user, url: str, **options) -> Result:
        client = self.client(user)

        def get():
            response = client.get(url, secure=True)
            if response.status_code != 200:
                raise RuntimeError(f"{url} answered {response.status_code} for {user}")
            if response.streaming:
                return f"{sum(len(chunk) for chunk in response.streaming_content):,} bytes"
            return ""

        return self.time(name, label, get, **options)

    def page_specs(self) -> list[tuple[str, str, object, str]]:
        """(name, label, user, url) of every page measured."""
        return [
            ("trivial", "trivial signed-in page (change password)", self.staff, reverse("password_change")),
            ("dashboard", "staff dashboard", self.staff, reverse("dashboard:dashboard")),
            (
                "student_list",
                "student list, filtered by site and name",
                self.staff,
                f"{reverse('students:list')}?site={self.site.pk}&q=a",
            ),
            (
                "student_detail",
                "student page",
                self.staff,
                reverse("students:detail", args=[self.student.pk]),
            ),
            ("site_detail", "site page", self.staff, reverse("sites:detail", args=[self.site.pk])),
            (
                "cohort_detail",
                "cohort page",
                self.staff,
                reverse("programs:cohort_detail", args=[self.cohort.pk]),
            ),
            ("my_sessions", "My sessions (teaching artist)", self.artist, reverse("programs:my_sessions")),
            ("session_log_get", "session log, 25 students (GET)", self.artist, self.log_url),
            (
                "contract_due_soon",
                "contracts due within 10 days",
                self.staff,
                f"{reverse('students:contract_list')}?due_within=10",
            ),
            ("alumni_list", "alumni list", self.staff, reverse("alumni:list")),
            ("referral_funnel", "referral funnel", self.staff, reverse("students:referral_funnel")),
        ]

    def run(self) -> list[Result]:
        for name, label, user, url in self.page_specs():
            self.page(name, label, user, url)
            if name == "dashboard":
                self.dashboard_computed(url)
            if name == "session_log_get":
                self.session_log_post()
        current = Student.objects.filter(enrollments__ended_on__isnull=True).count()
        self.page(
            "export_students",
            f"export of the {current:,} current students (CSV)",
            self.staff,
            reverse("export", kwargs={"name": "students", "fmt": "csv"}) + "?status=enrolled",
            repeats=3,
            warmup=1,
        )
        self.sweeps()
        self.pace_turns()
        self.family_texts()
        self.roster_import(rows=2_000)
        return self.results

    def log_post_data(self) -> dict:
        """A full log of the session: every participant marked, half of them late."""
        participants = self.cohort.participations.filter(status=Participation.Status.ENROLLED)
        data = {
            f"mark-{pk}": ("T" if n % 2 else "P")
            for n, pk in enumerate(participants.values_list("pk", flat=True))
        }
        return data | {"topic": "Portraits in window light", "activities": "Critique", "notes": ""}

    def dashboard_computed(self, url: str) -> None:
        """The dashboard right after the data changed: its cache emptied before every request."""
        client = self.client(self.staff)

        def get():
            cache.clear()
            if client.get(url, secure=True).status_code != 200:
                raise RuntimeError("the dashboard did not answer 200")
            return ""

        self.time("dashboard_computed", "staff dashboard, computed (cache empty)", get, repeats=5)

    def session_log_post(self) -> None:
        data = self.log_post_data()
        client = self.client(self.artist)

        def post():
            response = client.post(self.log_url, data, secure=True)
            if response.status_code != 302:
                raise RuntimeError(f"the session log answered {response.status_code}")
            return ""

        self.time("session_log_post", f"session log, {len(data) - 3} students (POST)", rolled_back(post))

    def sweeps(self) -> None:
        """The reminder sweeps at a quarter-hour: a first pass that writes, then the same moment again."""
        at = self.now.replace(hour=16, minute=0, second=0, microsecond=0)
        firsts, seconds, written = [], [], {}
        queries = {}
        for _ in range(3):
            with transaction.atomic():
                for label, sink in (("first", firsts), ("second", seconds)):
                    with QueryCounter() as captured:
                        started = time.perf_counter()
                        counts = run_sweeps(now=at)
                        sink.append((time.perf_counter() - started) * 1000)
                    queries[label] = captured.count
                    written[label] = sum(counts.values())
                transaction.set_rollback(True)
        for label, times in (("first", firsts), ("second", seconds)):
            detail = f"{written[label]:,} notifications written"
            self.record(f"sweep_{label}", f"reminder sweep, {label} pass", times, queries[label], detail)

    def pace_turns(self) -> None:
        """The quarter-hourly task after a closure change, when every row is stale: the turning days of
        pace of every active contract worked out and written again (rolled back each time)."""

        def write():
            ContractPace.objects.all().delete()
            return f"{turns_write():,} contracts"

        self.time(
            "pace_turns",
            "turning days of pace of every active contract, written",
            rolled_back(write),
            repeats=3,
            warmup=0,
        )

    def family_texts(self) -> None:
        """The evening's family texts for every site: the last day with logged sessions, at 19:00, composed
        and queued through the outbox (absences, runs, contract dates; one text per guardian), rolled back."""
        last_day = (
            Session.objects.filter(status=Session.Status.LOGGED)
            .order_by("-date")
            .values_list("date", flat=True)[:1]
        )
        if not last_day:
            return
        at = timezone.make_aware(datetime.combine(last_day[0], datetime.min.time()).replace(hour=19))

        def compose():
            queued = family_notices(now=at)
            return f"{queued:,} texts queued"

        self.time(
            "family_texts",
            "family texts of the evening, every site",
            rolled_back(compose),
            repeats=3,
            warmup=0,
        )

    def roster_import(self, *, rows: int) -> None:
        """A district file of new students for 40 new sites: preview, then save, rolled back each time."""
        teacher_group = Group.objects.get(name=roles.TEACHER)
        previews, saves, queries = [], [], {}
        for _ in range(2):
            with transaction.atomic():
                sites = Site.objects.bulk_create(
                    Site(name=f"Import site {i:02d}", capacity=50) for i in range(rows // 50)
                )
                teachers = User.objects.bulk_create(
                    User(username=f"import-teacher-{i:03d}") for i in range(2 * len(sites))
                )
                teacher_group.user_set.add(*teachers)
                Site.teachers.through.objects.bulk_create(
                    Site.teachers.through(site_id=site.pk, user_id=teachers[2 * i + k].pk)
                    for i, site in enumerate(sites)
                    for k in (0, 1)
                )
                content = roster_file(sites, teachers, rows)
                with QueryCounter() as captured:
                    started = time.perf_counter()
                    roster_import = roster_import_create(name="district.csv", content=content, by=self.staff)
                    previews.append((time.perf_counter() - started) * 1000)
                queries["preview"] = captured.count
                with QueryCounter() as captured:
                    started = time.perf_counter()
                    applied = roster_import_apply(roster_import_id=roster_import.pk)
                    saves.append((time.perf_counter() - started) * 1000)
                queries["save"] = captured.count
                if applied.applied != rows:
                    raise RuntimeError(f"the import saved {applied.applied} rows: {applied.message}")
                transaction.set_rollback(True)
        for label, times in (("preview", previews), ("save", saves)):
            self.record(f"import_{label}", f"roster import of {rows:,} rows, {label}", times, queries[label])


def roster_file(sites, teachers, rows: int) -> bytes:
    """A CSV district export: 50 new students a site, 25 a teacher."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["district_id", "first_name", "last_name", "date_of_birth", "grade", "site", "teacher", "started_on"]
    )
    started = timezone.localdate().isoformat()
    for n in range(rows):
        site = n // 50
        writer.writerow(
            [
                f"IMP{n:07d}",
                "Ana",
                f"Import{n}",
                "2009-05-01",
                11,
                sites[site].name,
                teachers[2 * site + (n % 50) // 25].username,
                started,
            ]
        )
    return out.getvalue().encode()


def machine() -> dict:
    """What the figures were measured on."""
    cpu = ""
    try:
        with open("/proc/cpuinfo") as info:
            fields = {
                key.strip(): value.strip()
                for key, value in (line.split(":", 1) for line in info if ":" in line)
            }
        cpu = fields.get("model name", "")
        # Runs on machines of the same model name but another clock are not comparable: say the clock.
        clock = fields.get("cpu MHz", "")
        if clock and "GHz" not in cpu:
            cpu = f"{cpu} at {float(clock) / 1000:.1f} GHz"
    except (OSError, ValueError):
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as info:
            kib = int(next(line.split()[1] for line in info if line.startswith("MemTotal")))
            memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        database = cursor.fetchone()[0].split(",")[0]
    return {
        "date": datetime.now().astimezone().isoformat(timespec="minutes"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "django": django.get_version(),
        "database": database,
    }
