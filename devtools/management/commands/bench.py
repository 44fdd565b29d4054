"""Seed the county network at each scale and measure every main page and action (`make bench`)."""

import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.bench.pages import Bench, machine
from devtools.bench.report import markdown as bench_markdown
from devtools.bench.report import write_section
from devtools.bench.seed import County


class Command(BaseCommand):
    help = "Measure pages, sweeps, export and import at scale 0.1 and 1; write docs/benchmarks.json and .md."

    def add_arguments(self, parser):
        parser.add_argument("--scales", default="0.1,1", help="Comma-separated scales, smallest first.")
        parser.add_argument("--repeats", type=int, default=15, help="Timed runs per page.")
        parser.add_argument("--output", default=str(settings.BASE_DIR / "docs" / "benchmarks.json"))
        parser.add_argument("--markdown", default=str(settings.BASE_DIR / "docs" / "benchmarks.md"))

    def handle(self, *args, scales: str, repeats: int, output: str, markdown: str, **options):
        name = str(connection.settings_dict["NAME"])
        if "bench" not in Path(name).name:
            raise CommandError(
                f"The benchmark empties its database; use one whose name says bench, not {name!r}."
            )
        run = {"machine": machine(), "scales": {}}
        for scale in [s.strip() for s in scales.split(",") if s.strip()]:
            self.stdout.write(f"scale {scale}: seeding")
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", verbosity=0)
            county = County(scale=float(scale))
            started = time.perf_counter()
            counts = county.build()
            seeded = time.perf_counter() - started
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("VACUUM ANALYZE")
            self.stdout.write(f"scale {scale}: seeded in {seeded:.0f} s; measuring")
            results = Bench(repeats=repeats, say=self.stdout.write).run()
            run["scales"][scale] = {
                "seed_seconds": round(seeded, 1),
                "counts": counts,
                "results": [r.as_dict() for r in results],
            }
        Path(output).write_text(json.dumps(run, indent=2, ensure_ascii=False) + "\n")
        write_section(Path(markdown), "bench", bench_markdown(run))
        self.stdout.write(f"written {output} and {markdown}")
