"""Measure responsibility, the Today page and the digest on the county network (`make bench-today`).

Seeds the network at each scale in a database whose name says bench (emptied first), then: the first
reminder sweep (items written, recipients per item, the busiest person's open items), a second pass,
the Today page of the busiest program staff member against a trivial signed-in page, and the digest
run for everyone with open items (one email each). Writes the figures into docs/benchmarks.md.
"""

import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from artworx import roles
from devtools.bench.report import write_section
from notifications import services
from notifications.models import Kind, Notification
from notifications.services import digests_write
from notifications.sweeps import run_sweeps


def timed(action):
    """Seconds an action took, its result and its query count (counted as they run: Django's query log
    keeps only the last 9,000, which a statewide first pass exceeds)."""
    count = 0

    def counted(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        started = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - started
    return elapsed, result, count


def median_ms(client: Client, url: str, repeats: int = 9) -> tuple[float, int]:
    """Median time of a page (after one warm-up) and its query count."""
    client.get(url, secure=True)
    times = []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url, secure=True)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(queries.captured_queries)


def seed_in_own_process(scale: float) -> dict[str, int]:
    """Run `seed_bench --flush` in a child process; its counts (active_students...) as it printed them."""
    done = subprocess.run(  # noqa: S603 - this project's own manage.py
        [
            sys.executable,
            str(settings.BASE_DIR / "manage.py"),
            "seed_bench",
            "--flush",
            "--scale",
            f"{scale:g}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise CommandError(f"seed_bench failed: {done.stderr[-2000:]}")
    counts = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition(":")
        if value.strip().replace(",", "").isdigit():
            counts[name.strip()] = int(value.replace(",", ""))
    return counts


class Command(BaseCommand):
    help = "Measure the sweep's items per responsible person, the Today page and the digest; write docs."

    def add_arguments(self, parser):
        parser.add_argument("--scales", default="1", help="Comma-separated scales, smallest first.")
        parser.add_argument("--markdown", default=str(settings.BASE_DIR / "docs" / "benchmarks.md"))

    def handle(self, *args, scales: str, markdown: str, **options):
        name = str(connection.settings_dict["NAME"])
        if "bench" not in Path(name).name:
            raise CommandError(
                f"The benchmark empties its database; use one whose name says bench, not {name!r}."
            )
        rows = []
        for scale in [s.strip() for s in scales.split(",") if s.strip()]:
            rows.append(self.measure(float(scale)))
        write_section(Path(markdown), "today", self.report(rows))
        self.stdout.write(f"written {markdown}")

    def measure(self, scale: float) -> dict:
        say = self.stdout.write
        say(f"scale {scale:g}: seeding")
        # Seeded by a process of its own, as a deployment's data is: the passes below then run in a
        # process that holds nothing else, like a worker (one that had built the network in memory
        # spends a large share of the first pass in the garbage collector).
        started = time.perf_counter()
        counts = seed_in_own_process(scale)
        seeded = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        say(f"scale {scale:g}: seeded in {seeded:.0f} s ({counts.get('active_students')} students)")
        # 10:00 in Los Angeles on the seed's day: every digest hour (7:00 by default) has come.
        now = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
        first, written, first_queries = timed(lambda: run_sweeps(now=now))
        say(f"first pass {first:.1f} s, {first_queries} queries: {written}")
        items = Notification.objects.filter(in_app=True).exclude(kind=Kind.DIGEST)
        subjects = items.values("kind", "subject_type", "subject_id").distinct().count()
        per_person = list(items.values("recipient").annotate(n=Count("pk")).values_list("recipient", "n"))
        busiest = max(per_person, key=lambda row: row[1]) if per_person else (None, 0)
        staff_ids = set(roles.people_with(roles.PROGRAM_STAFF).values_list("pk", flat=True))
        busiest_staff = max(
            ((u, n) for u, n in per_person if u in staff_ids), key=lambda r: r[1], default=(None, 0)
        )
        second, written_again, second_queries = timed(lambda: run_sweeps(now=now + timedelta(minutes=15)))
        Notification.objects.filter(kind=Kind.DIGEST).delete()  # written by the first pass; measured below
        say(f"second pass {second:.2f} s, {second_queries} queries: {sum(written_again.values())} written")

        client = Client()
        user = type(roles.people_with(roles.PROGRAM_STAFF).first()).objects.get(pk=busiest_staff[0])
        client.force_login(user)
        today_ms, today_queries = median_ms(client, reverse("notifications:today"))
        trivial_ms, _ = median_ms(client, reverse("password_change"))
        say(f"Today page {today_ms:.0f} ms, {today_queries} queries; trivial page {trivial_ms:.0f} ms")

        # The SIGKILL window: from the mail server taking a message to its row marked sent. A worker
        # killed inside it sends that email again once the row is taken back.
        windows, accepted = [], {}
        send, settle = services._send_email, services._settle

        def timed_send(notification, *, address):
            send(notification, address=address)
            accepted[notification.pk] = time.perf_counter()

        def timed_settle(notification_id, **changes):
            settle(notification_id, **changes)
            if notification_id in accepted:
                windows.append(time.perf_counter() - accepted.pop(notification_id))

        services._send_email, services._settle = timed_send, timed_settle
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                mail.outbox = []
                # Only the digests: the contract reminders to students and guardians wait in the outbox.
                digest_seconds, (digests, sent), _ = timed(
                    lambda: (
                        digests_write(now=now),
                        sum(
                            services.notification_deliver(notification_id=pk)
                            for pk in Notification.objects.filter(kind=Kind.DIGEST, status="pending")
                            .order_by("pk")
                            .values_list("pk", flat=True)
                        ),
                    )
                )
                emails = len(mail.outbox)
                addresses = len({m.to[0] for m in mail.outbox})
        finally:
            services._send_email, services._settle = send, settle
        window_ms = sorted(w * 1000 for w in windows) or [0.0]
        say(
            f"SIGKILL window over {len(windows)} sends: median {statistics.median(window_ms):.2f} ms, "
            f"max {window_ms[-1]:.2f} ms"
        )
        say(
            f"digests: {digests} written, {sent} sent ({emails} emails, {addresses} people)"
            f" in {digest_seconds:.1f} s"
        )
        return {
            "scale": scale,
            "students": counts.get("active_students"),
            "seeded": seeded,
            "first": first,
            "first_queries": first_queries,
            "items": items.count(),
            "by_kind": dict(items.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n")),
            "subjects": subjects,
            "busiest": busiest[1],
            "busiest_staff": busiest_staff[1],
            "people": len(per_person),
            "second": second,
            "second_queries": second_queries,
            "today_ms": today_ms,
            "today_queries": today_queries,
            "trivial_ms": trivial_ms,
            "digests": digests,
            "digest_emails": emails,
            "digest_people": addresses,
            "digest_seconds": digest_seconds,
            "window_median_ms": statistics.median(window_ms),
            "window_max_ms": window_ms[-1],
            "window_sends": len(windows),
        }

    def report(self, rows: list[dict]) -> str:
        lines = [
            "| scale | students | first pass | items (in-app) | recipients per item | busiest person "
            "| busiest program staff | second pass | Today page (busiest staff) | trivial | digest run |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {r['scale']:g} | {r['students']:,} | {r['first']:.1f} s, {r['first_queries']} queries "
                f"| {r['items']:,} about {r['subjects']:,} subjects "
                f"| {r['items'] / max(r['subjects'], 1):.2f} "
                f"| {r['busiest']} open items | {r['busiest_staff']} open items "
                f"| {r['second']:.2f} s, {r['second_queries']} queries "
                f"| {r['today_ms']:.0f} ms, {r['today_queries']} queries "
                f"({r['today_ms'] / max(r['trivial_ms'], 0.01):.1f}× trivial) | {r['trivial_ms']:.0f} ms "
                f"| {r['digests']:,} digests, {r['digest_emails']:,} emails to {r['digest_people']:,} people "
                f"in {r['digest_seconds']:.1f} s |"
            )
        lines += [
            "",
            "SIGKILL window (from the mail server accepting a digest to its row marked sent, the only "
            "moment a killed worker makes an email go twice): "
            + "; ".join(
                f"scale {r['scale']:g}: median {r['window_median_ms']:.2f} ms, "
                f"max {r['window_max_ms']:.2f} ms over {r['window_sends']:,} sends"
                for r in rows
            )
            + ".",
        ]
        kinds = ", ".join(
            f"{kind} {n:,}" for kind, n in sorted(rows[-1]["by_kind"].items(), key=lambda kv: -kv[1])
        )
        lines += ["", f"Items by kind at scale {rows[-1]['scale']:g}: {kinds}."]
        return "\n".join(lines)
