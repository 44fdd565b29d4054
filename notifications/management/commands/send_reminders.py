"""Run the reminder sweeps and deliver what is pending, in this process (no Celery, no Redis); with
`--every SECONDS`, again and again on a timer: the embedded default's sweep (`make run`)."""

import logging
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from notifications.services import (
    notifications_deliver_pending,
    notifications_release_stuck,
    stuck_before,
)
from notifications.sweeps import run_sweeps

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Write every reminder that is due and send the pending notifications, without a broker."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-delivery", action="store_true", help="Write the reminders but leave them for the workers."
        )
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, a sweep every SECONDS (the embedded default's timer; Ctrl-C stops it).",
        )

    def handle(self, *args, no_delivery: bool = False, every: int = 0, **options):
        if every <= 0:
            self.sweep_once(no_delivery=no_delivery)
            return
        while True:
            # One failed round (the database locked or briefly away) is logged; the next one catches up,
            # since every sweep asks the database what is due now.
            try:
                self.sweep_once(no_delivery=no_delivery)
            except Exception:
                logger.exception("Reminder sweep failed; trying again in %d seconds.", every)
            finally:
                close_old_connections()
            time.sleep(every)

    def sweep_once(self, *, no_delivery: bool) -> None:
        now = timezone.now()
        for sweep, written in run_sweeps(now=now).items():
            self.stdout.write(f"{sweep}: {written} notification(s) written")
        released = notifications_release_stuck(older_than=stuck_before(now))
        if released:
            self.stdout.write(f"{released} stuck notification(s) put back to pending")
        if no_delivery:
            return
        sent, failed = notifications_deliver_pending()
        self.stdout.write(f"{sent} email(s) sent, {failed} failed (they stay pending for the next run)")
