"""Background work for retention: the nightly anonymisation of records past the policy."""

from celery import shared_task
from django.utils import timezone

from retention.services.anonymise import retention_run


@shared_task(name="retention.tasks.anonymise_past_retention", acks_late=True)  # pinned: beat names it
def anonymise_past_retention() -> dict:
    """Anonymise the students and referrals past the retention policy (idempotent, resumable)."""
    return retention_run(today=timezone.localdate())
