"""Celery wiring: the sweep task, delivery tasks, a dead broker, a dead worker, and a real worker on Redis."""

import time
from datetime import timedelta

import pytest
from celery.beat import PersistentScheduler
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.celery import BROKER_RETRY_SECONDS, OutageProofScheduler
from config.celery import app as project_app
from notifications import services
from notifications.models import Kind, Notification
from notifications.services import notification_deliver
from notifications.tasks import deliver_notification, requeue_deliveries, sweep_reminders
from programs.models import Attendance, Participation, Session
from sites.models import Site
from tests.agreements import open_signed_contract
from tests.factories import CohortFactory, EnrollmentFactory

EXPIRED = Kind.CONTRACT_EXPIRED
DIGEST = Kind.DIGEST
DEAD_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there


@pytest.fixture
def overdue_contract(student, teacher):
    """A contract of `student` whose due date passed yesterday or earlier, with a course unfinished."""
    today = timezone.localdate()
    start = today - timedelta(days=30)
    student.enrollments.update(started_on=start - timedelta(days=1))
    courses = [{"subject_area": "english", "title": "English 11A", "credits": 5}]
    return open_signed_contract(student=student, started_on=start, courses=courses, length_days=10)


@pytest.fixture
def published(monkeypatch):
    """The delivery tasks handed to the broker, as (args, kwargs), without a broker."""
    sent = []
    monkeypatch.setattr(
        deliver_notification,
        "apply_async",
        lambda args=None, kwargs=None, **options: sent.append((args, kwargs)),
    )
    return sent


def test_the_beat_schedule_runs_the_sweep_every_15_minutes():
    entry = project_app.conf.beat_schedule["sweep-reminders"]
    assert entry["task"] == sweep_reminders.name
    assert sweep_reminders.name in project_app.tasks
    assert entry["schedule"].minute == {0, 15, 30, 45}
    assert project_app.conf.broker_transport_options["socket_timeout"] == 5
    assert project_app.conf.task_acks_late and project_app.conf.task_reject_on_worker_lost


