"""A base for benchmark commands: build data, measure, and leave nothing behind."""

import time
from collections.abc import Callable

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext


class Rollback(Exception):
    """Raised to undo the benchmark's data."""


class RolledBackBenchmark(BaseCommand):
    """Runs `run(**options)` inside a transaction that is always rolled back."""

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                self.run(**options)
                raise Rollback
        except Rollback:
            pass

    def run(self, **options) -> None:
        raise NotImplementedError

    def measure(self, label: str, action: Callable, *, show_result: bool = False) -> None:
        """Time one action and count its queries; print both (and its result when asked)."""
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = action()
            elapsed = time.perf_counter() - started
        line = f"{label}: {elapsed * 1000:.0f} ms, {len(queries.captured_queries)} queries"
        self.stdout.write(f"{line}, written {result}" if show_result else line)
