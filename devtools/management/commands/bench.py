"""Seed the county network at each scale and measure every main page and action (`make bench`)."""

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.bench.http import measure_http
from devtools.bench.pages import Bench, machine
from devtools.bench.report import http_markdown, write_section
from devtools.bench.report import markdown as bench_markdown
from devtools.bench.seed import County
from students.pace_turns import turns_write


class Command(BaseCommand):
    help = (
        "Measure pages, sweeps, export and import at each scale through the test client, then the pages "
        "through real HTTP (gunicorn and wrk, with a writer); write docs/benchmarks.json and .md. Scale 10 "
        "(1,200 sites, 4 million marks) takes several minutes to seed and about an hour in all on 2 cores."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scales", default="1,10", help="Comma-separated scales, smallest first.")
        parser.add_argument("--repeats", type=int, default=15, help="Timed runs per page.")
        parser.add_argument("--output", default=str(settings.BASE_DIR / "docs" / "benchmarks.json"))
        parser.add_argument("--markdown", default=str(settings.BASE_DIR / "docs" / "benchmarks.md"))
        parser.add_argument(
            "--no-http", dest="http", action="store_false", help="Skip the gunicorn + wrk measurements."
        )
        parser.add_argument("--page-seconds", type=int, default=5, help="wrk seconds per page alone.")
        parser.add_argument("--mix-seconds", type=int, default=20, help="wrk seconds per mix.")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers.")
        parser.add_argument("--connections", type=int, default=8, help="wrk connections in the mixes.")
        parser.add_argument("--writer-every", type=float, default=10.0, help="Seconds between changes.")

    def handle(self, *args, scales: str, repeats: int, output: str, markdown: str, http: bool, **options):
        name = str(connection.settings_dict["NAME"])
        if "bench" not in Path(name).name:
            raise CommandError(
                f"The benchmark empties its database; use one whose name says bench, not {name!r}."
            )
        if http and connection.vendor != "postgresql":
            raise CommandError("Measure HTTP on the production shape: PostgreSQL (or pass --no-http).")
        run = {"machine": machine(), "scales": {}}
        for scale in [s.strip() for s in scales.split(",") if s.strip()]:
            self.stdout.write(f"scale {scale}: seeding")
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", verbosity=0)
            county = County(scale=float(scale))
            started = time.perf_counter()
            counts = county.build()
            seeded = time.perf_counter() - started
            # The contracts' turning days of pace, as the quarter-hourly task writes them after a change.
            counts["pace_turns"] = turns_write()
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("VACUUM ANALYZE")
            self.stdout.write(f"scale {scale}: seeded in {seeded:.0f} s; measuring")
            bench = Bench(repeats=repeats, say=self.stdout.write)
            results = bench.run()
            run["scales"][scale] = {
                "seed_seconds": round(seeded, 1),
                "counts": counts,
                "results": [r.as_dict() for r in results],
            }
            if http:
                self.stdout.write(f"scale {scale}: through HTTP (gunicorn, wrk)")
                run["scales"][scale]["http"] = measure_http(
                    bench,
                    page_seconds=options["page_seconds"],
                    mix_seconds=options["mix_seconds"],
                    connections=options["connections"],
                    workers=options["workers"],
                    writer_every=options["writer_every"],
                    say=self.stdout.write,
                )
        Path(output).write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
        write_section(Path(markdown), "bench", bench_markdown(run))
        if http:
            write_section(Path(markdown), "http", http_markdown(run))
        self.stdout.write(f"written {output} and {markdown}")
