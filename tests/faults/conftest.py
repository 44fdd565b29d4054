"""Fault-test helpers: free ports, polling, child processes cleaned up on failure, and the run's figures."""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection

from tests.clock import child_clock

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter):
    """Print the figures the fault tests measured, for SECURITY.md ("Faults and backups")."""
    if FIGURES:
        terminalreporter.section("fault test figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def figures():
    """A list to append one line per figure measured; printed in the test summary."""
    return FIGURES


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, seconds: float = 60, every: float = 0.1, what: str = "the condition", seen=None):
    """Poll until `condition()` returns something true and return it; fail after `seconds`, with what
    `seen()` tells of the processes involved (their logs) in the failure's message."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            told = f"\n{seen()}" if seen else ""
            pytest.fail(f"{what} did not happen within {seconds} s{told}")
        time.sleep(every)


def logs_of(*processes: subprocess.Popen):
    """For `wait_until(seen=...)`: what the child processes logged, each under its log's name."""
    return lambda: "\n".join(
        f"--- {process.log_path.name}:\n{process.log_path.read_text(errors='replace')}"
        for process in processes
    )


def port_answers(port: int) -> bool:
    """Whether something accepts TCP connections on the loopback port."""
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Processes:
    """Child processes started by a test, each in its own process group, all stopped at teardown."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, args: list[str], *, env: dict | None = None) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(  # noqa: S603 - our own binaries, fixed arguments
            args, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        process.log = log
        process.log_path = self.logs / f"{name}.log"
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        """Send a signal to the process and every child of it (its process group), and reap it."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop(self, process: subprocess.Popen) -> None:
        """Ask politely (SIGTERM), then kill."""
        if process.poll() is None:
            self.kill(process, signal.SIGTERM)
        else:  # the group may still hold children of a leader that exited
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.log.close()

    def stop_all(self) -> None:
        for process in reversed(self.running):
            self.stop(process)


@pytest.fixture
def processes(tmp_path):
    """Start child processes that are stopped at teardown, even when the test fails."""
    logs = tmp_path / "logs"
    logs.mkdir()
    started = Processes(logs)
    yield started
    started.stop_all()


def database_url() -> str:
    """The URL of the database this test runs on (pytest-django's test database), for a child process."""
    settings = connection.settings_dict
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    return (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def child_env(**overrides) -> dict:
    """The environment for a child process of the app: ours, without the CI test knobs, on the test's
    clock (tests/clock.py), plus overrides."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.update(child_clock())
    env.update({key: str(value) for key, value in overrides.items()})
    return env


@pytest.fixture
def redis_server(processes, tmp_path):
    """A throwaway Redis of this test only, on a free port: `redis_server.stop()` / `.start()`."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is not installed"

    class Server:
        port = free_port()
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            self.process = processes.start(
                f"redis-{self.port}",
                [
                    binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                    "--dir",
                    str(tmp_path),
                ],
            )
            wait_until(lambda: port_answers(self.port), seconds=30, what="redis-server to listen")

        def stop(self):
            processes.kill(self.process)
            wait_until(lambda: not port_answers(self.port), seconds=30, what="redis-server to stop")

    server = Server()
    server.start()
    return server


class Browser:
    """A plain HTTP client for an app running in another process: a session cookie, CSRF, timings."""

    def __init__(self, port: int, *, session_key: str = ""):
        self.port = port
        self.cookies = {"sessionid": session_key} if session_key else {}

    def request(self, method: str, path: str, data: dict | None = None, *, timeout: float = 60):
        """Send one request; returns (status, body text, seconds taken). Redirects are not followed."""
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        started = time.monotonic()
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            client.request(method, path, body=body, headers=headers)
            response = client.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            client.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, text, time.monotonic() - started

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, **kwargs):
        return self.request("POST", path, data, **kwargs)


def session_for(user) -> str:
    """A logged-in session of the user in the test database, as another process will read it."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def start_web(processes: "Processes", *, name: str = "web", threads: int = 0, **env) -> int:
    """Serve the app with gunicorn (two workers, sync or with `threads` each) in a child process; its port."""
    port = free_port()
    pool = ["--worker-class", "gthread", "--threads", str(threads)] if threads else []
    processes.start(
        name,
        [
            str(BIN / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            *pool,
        ],
        env=child_env(**env),
    )
    wait_until(lambda: port_answers(port), seconds=60, what="gunicorn to listen")
    return port


def start_worker(processes: "Processes", *, name: str = "worker", concurrency: int = 2, **env):
    """A real Celery worker (prefork) in a child process; returns it once it is ready for tasks."""
    worker = processes.start(
        name,
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "-n",
            f"{name}-{uuid.uuid4().hex[:8]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=child_env(**env),
    )
    wait_until(
        lambda: worker.poll() is not None or b" ready." in worker.log_path.read_bytes(),
        seconds=90,
        what=f"the Celery worker {name} to be ready",
    )
    assert worker.poll() is None, worker.log_path.read_text()
    return worker
