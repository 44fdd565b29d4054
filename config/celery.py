"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app's tasks.py."""

import os

from celery import Celery
from celery.signals import celeryd_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("artworx")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@celeryd_init.connect
def workers_outlast_broker_outages(sender=None, conf=None, **kwargs) -> None:
    """Let a worker reconnect for as long as Redis is down; web processes give up after a few tries."""
    conf.broker_connection_max_retries = None
