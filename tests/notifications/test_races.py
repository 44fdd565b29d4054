"""Two workers delivering the same notification at the same moment send one email (PostgreSQL)."""

import threading
import time

import pytest
from django.core import mail
from django.db import connection

from notifications import services
from notifications.models import Kind, Notification
from notifications.services import notification_deliver, notification_enqueue
from notifications.sweeps import dedupe_key, run_sweeps
from tests.notifications.conftest import at, day_with_days_left


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_sends_one_email_when_workers_deliver_the_same_row_at_once(contract, teacher, monkeypatch):
    notification, _ = notification_enqueue(
        kind=Kind.CONTRACT_DUE_SOON,
        dedupe_key=dedupe_key(Kind.CONTRACT_DUE_SOON, contract, "race", f"user-{teacher.pk}"),
        subject=contract,
        context={"student_name": "Dani", "due_on": contract.due_on, "days_left": 5, "audience": "staff"},
        recipient=teacher,
        by_email=True,
    )
    send = services._send_email

    def slow_send(*args, **kwargs):
        time.sleep(0.2)  # hold the claim while the others try theirs
        send(*args, **kwargs)

    monkeypatch.setattr(services, "_send_email", slow_send)
    workers = 8
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def deliver():
        try:
            barrier.wait()
            results.append(notification_deliver(notification_id=notification.pk))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results) == [False] * (workers - 1) + [True]
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT and notification.attempts == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_write_each_reminder_once(contract, teacher):
    now = at(day_with_days_left(contract, 5))
    workers = 6
    barrier = threading.Barrier(workers)
    errors = []

    def sweep():
        try:
            barrier.wait()
            run_sweeps(now=now)
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Each reminder the sweeps owe the teacher (contract due, and re-engagement since its four weeks
    # earned no credit), written once however many sweeps ran at the same moment.
    kinds = list(Notification.objects.filter(recipient=teacher).values_list("kind", flat=True))
    assert "contract_due_soon" in kinds and len(kinds) == len(set(kinds)), kinds
