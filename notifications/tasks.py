"""Celery tasks: a periodic sweep that writes what is due, and one delivery task per notification."""

import logging
from smtplib import SMTPException

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from notifications.selectors import deliveries_to_queue
from notifications.services import (
    notification_deliver,
    notifications_mark_queued,
    notifications_release_stuck,
    stuck_before,
)
from notifications.sweeps import run_sweeps

logger = logging.getLogger(__name__)


# Task names are pinned to the module they were first published from, so messages already queued
# in Redis before a move still find their task.
@shared_task(
    name="artworx.notifications.tasks.deliver_notification",
    acks_late=True,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    # A minute at most between tries, under the requeue delay (REQUEUE_AFTER): a retry chain is over
    # before the sweep would queue the row again. Once the tries are spent the row stays pending and
    # the every-minute requeue sends it later: an outage of hours delays a message, never drops it.
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=3,
)
def deliver_notification(notification_id: int) -> None:
    """Send one notification at most once however often this runs."""
    notification_deliver(notification_id=notification_id)


def deliveries_enqueue(*, notification_ids: list[int]) -> None:
    """Queue a delivery task per id after the transaction commits; a dead broker is logged, not raised."""
    if notification_ids:
        transaction.on_commit(lambda: publish_deliveries(notification_ids))


def publish_deliveries(notification_ids: list[int]) -> int:
    """Hand delivery tasks to the broker now; returns how many went. Rows left out stay pending."""
    published: list[int] = []
    for notification_id in notification_ids:
        try:
            deliver_notification.apply_async((notification_id,))
        except Exception as exc:  # whatever the broker raises: the rows stay pending for the next sweep
            logger.warning(
                "Broker unreachable (%s): %d delivery task(s) left for the next sweep.",
                exc.__class__.__name__,
                len(notification_ids) - len(published),
            )
            break
        published.append(notification_id)
    if published:
        notifications_mark_queued(notification_ids=published)
    return len(published)


@shared_task(name="artworx.notifications.tasks.sweep_reminders", acks_late=True)
def sweep_reminders() -> dict[str, int]:
    """Write every reminder that is due, take back stuck deliveries, and queue the pending ones."""
    now = timezone.now()
    written = run_sweeps(now=now)
    released = notifications_release_stuck(older_than=stuck_before(now))
    pending = deliveries_to_queue(now=now)
    deliveries_enqueue(notification_ids=pending)
    logger.info("Reminder sweep: written %s, released %d, queued up to %d.", written, released, len(pending))
    return {**written, "released": released, "pending": len(pending)}


@shared_task(name="notifications.tasks.requeue_deliveries", acks_late=True)
def requeue_deliveries() -> dict[str, int]:
    """Take back deliveries of dead workers and queue again those the broker lost; two indexed queries."""
    now = timezone.now()
    released = notifications_release_stuck(older_than=stuck_before(now))
    pending = deliveries_to_queue(now=now)
    deliveries_enqueue(notification_ids=pending)
    return {"released": released, "pending": len(pending)}
