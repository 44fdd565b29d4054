"""Fixtures for reminders: contracts at a chosen number of instructional days before their due date."""

import uuid
from datetime import date, datetime, time, timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from notifications.items import item_text
from notifications.models import DigestSchedule
from notifications.services import notification_preferences_save
from sites.calendar import calendars_for_sites
from tests.conftest import redis_answers

ONE_DAY = timedelta(days=1)


@pytest.fixture(scope="session")
def celery_config():
    """The project's own Celery settings, on a queue of this test run's own (never another's messages)."""
    config = {
        name.removeprefix("CELERY_").lower(): getattr(settings, name)
        for name in dir(settings)
        if name.startswith("CELERY_")
    }
    config.pop("beat_schedule", None)
    queue = f"artworx-test-{uuid.uuid4().hex[:12]}"
    yield {
        **config,
        "task_default_queue": queue,
        # The embedded worker's start-up ping reads its answer from an in-process result store.
        "result_backend": "cache+memory://",
        "task_ignore_result": False,
        "worker_hijack_root_logger": False,
    }
    if redis_answers():  # leave no queue of ours behind in a Redis others use
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)


@pytest.fixture(scope="session")
def celery_includes():
    return ("notifications.tasks",)


def read(notification) -> tuple[str, str]:
    """An item's title and body as its recipient reads them: a signed-in user's item is rendered when read."""
    return item_text(notification, language=notification.language)


def at(day: date, hour: int = 9) -> datetime:
    """A moment on a day in Los Angeles."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


def day_with_days_left(contract, days_left: int) -> date:
    """The latest instructional day on which `days_left` instructional days remain after today."""
    calendar = calendars_for_sites([contract.site_id])[contract.site_id]
    day = contract.due_on
    while not (
        calendar.is_instructional(day) and calendar.count(day + ONE_DAY, contract.due_on) == days_left
    ):
        day -= ONE_DAY
    return day


@pytest.fixture
def contract(student, open_contract):
    """An active contract of `student` (teacher: `teacher`), due 80 instructional days after 2026-09-14."""
    return open_contract(student, date(2026, 9, 14))


@pytest.fixture
def when(contract):
    """`when(days_left)`: a morning on which the contract has that many instructional days left."""
    return lambda days_left, c=None: at(day_with_days_left(c or contract, days_left))


@pytest.fixture
def wants_email():
    """`wants_email(user, *kinds)`: the user asks for these kinds by email too."""
    return lambda user, *kinds: notification_preferences_save(user=user, email_kinds=set(kinds))


@pytest.fixture
def digest_due():
    """`digest_due(*users)`: their digest hour is midnight, so a sweep at any moment of the day sends it."""
    return lambda *users: [DigestSchedule.objects.create(user=user, hour=0) for user in users]
