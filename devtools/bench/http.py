"""Measure the pages through real HTTP: gunicorn on loopback with the production settings, wrk from a
second process (issue #22), the way people meet them.

For one seeded network: each page alone on one connection (its median is its service time, read as a
ratio to the trivial signed-in page's in the same run), then the staff mix, the teaching-artist mix
and the trivial page under load, then the staff mix again while a writer changes data every 10 s as on
a school day (each change leaves history rows, so every cache keyed by data version is let go). The
machine's load is recorded before and after: figures taken while other jobs use the CPU are not the
app's.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.urls import reverse
from django.utils.module_loading import import_string

from devtools.bench.pages import Bench
from programs.models import Participation
from programs.services import session_log_attendance

MIX = Path(__file__).resolve().parent / "load" / "mix.lua"
UNITS = {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}
WRITER_EVERY_SECONDS = 10


def session_cookie(user) -> str:
    """A signed-in session for `user`, as the Cookie header a browser would send."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # The backend a real sign-in would record: the first that can load users (not the lockout's).
    store[BACKEND_SESSION_KEY] = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(import_string(path), "get_user")
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port}")


def parse_wrk(output: str) -> dict:
    """Requests per second, latency percentiles (ms) and errors from wrk's --latency report."""

    def ms(text: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
        return round(float(number) * UNITS[unit], 1)

    latency = {p: ms(v) for p, v in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", output, re.M)}
    p95 = re.search(r"^p95_us (\d+)", output, re.M)  # from mix.lua's `done`
    if p95:
        latency["95"] = round(int(p95.group(1)) / 1000, 1)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "latency_ms": latency,
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of every core since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def machine_load(seconds: float = 3.0) -> dict:
    """The machine's load with nothing of ours running: load averages, and the share of the CPU that
    other jobs used over `seconds` (the issue's "quiet machine" is ≤ 4 %)."""
    busy0, total0 = cpu_times()
    time.sleep(seconds)
    busy1, total1 = cpu_times()
    share = (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0
    return {"loadavg": [round(v, 2) for v in os.getloadavg()], "others_cpu_percent": round(100 * share, 1)}


class Server:
    """gunicorn serving the app with the production settings on a free loopback port."""

    def __init__(self, *, workers: int):
        self.workers = workers
        self.port = free_port()
        self.process = None

    def __enter__(self) -> "Server":
        env = {**os.environ, "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1"}
        env["SECRET_KEY"] = settings.SECRET_KEY
        self.process = subprocess.Popen(  # noqa: S603 - our own server on loopback
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        wait_for(self.port)
        return self

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is missing: apt-get install wrk")
    return found


def run_wrk(server: Server, paths: list[str], cookie: str, *, seconds: int, connections: int) -> dict:
    """Request `paths` in turn on `connections` connections for `seconds`; wrk's figures."""
    wrk = wrk_binary()
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        env = {**os.environ, "WRK_PATHS": str(listing), "WRK_COOKIE": cookie}
        threads, url = min(2, connections), server.url
        report = subprocess.run(  # noqa: S603
            [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(MIX), url],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    return parse_wrk(report)


class Writer:
    """Changes data every `every` seconds while a load runs, as a school day does: the roll of a past
    session saved again with other marks (a correction), which writes attendance and its history, so
    the dashboard, the pickers and every cache keyed by data version are let go each time."""

    def __init__(self, bench: Bench, *, every: float = WRITER_EVERY_SECONDS):
        self.bench = bench
        self.every = every
        self.stop = threading.Event()
        self.changes = 0
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def change(self, n: int) -> None:
        participants = Participation.objects.on_log_of(self.bench.session)
        marks = {p.pk: ("T" if (i + n) % 3 == 0 else "P") for i, p in enumerate(participants)}
        session_log_attendance(
            session=self.bench.session, marks=marks, topic=f"Bench change {n}", by=self.bench.staff
        )

    def run(self) -> None:
        try:
            n = 0
            while not self.stop.wait(self.every if n else 1.0):
                n += 1
                try:
                    self.change(n)
                    self.changes += 1
                except Exception as error:  # reported with the figures, never hidden
                    self.errors.append(repr(error))
        finally:
            connection.close()

    def __enter__(self) -> "Writer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(timeout=60)


def staff_mix(bench: Bench) -> list[str]:
    """The staff mix of `make loadtest`: the pages a program staff member opens in a day, in turn."""
    return [
        reverse("dashboard:dashboard"),
        f"{reverse('students:list')}?site={bench.site.pk}&q=a",
        reverse("sites:detail", args=[bench.site.pk]),
        reverse("programs:cohort_detail", args=[bench.cohort.pk]),
        f"{reverse('students:contract_list')}?due_within=10",
        reverse("alumni:list"),
        reverse("students:referral_funnel"),
        reverse("students:detail", args=[bench.student.pk]),
    ]


def artist_mix(bench: Bench) -> list[str]:
    """The teaching-artist mix: My sessions, a session's log, the cohort."""
    return [
        reverse("programs:my_sessions"),
        reverse("programs:session_log", args=[bench.session.pk]),
        reverse("programs:cohort_detail", args=[bench.cohort.pk]),
    ]


def measure_http(
    bench: Bench,
    *,
    page_seconds: int = 5,
    mix_seconds: int = 20,
    connections: int = 8,
    workers: int = 2,
    writer_every: float = WRITER_EVERY_SECONDS,
    say: Callable[[str], None] = print,
) -> dict:
    """Every page alone, the mixes under load and the staff mix with the writer, on one gunicorn."""
    wrk_binary()  # refuse before starting anything
    before = machine_load()
    say(f"  machine before: load {before['loadavg']}, other jobs {before['others_cpu_percent']} % of the CPU")
    cookies = {user.pk: session_cookie(user) for user in (bench.staff, bench.artist)}
    pages, mixes = [], {}
    with Server(workers=workers) as server:
        # Warm every worker (templates, connections, the caches a first request fills).
        for _name, _label, user, url in bench.page_specs():
            run_wrk(server, [url], cookies[user.pk], seconds=1, connections=workers)
        for name, label, user, url in bench.page_specs():
            figures = run_wrk(server, [url], cookies[user.pk], seconds=page_seconds, connections=1)
            pages.append({"name": name, "label": label, "url": url, **figures})
            rate = figures["requests_per_second"]
            say(f"  {label}: p50 {figures['latency_ms'].get('50')} ms, {rate:.0f} req/s")
        trivial = next(p for p in pages if p["name"] == "trivial")["latency_ms"]["50"]
        for page in pages:
            page["times_trivial"] = round(page["latency_ms"]["50"] / trivial, 1) if trivial else None
        runs = {
            "staff": (staff_mix(bench), bench.staff),
            "teaching artist": (artist_mix(bench), bench.artist),
            "trivial": ([reverse("password_change")], bench.staff),
        }
        for name, (paths, user) in runs.items():
            mixes[name] = {
                "pages": paths,
                **run_wrk(server, paths, cookies[user.pk], seconds=mix_seconds, connections=connections),
            }
            mix = mixes[name]
            say(f"  {name}: {mix['requests_per_second']:.0f} req/s, p90 {mix['latency_ms'].get('90')} ms")
        with Writer(bench, every=writer_every) as writer:
            cookie = cookies[bench.staff.pk]
            figures = run_wrk(server, staff_mix(bench), cookie, seconds=mix_seconds, connections=connections)
        mixes["staff, with the writer"] = {
            "pages": staff_mix(bench),
            **figures,
            "writer_changes": writer.changes,
            "writer_errors": writer.errors,
        }
        say(
            f"  staff mix with a change every {writer_every:g} s ({writer.changes} changes): "
            f"{figures['requests_per_second']:.0f} req/s, p90 {figures['latency_ms'].get('90')} ms"
        )
    after = machine_load()
    return {
        "workers": workers,
        "connections": connections,
        "page_seconds": page_seconds,
        "mix_seconds": mix_seconds,
        "writer_every_seconds": writer_every,
        "load_before": before,
        "load_after": after,
        "pages": pages,
        "mixes": mixes,
    }
