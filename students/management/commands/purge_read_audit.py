"""Delete read-audit rows past ARTWORX_READ_AUDIT_DAYS (beat runs the same service nightly)."""

from django.core.management.base import BaseCommand

from students.services import record_reads_purge


class Command(BaseCommand):
    help = "Delete read-audit rows (who opened a sensitive record) older than ARTWORX_READ_AUDIT_DAYS."

    def handle(self, *args, **options):
        deleted = record_reads_purge()
        self.stdout.write(f"{deleted} read-audit row(s) deleted.")
