"""Background work for students: a large roster import off the web process; the read audit purge; the
contracts' turning days of pace."""

from celery import shared_task

from students.pace_turns import turns_write
from students.roster import roster_import_apply
from students.services import record_reads_purge


@shared_task(name="students.tasks.apply_roster_import", acks_late=True)  # pinned: queued messages
def apply_roster_import(roster_import_id: int) -> str:
    """Apply a previewed roster import, all or nothing (idempotent: an applied import is left alone)."""
    return roster_import_apply(roster_import_id=roster_import_id).status


@shared_task(name="students.tasks.purge_read_audit", acks_late=True)  # pinned: the beat schedule names it
def purge_read_audit() -> int:
    """Delete read-audit rows older than ARTWORX_READ_AUDIT_DAYS (nightly; idempotent)."""
    return record_reads_purge()


@shared_task(name="students.tasks.write_pace_turns", acks_late=True)  # pinned: the beat schedule names it
def write_pace_turns() -> int:
    """Write the turning days of the active contracts whose row is missing or stale (quarter-hourly;
    idempotent: a second run writes nothing)."""
    return turns_write()
