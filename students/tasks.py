"""Background work for students: applying a large roster import off the web process."""

from celery import shared_task

from students.roster import roster_import_apply


@shared_task(name="students.tasks.apply_roster_import", acks_late=True)  # pinned: queued messages
def apply_roster_import(roster_import_id: int) -> str:
    """Apply a previewed roster import, all or nothing (idempotent: an applied import is left alone)."""
    return roster_import_apply(roster_import_id=roster_import_id).status
