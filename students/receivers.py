"""How students answer what sites (sites.signals) and the outbox (notifications.signals) tell them;
found at start-up by ArtworxConfig.ready."""

from django.dispatch import receiver

from notifications.signals import delivery_refused
from sites.signals import calendar_changed, site_changing
from students.capacity import site_change_check
from students.models import Guardian
from students.services import contracts_recompute_due_dates, guardian_address_refused, student_address_refused


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


@receiver(delivery_refused, dispatch_uid="students_delivery_refused")
def on_delivery_refused(sender, *, notification, channel: str, address: str, **kwargs) -> None:
    """An email or text to a guardian or a student refused for good: the person responsible is told to
    fix it. The dedupe key names them: a reminder's ends with them ("…:guardian-12", "…:student-7"),
    a family message's is about the guardian ("family_text:students.guardian:12:…")."""
    _kind, label, subject_pk, _rest = notification.dedupe_key.split(":", 3)
    who, _, pk = notification.dedupe_key.rsplit(":", 1)[-1].partition("-")
    if who != "guardian" and label == Guardian._meta.label_lower:
        who, pk = "guardian", subject_pk
    if not pk.isdigit():
        return
    if who == "guardian":
        guardian_address_refused(guardian_id=int(pk), channel=channel, address=address)
    elif who == "student":
        student_address_refused(student_id=int(pk), channel=channel, address=address)
