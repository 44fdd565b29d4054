"""Run many requests at once against PostgreSQL, within a bounded number of connections; or two
transactions one inside the other (`interleave`)."""

import threading
import time
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction

# The PostgreSQL server here and in CI allows 100 connections, shared with other clients: a race
# holds at most this many of them.
DEFAULT_CONNECTIONS = 40


@dataclass(frozen=True)
class RaceResult:
    """How a race ended: the outcome of each request counted, and how much of it ran at once."""

    outcomes: dict[str, int]
    messages: dict[str, str]  # what a person was told, one example per refusal code
    requests: int
    connections: int  # the most connections the race may hold at once
    peak: int  # the most requests inside the database at the same moment
    seconds: float


def race_measured(jobs, *, connections: int | None = None) -> RaceResult:
    """Release every job at once behind one barrier; at most `connections` (40) hold a connection.

    Each job runs in its own thread with its own connection, closed as soon as the job ends. A job
    that finds every connection taken waits for one, as a request waits for a free worker of the
    server: the database never sees more than `connections` clients from the race.
    """
    limit = min(len(jobs), connections or DEFAULT_CONNECTIONS)
    barrier = threading.Barrier(len(jobs))
    slots = threading.BoundedSemaphore(limit)
    lock = threading.Lock()
    outcomes: Counter[str] = Counter()
    messages: dict[str, str] = {}
    inside = peak = 0

    def run(job):
        nonlocal inside, peak
        try:
            barrier.wait()
            with slots:
                with lock:
                    inside += 1
                    peak = max(peak, inside)
                try:
                    job()
                    outcome = "ok"
                finally:
                    connection.close()
                    with lock:
                        inside -= 1
        except ValidationError as error:
            outcome = error.code or "invalid"
            messages.setdefault(outcome, " ".join(error.messages))
        except Exception as error:
            outcome = f"error: {error!r}"
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return RaceResult(
        outcomes=dict(outcomes),
        messages=messages,
        requests=len(jobs),
        connections=limit,
        peak=peak,
        seconds=round(time.monotonic() - started, 2),
    )


def race(jobs, *, connections: int | None = None) -> dict[str, int]:
    """Run the callables at once behind a barrier; count successes and refusal codes."""
    return race_measured(jobs, connections=connections).outcomes


def waiting_on_a_lock(done: threading.Event) -> None:
    """Until another transaction waits on a lock this one holds, or has finished without waiting."""
    with connection.cursor() as cursor:
        for _ in range(600):
            cursor.execute(  # on this transaction: other workers' tests share the server
                "SELECT count(*) FROM pg_locks "
                "WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            )
            if cursor.fetchone()[0] or done.is_set():
                return
            done.wait(0.05)
    raise AssertionError("the other transaction neither waited nor finished")


def interleave(first, second) -> None:
    """`first` writes and holds its transaction open while `second` writes and commits, then commits."""
    written, done, failures = threading.Event(), threading.Event(), []

    def hold():
        try:
            with transaction.atomic():
                first()
                written.set()
                waiting_on_a_lock(done)
        except Exception as error:  # reported below
            failures.append(error)
            written.set()
        finally:
            connection.close()

    def follow():
        written.wait(30)
        try:
            second()
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            done.set()
            connection.close()

    threads = [threading.Thread(target=hold), threading.Thread(target=follow)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
