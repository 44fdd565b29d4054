"""PostgreSQL stopped and started again under load: requests fail cleanly, then the same app processes
recover on their own.

The shared database server is never touched: the test makes a throwaway cluster of its own (initdb
in a temporary folder, its own port), puts a migrated database there, and serves the app from it with
gunicorn under production settings (DEBUG off). Threads request a database-backed page without
pause while the cluster is stopped (`pg_ctl stop -m fast`, which cuts every open connection), kept
down until requests have seen the outage, and started again.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.faults.conftest import (
    BIN,
    REPO,
    Browser,
    child_env,
    database_url,
    free_port,
    start_web,
    wait_until,
)

pytestmark = [pytest.mark.postgres]
THREADS = 6
MESSAGE = "The database is unavailable; try again in a moment."


def pg_binary(name: str) -> str:
    """A PostgreSQL server program: on PATH, or in Debian's versioned folder."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)
    assert found, f"{name} is not installed"
    return found


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder, run by the postgres user when we are root."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="artworx-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/artworx"
        # initdb and the server refuse to run as root.
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(self.folder, user="postgres")

    def run(self, *args: str) -> float:
        """Run a server program as the cluster's owner; returns the seconds it took."""
        started = time.monotonic()
        subprocess.run([*self.as_owner, *args], check=True, capture_output=True, timeout=120)  # noqa: S603
        return time.monotonic() - started

    def init(self) -> None:
        self.run(pg_binary("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")

    def start(self) -> float:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c max_connections=40"
        log = str(self.folder / "server.log")
        return self.run(pg_binary("pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "fast") -> float:
        return self.run(pg_binary("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(  # noqa: S603
                [*self.as_owner, pg_binary("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def cluster(transactional_db):
    """A running throwaway cluster with a migrated `artworx` database; stopped and deleted at teardown."""
    cluster = Cluster()
    try:
        cluster.init()
        cluster.start()
        cluster.run(
            pg_binary("createdb"), "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "artworx"
        )
        # The test database is migrated already (and empty: `transactional_db`): copying it with
        # pg_dump and pg_restore, as in the backup procedure, takes a few seconds where running
        # every migration again takes fifteen.
        source = database_url()
        dump = cluster.folder / "migrated.dump"
        subprocess.run(  # noqa: S603
            [pg_binary("pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", source],
            check=True,
            capture_output=True,
            timeout=120,
        )
        subprocess.run(  # noqa: S603
            [pg_binary("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={cluster.url}", str(dump)],
            check=True,
            capture_output=True,
            timeout=120,
        )
        manage(cluster, "migrate", "--noinput", "--check")  # nothing left to apply
        yield cluster
    finally:
        cluster.remove()


def manage(cluster: Cluster, *args: str, **env) -> str:
    """Run a manage.py command against the cluster's database; returns what it printed."""
    done = subprocess.run(  # noqa: S603
        [str(BIN / "python"), "manage.py", *args],
        cwd=REPO,
        env=child_env(**{"DEBUG": "true", "DATABASE_URL": cluster.url, **env}),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


ADMIN_SESSION = """
from django.test import Client
from artworx import roles
from tests.factories import UserFactory
user = UserFactory(username="admin", role=roles.ADMINISTRATOR)
client = Client()
client.force_login(user)
print("SESSION", client.cookies["sessionid"].value)
"""


def pids_of_workers(master: int) -> set[int]:
    """The gunicorn worker processes of a master process."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def test_requests_during_a_database_restart_answer_503_and_the_app_recovers_by_itself(
    cluster, processes, figures
):
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "fault-test-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback; TLS is the proxy's
        "DATABASE_URL": cluster.url,
        "CONN_MAX_AGE": "60",
    }
    out = manage(cluster, "shell", "-c", ADMIN_SESSION, **production)
    session_key = next(line for line in out.splitlines() if line.startswith("SESSION ")).split()[1]
    port = start_web(processes, **production)
    web = processes.running[-1]
    path = "/exports/students.csv"  # a page that reads the session and the students from the database
    status, body, _ = Browser(port, session_key=session_key).get(path)
    assert status == 200, body
    workers_before = pids_of_workers(web.pid)

    results: list[tuple[float, int, str, float]] = []  # (when it ended, status, body, seconds)
    lock = threading.Lock()
    done = threading.Event()

    def load():
        browser = Browser(port, session_key=session_key)
        while not done.is_set():
            try:
                status, body, seconds = browser.get(path, timeout=15)
            except OSError as error:  # no answer at all (a hang ends here after 15 s)
                status, body, seconds = 0, repr(error), 15.0
            with lock:
                results.append((time.monotonic(), status, body, seconds))

    threads = [threading.Thread(target=load) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: sum(1 for r in results if r[1] == 200) >= 50, what="load on the healthy app")
        stop_seconds = cluster.stop("fast")
        stopped_at = time.monotonic()  # from here until the start, no database at all
        wait_until(
            lambda: sum(1 for r in results if r[0] - r[3] > stopped_at and r[1] == 503) >= 20,
            what="requests to meet the stopped database",
        )
        starting_at = time.monotonic()
        start_seconds = cluster.start()
        up_at = time.monotonic()
        settled_at = up_at + 1  # a second's grace after pg_ctl reports the server ready
        wait_until(
            lambda: sum(1 for r in results if r[0] - r[3] > settled_at) >= 50,
            what="50 requests sent after the restart to be answered",
        )
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=30)

    statuses = Counter(status for _, status, _, _ in results)
    # Requests sent and answered while the cluster was stopped.
    during = [r for r in results if r[0] - r[3] > stopped_at and r[0] < starting_at]
    assert len(during) >= 20
    assert set(statuses) <= {200, 503}, statuses  # never a 500, never a request left without an answer
    assert all(status == 503 and MESSAGE in body and "Traceback" not in body for _, status, body, _ in during)
    # After the restart the app answers 200 again, and keeps doing so.
    after = [r for r in results if r[0] - r[3] > settled_at]
    assert len(after) >= 50 and all(status == 200 for _, status, _, _ in after)
    # ... from the same processes: nothing was restarted to get there.
    assert web.poll() is None and pids_of_workers(web.pid) == workers_before
    slowest_503 = max(seconds for _, status, _, seconds in results if status == 503)
    figures.append(
        f"postgres stopped ({stop_seconds:.1f} s) and started ({start_seconds:.1f} s) under {THREADS} "
        f"threads of requests: {statuses[200]} answered 200, {statuses[503]} answered 503 "
        f"(slowest 503 in {slowest_503:.2f} s), none 500 or unanswered; the same gunicorn workers "
        "served 200 again after the restart"
    )
