"""Anonymise the records past the retention policy, or (--dry-run) list what would change."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from retention.services.anonymise import BATCH_SIZE
from retention.services.nightly import retention_run


class Command(BaseCommand):
    help = (
        "Anonymise students and referrals past the retention policy (the nightly task's run). "
        "--dry-run lists what would change, by kind and count, and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help="Students per transaction.")

    def handle(self, *args, dry_run: bool, batch_size: int, **options):
        result = retention_run(today=timezone.localdate(), dry_run=dry_run, batch_size=batch_size)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. Would anonymise:")
        for kind, count in result.items():
            self.stdout.write(f"  {kind}: {count}")
