"""What reports does when its data changes outside its services (signals)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from artworx.cache import bump_now_and_at_commit
from reports.models import TARGETS, Target


@receiver(post_save, sender=Target, dispatch_uid="reports_target_saved")
@receiver(post_delete, sender=Target, dispatch_uid="reports_target_deleted")
def target_changed(sender, **kwargs) -> None:
    """A target saved or deleted (the admin console): the kept targets are let go, now and at commit."""
    bump_now_and_at_commit(TARGETS)
