"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app's tasks.py."""

import logging
import os

from celery import Celery
from celery.beat import PersistentScheduler
from celery.signals import beat_init, celeryd_init
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("artworx")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@celeryd_init.connect
def workers_outlast_broker_outages(sender=None, conf=None, **kwargs) -> None:
    """Let a worker reconnect for as long as Redis is down; web processes give up after a few tries."""
    conf.broker_connection_max_retries = None


@beat_init.connect
def beat_outlasts_broker_outages(sender=None, **kwargs) -> None:
    """Beat waits for Redis to come back instead of exiting ("beat raised exception OperationalError"):
    its producer connects outside the scheduler's own error handling."""
    sender.app.conf.broker_connection_max_retries = None


logger = logging.getLogger(__name__)
# How long beat waits before trying the broker again after a tick failed on it.
BROKER_RETRY_SECONDS = 5.0


class OutageProofScheduler(PersistentScheduler):
    """Beat's scheduler, which logs a broker outage and tries again in a few seconds instead of dying.

    The sweeps are state-based: a tick missed during the outage is done by the next one, which asks the
    database what is due (DESIGN.md "Reminders")."""

    def tick(self, *args, **kwargs):
        try:
            return super().tick(*args, **kwargs)
        except OperationalError as exc:
            logger.warning("Broker unreachable (%s); beat tries again in %.0f s.", exc, BROKER_RETRY_SECONDS)
            return BROKER_RETRY_SECONDS
