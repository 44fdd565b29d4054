"""Writes on sites: capacity may not drop below the students a site holds."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sites.models import Closure, Site


@transaction.atomic
def site_save(*, site: Site, teachers) -> Site:
    """Create or update a site and its teachers, refusing changes that would strand enrolled students."""
    from students.models import Enrollment

    if site.pk is not None:
        # Lock the row the capacity rule hangs on, as enrollment does, so a capacity cut and an
        # enrollment cannot both pass their checks.
        Site.objects.select_for_update().filter(pk=site.pk).get()
        open_enrollments = Enrollment.objects.open().filter(site=site)
        enrolled = open_enrollments.count()
        if site.capacity < enrolled:
            raise ValidationError(
                _("%(site)s has %(enrolled)d students enrolled: capacity cannot be lower.")
                % {"site": site, "enrolled": enrolled},
                code="capacity_below_enrolled",
            )
        kept = {teacher.pk for teacher in teachers}
        stranded = sorted(
            {str(e.teacher) for e in open_enrollments.exclude(teacher__in=kept).select_related("teacher")}
        )
        if stranded:
            raise ValidationError(
                _("Transfer the students of %(teachers)s before removing them from this site.")
                % {"teachers": ", ".join(stranded)},
                code="teacher_has_students",
            )
    site.full_clean()
    site.save()
    site.teachers.set(teachers)
    return site


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
    from students.services import contracts_recompute_due_dates

    reason = _("closure “%(name)s” changed") % {"name": closure.name}
    sites = {closure.site_id, previous_site_id}
    # A closure of the whole organisation (site None) moves every site's contracts.
    for site_id in [None] if None in sites else sorted(sites):
        contracts_recompute_due_dates(site_id=site_id, reason=reason)
