"""Fill an empty database with a county-sized network for benchmarks (never in production)."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from devtools.bench.seed import County, check_rules, table_sizes
from sites.models import Site
from students.pace_turns import turns_write

MAX_SCALE = 10  # the statewide network of issue #22


class Command(BaseCommand):
    help = (
        "Generate the benchmark network: scale 1 is 120 sites, 6,000 students, 400,000 attendance marks "
        "(about a minute on 2 cores); scale 10, the statewide network (1,200 sites, 57,000 students, "
        "4.2 million marks), takes several minutes and a few GB of PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=1.0, help="1 = county size; 0.1 = a tenth; at most 10 (minutes)."
        )
        parser.add_argument("--flush", action="store_true", help="Empty the database first.")
        parser.add_argument("--seed", type=int, default=7, help="Random seed (the same seed, the same data).")

    def handle(self, *args, scale: float, flush: bool, seed: int, **options):
        if not 0 < scale <= MAX_SCALE:
            raise CommandError(f"--scale must be above 0 and at most {MAX_SCALE}.")
        if scale > 5:
            self.stdout.write(f"scale {scale:g}: this takes several minutes.")
        if flush:
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", verbosity=0)  # flush empties the role groups too
        elif Site.objects.exists():
            raise CommandError("The database already has sites: run on an empty database or pass --flush.")
        started = time.perf_counter()
        with transaction.atomic():
            counts = County(scale=scale, seed=seed).build()
        elapsed = time.perf_counter() - started
        # The contracts' turning days of pace, as the quarter-hourly task writes them after a change.
        counts["pace_turns"] = turns_write()
        problems = check_rules()
        if problems:
            raise CommandError("The generated data breaks the rules: " + "; ".join(problems))
        for name, value in counts.items():
            self.stdout.write(f"{name:>18}: {value:,}")
        self.stdout.write(f"scale {scale:g} generated in {elapsed:.1f} s; every capacity rule holds.")
        sizes = table_sizes()
        self.stdout.write("rows: " + ", ".join(f"{t} {n:,}" for t, n in sorted(sizes.items())))
