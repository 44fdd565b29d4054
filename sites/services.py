"""Writes on sites and closures; the apps above say what a change may not break (sites.signals)."""

from django.db import transaction
from django.utils.translation import gettext as _

from artworx.roles import COUNSELOR, PROGRAM_STAFF, TEACHER, require_role
from notifications.items import items_reassign
from sites.models import Closure, Site
from sites.signals import calendar_changed, site_changing


@transaction.atomic
def site_save(*, site: Site, teachers) -> Site:
    """Create or update a site and its teachers, refusing changes that would strand enrolled students."""
    require_role(
        teachers,
        TEACHER,
        message=_("%(names)s cannot teach at a site: only active people with the Teacher role can."),
        code="not_a_teacher",
    )
    if site.pk is not None:
        # Lock the row the capacity rule hangs on, as enrollment does, so a capacity cut and an
        # enrollment cannot both pass their checks.
        Site.objects.select_for_update().filter(pk=site.pk).get()
        site_changing.send(sender=Site, site=site, teachers=teachers)  # students: capacity, caseloads
    require_role(
        [site.lead],
        PROGRAM_STAFF,
        message=_("%(names)s cannot lead a site: only active program staff can."),
        code="lead_not_staff",
    )
    require_role(
        [site.counselor],
        COUNSELOR,
        message=_("%(names)s cannot be a site's counselor: only active counselors can."),
        code="not_a_counselor",
    )
    site.full_clean()
    site.save()
    site.teachers.set(teachers)
    # Responsibility (DESIGN.md): a new lead or counselor takes over the site's open items.
    items_reassign(responsibility=f"site-{site.pk}:lead", to=site.lead)
    items_reassign(responsibility=f"site-{site.pk}:counselor", to=site.counselor)
    return site


def site_lead(site_id: int):
    """The lead program staff member of a site, or None ("not mine" hands items back to them)."""
    site = Site.objects.select_related("lead").filter(pk=site_id).first()
    return site.lead if site else None


@transaction.atomic
def closure_save(*, closure: Closure) -> Closure:
    """Save a closure and move the due dates of the active contracts it affects."""
    previous_site_id = (
        Closure.objects.filter(pk=closure.pk).values_list("site_id", flat=True).first()
        if closure.pk
        else closure.site_id
    )
    closure.full_clean()
    closure.save()
    _recompute_for(closure, previous_site_id)
    return closure


@transaction.atomic
def closure_delete(*, closure: Closure) -> None:
    """Remove a closure (a day back in the calendar) and move the due dates it affected."""
    site_id = closure.site_id
    closure.delete()
    _recompute_for(closure, site_id)


def _recompute_for(closure: Closure, previous_site_id: int | None) -> None:
    reason = _("closure “%(name)s” changed") % {"name": closure.name}
    calendar_changed.send(sender=Closure, site_ids={closure.site_id, previous_site_id}, reason=reason)
