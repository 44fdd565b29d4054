"""How students answer what sites tell them (sites.signals); found at start-up by ArtworxConfig.ready."""

from django.dispatch import receiver

from sites.signals import calendar_changed, site_changing
from students.capacity import site_change_check
from students.services import contracts_recompute_due_dates


@receiver(site_changing, dispatch_uid="students_site_changing")
def on_site_changing(sender, *, site, teachers, **kwargs) -> None:
    """A site's capacity or teachers change: refuse what would strand enrolled students."""
    site_change_check(site=site, teachers=teachers)


@receiver(calendar_changed, dispatch_uid="students_calendar_changed")
def on_calendar_changed(sender, *, site_ids: set, reason: str, **kwargs) -> None:
    """Closures changed: move the due dates of the active contracts they affect (rule 5)."""
    # A closure of the whole organisation (site None) moves every site's contracts.
    for site_id in [None] if None in site_ids else sorted(site_ids):
        contracts_recompute_due_dates(site_id=site_id, reason=reason)
