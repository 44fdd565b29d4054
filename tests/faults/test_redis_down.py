"""Redis stopped while staff work: pages and attendance saves go on, the outbox keeps what is due,
and a real worker sends each reminder once after Redis is back.

Everything runs as it does in production, in child processes: gunicorn serving the app, a Celery
worker (prefork), and the sweep in a process of its own, all on this test's database and on a
throwaway redis-server of this test (killed with SIGKILL, so whatever it held is lost, then started
again empty on the same port). Emails are files written by tests.faults.mailbox, counted here.
"""

import json
import subprocess
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config.celery import app as project_app
from notifications.models import DigestSchedule, Kind, Notification
from notifications.tasks import sweep_reminders
from programs.models import Attendance, Participation, Session
from sites.models import Site
from students.models import Enrollment, RosterImport, Student
from students.roster import roster_import_create
from tests.agreements import open_signed_contract
from tests.factories import CohortFactory, EnrollmentFactory
from tests.faults.conftest import (
    BIN,
    REPO,
    Browser,
    child_env,
    database_url,
    logs_of,
    session_for,
    start_web,
    start_worker,
    wait_until,
)
from tests.faults.mailbox import delivered

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
EXPIRED = Kind.CONTRACT_EXPIRED
CONTRACTS = 4


def overdue_contracts(site, teacher, count: int) -> None:
    """`count` students of the teacher whose contracts passed their due date with a course unfinished."""
    start = timezone.localdate() - timedelta(days=30)
    for _ in range(count):
        student = EnrollmentFactory(site=site, teacher=teacher, started_on=start - timedelta(days=1)).student
        courses = [{"subject_area": "english", "title": "English 11A", "credits": 5}]
        open_signed_contract(student=student, started_on=start, courses=courses, length_days=10)


def roster_preview(site, teacher, staff, district_id: str) -> RosterImport:
    """A clean one-row roster import preview, ready for "Save"."""
    content = (
        "district_id,first_name,last_name,date_of_birth,grade,site,teacher,started_on\n"
        f"{district_id},Rosa,Import,2009-04-01,11,{site.name},{teacher.username},{timezone.localdate()}\n"
    ).encode()
    roster_import = roster_import_create(name="roster.csv", content=content, by=staff)
    assert roster_import.count("new") == 1
    return roster_import


