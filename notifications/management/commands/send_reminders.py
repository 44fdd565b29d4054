"""Run the reminder sweeps and deliver what is pending, in this process (no Celery, no Redis)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from notifications.services import (
    notifications_deliver_pending,
    notifications_release_stuck,
    stuck_before,
)
from notifications.sweeps import run_sweeps


class Command(BaseCommand):
    help = "Write every reminder that is due and send the pending notifications, without a broker."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-delivery", action="store_true", help="Write the reminders but leave them for the workers."
        )

    def handle(self, *args, no_delivery: bool = False, **options):
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
