"""Load the production-shaped web tier with wrk from a second process and record its figures."""

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.bench.http import MIX, artist_mix, free_port, parse_wrk, session_cookie, staff_mix, wait_for
from devtools.bench.pages import Bench, machine
from devtools.bench.report import write_section


class Command(BaseCommand):
    help = "Serve with gunicorn on loopback and load a staff mix and a teaching-artist mix with wrk."

    def add_arguments(self, parser):
        parser.add_argument("--duration", type=int, default=20, help="Seconds per mix.")
        parser.add_argument("--connections", type=int, default=8)
        parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers.")
        parser.add_argument("--output", default=str(settings.BASE_DIR / "docs" / "loadtest.json"))
        parser.add_argument("--markdown", default=str(settings.BASE_DIR / "docs" / "benchmarks.md"))

    def handle(self, *args, duration, connections, workers, output, markdown, **options):
        wrk = shutil.which("wrk")
        if not wrk:
            raise CommandError("wrk is missing: apt-get install wrk")
        if connection.vendor != "postgresql":
            raise CommandError(
                "Load-test the production shape: set DATABASE_URL to the seeded PostgreSQL database."
            )
        bench = Bench(repeats=1)
        mixes = {
            "staff": (bench.staff, staff_mix(bench)),
            "teaching artist": (bench.artist, artist_mix(bench)),
        }
        port = free_port()
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
        }
        gunicorn = subprocess.Popen(  # noqa: S603 - our own server on loopback
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=settings.BASE_DIR,
            env=env,
        )
        results = {}
        try:
            try:
                wait_for(port)
            except RuntimeError as error:
                raise CommandError(str(error)) from error
            with tempfile.TemporaryDirectory() as tmp:
                for name, (user, paths) in mixes.items():
                    listing = Path(tmp) / "paths.txt"
                    listing.write_text("\n".join(paths) + "\n")
                    run_env = {**os.environ, "WRK_PATHS": str(listing), "WRK_COOKIE": session_cookie(user)}
                    # Warm the workers (templates, connections) before measuring.
                    subprocess.run(  # noqa: S603
                        [wrk, "-t1", "-c2", "-d3s", "-s", str(MIX), f"http://127.0.0.1:{port}/"],
                        env=run_env,
                        capture_output=True,
                        check=True,
                    )
                    report = subprocess.run(  # noqa: S603
                        [
                            wrk,
                            "-t2",
                            f"-c{connections}",
                            f"-d{duration}s",
                            "--latency",
                            "-s",
                            str(MIX),
                            f"http://127.0.0.1:{port}/",
                        ],
                        env=run_env,
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                    results[name] = {"pages": paths, **parse_wrk(report)}
                    r = results[name]
                    self.stdout.write(
                        f"{name}: {r['requests_per_second']:.0f} req/s, p50 {r['latency_ms'].get('50')} ms, "
                        f"p99 {r['latency_ms'].get('99')} ms, non-2xx {r['non_2xx']}"
                    )
        finally:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=30)
        run = {
            "machine": machine(),
            "workers": workers,
            "connections": connections,
            "duration_s": duration,
            "mixes": results,
        }
        Path(output).write_text(json.dumps(run, indent=2) + "\n")
        write_section(Path(markdown), "load", load_markdown(run))
        self.stdout.write(f"written {output} and {markdown}")
        if any(r["non_2xx"] for r in results.values()):
            raise CommandError("Some requests were refused or failed: see the non-2xx counts.")


def load_markdown(run: dict) -> str:
    m = run["machine"]
    lines = [
        f"Run on {m['date']} by `make loadtest`: gunicorn with {run['workers']} sync workers on loopback, "
        f"wrk with {run['connections']} connections for {run['duration_s']} s per mix, on {m['cpu']}, "
        f"{m['cores']} cores, {m['database']} holding the scale-1 network.",
        "",
        "| mix | pages requested in turn | requests/s | p50 | p75 | p90 | p99 | non-2xx |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in run["mixes"].items():
        lat = r["latency_ms"]
        lines.append(
            f"| {name} | {len(r['pages'])} | {r['requests_per_second']:.0f} | {lat.get('50')} ms | "
            f"{lat.get('75')} ms | {lat.get('90')} ms | {lat.get('99')} ms | {r['non_2xx']} |"
        )
    return "\n".join(lines)
