"""Background work for retention: the nightly anonymisation of records past the policy."""

from celery import shared_task
from django.utils import timezone

from retention.services.nightly import retention_run
from retention.services.releases import release_carry_out


@shared_task(name="retention.tasks.anonymise_past_retention", acks_late=True)  # pinned: beat names it
def anonymise_past_retention() -> dict:
    """Anonymise the students and referrals past the retention policy (idempotent, resumable)."""
    return retention_run(today=timezone.localdate())


@shared_task(name="retention.tasks.carry_out_release", acks_late=True)
def carry_out_release(release_id: int) -> str:
    """Export and anonymise a district release confirmed by two administrators (idempotent)."""
    return release_carry_out(release_id=release_id).status
