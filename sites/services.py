"""Writes on sites: capacity may not drop below the students a site holds."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sites.models import Site


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
