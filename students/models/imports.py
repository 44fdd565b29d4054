"""Roster imports: a district file previewed row by row, then applied all or nothing."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from artworx.models import TimeStampedModel


class RosterImport(TimeStampedModel):
    """A district roster file: previewed row by row, then applied all or nothing."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Previewed")
        QUEUED = "queued", _("Queued")
        APPLYING = "applying", _("Saving")
        APPLIED = "applied", _("Saved")
        FAILED = "failed", _("Failed: nothing was saved")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    filename = models.CharField(_("file"), max_length=200)
    # The file's rows as read (header → text), and the preview's verdict for each.
    rows = models.JSONField(_("rows"), default=list)
    results = models.JSONField(_("preview"), default=list)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    applied = models.PositiveIntegerField(_("rows saved"), default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    def count(self, action: str) -> int:
        return sum(1 for result in self.results if result["action"] == action)