def run_sweep(env: dict) -> tuple[dict, str]:
    """Run the reminder sweep task's body in a process of its own, as a worker would; (result, log)."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and command
        [
            str(BIN / "python"),
            "manage.py",
            "shell",
            "-c",
            "import json; from notifications.tasks import sweep_reminders; "
            "print('RESULT', json.dumps(sweep_reminders()))",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT ")), done.stdout + done.stderr


def publish_sweep(url: str) -> None:
    """Hand one sweep task to the broker at `url` (what beat does every quarter hour)."""
    with project_app.connection_for_write(url) as connection:
        sweep_reminders.apply_async(connection=connection)


def test_with_redis_stopped_staff_work_on_and_each_reminder_goes_out_once_after(
    redis_server, processes, tmp_path, site, teacher, users, figures
):
    staff, artist = users["staff"], users["teaching_artist"]
    # The teacher and the site's lead read their items in one digest a day; its hour has come (midnight)
    # whatever the moment the suite runs at: Redis is down during the digest hour.
    Site.objects.filter(pk=site.pk).update(lead=staff)
    for user in (teacher, staff):
        DigestSchedule.objects.create(user=user, hour=0)
    overdue_contracts(site, teacher, CONTRACTS)
    cohort = CohortFactory(site=site, teaching_artists=[artist])
    participation = Participation.objects.create(
        cohort=cohort,
        student=Enrollment.objects.filter(site=site).first().student,
        joined_on=cohort.term_starts_on,
    )
    started_at = timezone.localtime() - timedelta(hours=4)
    session = Session.objects.create(
        cohort=cohort, date=started_at.date(), starts_at=started_at.time(), duration_minutes=60
    )
    before_outage = roster_preview(site, teacher, staff, "7000001")
    during_outage = roster_preview(site, teacher, staff, "7000002")

    maildir = tmp_path / "mail"
    maildir.mkdir()
    env = {
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_server.url,
        "ARTWORX_RUN_TASKS_INLINE": "false",
        "EMAIL_BACKEND": "tests.faults.mailbox.EmailBackend",
        "ARTWORX_TEST_MAILDIR": maildir,
    }
    worker = start_worker(processes, **env)
    port = start_web(processes, **env)
    as_staff = Browser(port, session_key=session_for(staff))
    as_artist = Browser(port, session_key=session_for(artist))

    # Redis up: saving a roster goes through the broker to the worker (so the web processes hold
    # live connections to Redis when it dies).
    as_staff.get(reverse("students:roster_import_detail", args=[before_outage.pk]))
    status, _, _ = as_staff.post(reverse("students:roster_import_confirm", args=[before_outage.pk]), {})
    assert status == 302
    wait_until(
        lambda: RosterImport.objects.get(pk=before_outage.pk).status == RosterImport.Status.APPLIED,
        what="the worker to save the roster",
    )

    redis_server.stop()

    timings = {}
    pages = ("home", "students:list", "dashboard:dashboard", "notifications:list")
    for path in map(reverse, pages):
        status, _, timings[f"GET {path}"] = as_staff.get(path)
        assert status == 200, path
    as_artist.get(reverse("programs:session_log", args=[session.pk]))
    status, _, timings["attendance save"] = as_artist.post(
        reverse("programs:session_log", args=[session.pk]),
        {f"mark-{participation.pk}": "P", "topic": "Light"},
    )
    assert status == 302
    assert Attendance.objects.filter(session=session, mark="P").count() == 1
    # The one page that hands work to the broker: the roster is saved in the request instead.
    status, _, timings["roster save (broker down)"] = as_staff.post(
        reverse("students:roster_import_confirm", args=[during_outage.pk]), {}
    )
    assert status == 302
    assert RosterImport.objects.get(pk=during_outage.pk).status == RosterImport.Status.APPLIED
    assert Student.objects.filter(district_id="7000002").exists()

    # A sweep during the outage writes what is due and each person's digest; queueing the emails fails
    # fast, is logged, and the rows stay pending in the database.
    result, log = run_sweep(child_env(**env))
    assert result["contracts_expired"] == 2 * CONTRACTS  # the teacher and the site's lead, each
    assert result["digests"] == 2
    assert "Broker unreachable" in log
    emails = Notification.objects.filter(by_email=True)
    assert emails.count() == 2
    assert set(emails.values_list("status", flat=True)) == {Notification.Status.PENDING}
    assert not emails.filter(queued_at__isnull=False).exists()
    assert delivered(maildir) == []

    def worker_log() -> str:
        return worker.log_path.read_text()

    def seen() -> str:
        states = list(emails.values_list("status", "attempts", "queued_at"))
        return f"emails (status, attempts, queued at): {states}\n{logs_of(worker)()}"

    connections = worker_log().count("Connected to redis")
    redis_server.start()  # empty: whatever was queued in the old one is gone
    recovered_at = timezone.now()
    # Each step waits on the event it needs and, past its deadline, shows what the worker logged.
    wait_until(
        lambda: worker_log().count("Connected to redis") > connections,
        seconds=120,
        what="the worker to reconnect to Redis",
        seen=seen,
    )
    reconnected = (timezone.now() - recovered_at).total_seconds()
    publish_sweep(redis_server.url)
    sweeps_run = lambda: worker_log().count("Reminder sweep:")  # noqa: E731
    wait_until(lambda: sweeps_run() >= 1, seconds=120, what="the worker to run the sweep", seen=seen)
    wait_until(
        lambda: len(delivered(maildir)) >= 2 and not emails.exclude(status=Notification.Status.SENT).exists(),
        seconds=120,
        what="the worker to send every reminder after Redis came back",
        seen=seen,
    )
    recovery = (timezone.now() - recovered_at).total_seconds()
    publish_sweep(redis_server.url)  # a second sweep finds nothing more to send
    wait_until(lambda: sweeps_run() >= 2, seconds=120, what="the second sweep to run", seen=seen)
    sent = Counter(delivered(maildir))
    assert sent == {teacher.email: 1, staff.email: 1}  # one digest each, the same day, once
    assert emails.filter(status=Notification.Status.SENT).count() == 2

    figures.append(
        "redis stopped: "
        + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in timings.items())
        + f"; sweep process during the outage left {emails.count()} emails pending"
        + f"; after Redis returned the worker reconnected in {reconnected:.1f} s and sent all"
        + f" {sum(sent.values())} in {recovery:.1f} s, each once"
    )