@pytest.mark.django_db
def test_the_sweep_queues_each_pending_email_once_with_only_its_id(
    overdue_contract, teacher, digest_due, published, django_capture_on_commit_callbacks
):
    digest_due(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        result = sweep_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_reminders()
    notification = Notification.objects.get(kind=DIGEST)
    assert result["contracts_expired"] == 1
    assert published == [((notification.pk,), None)]
    assert notification.queued_at is not None


@pytest.mark.django_db
def test_the_sweep_queues_again_a_delivery_the_broker_lost(
    overdue_contract, teacher, digest_due, published, django_capture_on_commit_callbacks
):
    digest_due(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_reminders()
    Notification.objects.update(queued_at=timezone.now() - timedelta(minutes=30))
    with django_capture_on_commit_callbacks(execute=True):
        sweep_reminders()
    assert len(published) == 2


@pytest.mark.django_db
def test_the_delivery_task_run_twice_sends_one_email(overdue_contract, teacher, digest_due):
    digest_due(teacher)
    call_command("send_reminders", "--no-delivery")
    notification = Notification.objects.get(kind=DIGEST)
    deliver_notification(notification.pk)
    deliver_notification(notification.pk)
    assert len(mail.outbox) == 1
    assert deliver_notification.acks_late


@pytest.mark.django_db
def test_a_worker_that_dies_mid_send_leaves_a_row_the_sweep_sends_once(
    overdue_contract, teacher, digest_due, monkeypatch
):
    digest_due(teacher)
    call_command("send_reminders", "--no-delivery")
    notification = Notification.objects.get(kind=DIGEST)

    class WorkerKilled(BaseException):
        """What a SIGKILL looks like from inside: nothing after it runs."""

    def die(*args, **kwargs):
        raise WorkerKilled

    monkeypatch.setattr(services, "_send_email", die)
    with pytest.raises(WorkerKilled):
        notification_deliver(notification_id=notification.pk)
    monkeypatch.undo()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENDING
    call_command("send_reminders")  # too soon: a slow worker may still be sending it
    assert mail.outbox == []
    Notification.objects.update(claimed_at=timezone.now() - timedelta(minutes=16))
    call_command("send_reminders")
    call_command("send_reminders")
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT and notification.attempts == 2


@pytest.mark.django_db
@pytest.mark.celery(broker_url=DEAD_BROKER)
def test_with_the_broker_down_pages_still_save_and_reminders_go_out_after_recovery(
    celery_app,
    depends_on_current_app,
    overdue_contract,
    teacher,
    digest_due,
    as_role,
    caplog,
    django_capture_on_commit_callbacks,
):
    assert deliver_notification.app is celery_app  # the tasks publish to the dead broker
    digest_due(teacher)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_reminders()
    assert time.monotonic() - started < 10
    assert "Broker unreachable" in caplog.text
    notification = Notification.objects.get(recipient=teacher, kind=DIGEST)
    assert notification.status == Notification.Status.PENDING and notification.queued_at is None
    assert mail.outbox == []

    # A page that writes does not touch the broker at all.
    started = time.monotonic()
    response = as_role("staff").post(
        reverse("notifications:preferences"), {"digest_enabled": "on", "digest_hour": "6"}
    )
    assert time.monotonic() - started < 10
    assert response.status_code == 302

    # Recovery: the next sweep (here in-process) finds the pending row and sends it, once.
    call_command("send_reminders")
    call_command("send_reminders")
    assert [m.to for m in mail.outbox] == [[teacher.email]]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_sweeps_and_delivers_each_reminder_once(
    celery_app, celery_worker, overdue_contract, teacher, users, digest_due
):
    digest_due(teacher, users["staff"])
    Site.objects.update(lead=users["staff"])
    assert sweep_reminders.delay().get(timeout=30)["contracts_expired"] == 2
    wait_until(lambda: len(mail.outbox) >= 2 and not Notification.objects.exclude(status="sent").exists())
    assert sorted(m.to[0] for m in mail.outbox) == sorted([teacher.email, users["staff"].email])
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    # Another sweep through the worker writes nothing, and queues nothing to send again.
    assert sweep_reminders.delay().get(timeout=30) == {
        "contracts_expired": 0,
        "contracts_due_soon": 0,
        "attendance_not_logged": 0,
        "absences": 0,
        "alumni_check_ins_due": 0,
        "seats_open": 0,
        "referrals_waiting": 0,
        "missed_work_reviews": 0,
        "reengagement": 0,
        "family_notices": 0,
        "closed": 0,
        "digests": 0,
        "released": 0,
        "pending": 0,
    }
    assert len(mail.outbox) == 2


def wait_until(condition, seconds: float = 30) -> None:
    """Poll a condition the worker thread makes true, failing after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.1)


@pytest.mark.django_db
@pytest.mark.celery(broker_url=DEAD_BROKER)
def test_with_the_broker_down_an_artist_still_saves_attendance_and_the_reminder_waits(
    celery_app,
    depends_on_current_app,
    users,
    site,
    teacher,
    wants_email,
    as_role,
    django_capture_on_commit_callbacks,
):
    artist = users["teaching_artist"]
    wants_email(artist, Kind.ATTENDANCE_NOT_LOGGED)
    cohort = CohortFactory(site=site, teaching_artists=[artist])
    participation = Participation.objects.create(
        cohort=cohort,
        student=EnrollmentFactory(site=site, teacher=teacher).student,
        joined_on=cohort.term_starts_on,
    )
    started_at = timezone.localtime() - timedelta(hours=4)  # an hour-long session that ended 3 hours ago
    session = Session.objects.create(
        cohort=cohort, date=started_at.date(), starts_at=started_at.time(), duration_minutes=60
    )

    with django_capture_on_commit_callbacks(execute=True):
        sweep_reminders()  # writes the reminder; queueing its email fails quickly and is logged
    reminder = Notification.objects.get(recipient=artist, kind=Kind.ATTENDANCE_NOT_LOGGED)
    assert reminder.status == Notification.Status.PENDING

    started = time.monotonic()
    response = as_role("teaching_artist").post(
        reverse("programs:session_log", args=[session.pk]),
        {f"mark-{participation.pk}": "P", "topic": "Light"},
    )
    assert time.monotonic() - started < 10
    assert response.status_code == 302
    assert Attendance.objects.filter(session=session, mark="P").count() == 1

    # Recovery: the roll was logged meanwhile, so its item closed and no "please log" email goes out.
    call_command("send_reminders")
    call_command("send_reminders")
    reminder.refresh_from_db()
    assert reminder.closed_at is not None and reminder.status == Notification.Status.SENT
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_row_released_from_a_dead_worker_is_queued_again_by_the_same_sweep(
    overdue_contract, teacher, digest_due, published, django_capture_on_commit_callbacks, settings
):
    digest_due(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_reminders()
    notification = Notification.objects.get(kind=DIGEST)
    # A worker claimed it a minute ago and died; the claim timeout here is 30 seconds.
    settings.ARTWORX_NOTIFICATION_STUCK_SECONDS = 30
    Notification.objects.filter(kind=DIGEST).update(
        status="sending", claimed_at=timezone.now() - timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_reminders()["released"] == 1
    assert published == [((notification.pk,), None)] * 2


def test_beat_ticks_again_after_a_broker_outage_instead_of_exiting(monkeypatch):
    def broker_down(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(PersistentScheduler, "tick", broker_down)
    scheduler = OutageProofScheduler.__new__(OutageProofScheduler)  # no schedule file needed to tick
    assert scheduler.tick() == BROKER_RETRY_SECONDS
    assert project_app.conf.beat_scheduler == "config.celery:OutageProofScheduler"


@pytest.mark.django_db
def test_stuck_and_lost_deliveries_are_queued_again_every_minute(
    overdue_contract, teacher, published, django_capture_on_commit_callbacks
):
    entry = project_app.conf.beat_schedule["requeue-deliveries"]
    assert entry["task"] == requeue_deliveries.name and entry["schedule"] == 60.0
    notification, _ = services.notification_enqueue(
        kind=EXPIRED,
        dedupe_key="lost-in-redis",
        subject=overdue_contract,
        context={"student_name": "Dani", "due_on": timezone.localdate(), "audience": "staff"},
        recipient=teacher,
        by_email=True,
    )
    # Queued three minutes ago in a Redis that was restarted empty since.
    Notification.objects.update(queued_at=timezone.now() - timedelta(minutes=3))
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_deliveries()["pending"] == 1
    assert published == [((notification.pk,), None)]
