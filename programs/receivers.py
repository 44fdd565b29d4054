"""What programs does when its data changes outside its services (signals)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from artworx.cache import bump_now_and_at_commit
from programs.models import AbsenceThresholds
from programs.selectors import ABSENCE_THRESHOLDS


@receiver(post_save, sender=AbsenceThresholds, dispatch_uid="programs_absence_thresholds_saved")
@receiver(post_delete, sender=AbsenceThresholds, dispatch_uid="programs_absence_thresholds_deleted")
def absence_thresholds_changed(sender, **kwargs) -> None:
    """New thresholds: the kept ones are let go, now and again at commit."""
    bump_now_and_at_commit(ABSENCE_THRESHOLDS)
