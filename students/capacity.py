"""Seats: open enrollments counted per site and per teacher, for capacity bars, rosters and forms."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet, Value, Window
from django.utils.translation import gettext as _

from sites.models import Site
from students.models import Enrollment
from students.selectors import open_enrollments_per, sites_with_seats

User = get_user_model()


def teachers_with_caseload() -> QuerySet:
    """Teachers annotated with `caseload_count` (their open enrollments at any site) and `seats_left`."""
    caseload = open_enrollments_per(teacher="pk")
    return User.objects.annotate(
        caseload_count=caseload, seats_left=Value(settings.ARTWORX_MAX_CASELOAD) - caseload
    ).order_by("last_name", "first_name")


def site_capacity_rows(*, user) -> QuerySet[Site]:
    """Sites the user may see with `enrolled`, `seats_left` and their teachers' caseloads, in two queries."""
    return sites_with_seats(Site.objects.visible_to(user).select_related("partner")).prefetch_related(
        Prefetch("teachers", queryset=teachers_with_caseload())
    )


# Pages that show seats beside other work (the dashboard, the home pages) list at most this many sites:
# across a statewide network, the fullest ones, with a link to every site.
SITES_SHOWN = 12


def fullest_sites(*, user, limit: int = SITES_SHOWN) -> tuple[list[Site], int]:
    """The sites the user may see, fullest first (fewest seats left), at most `limit` of them, and how
    many they may see in all (counted in the same query: 2 queries with the teachers)."""
    rows = list(
        site_capacity_rows(user=user)
        .annotate(sites_total=Window(Count("pk")))
        .order_by("seats_left", "name", "pk")[:limit]
    )
    return rows, rows[0].sites_total if rows else 0


def site_roster(*, site: Site) -> QuerySet[Enrollment]:
    """The site's open enrollments ordered by teacher then student, for a roster grouped by teacher."""
    return (
        Enrollment.objects.open()
        .filter(site=site)
        .select_related("student", "teacher")
        .order_by(
            "teacher__last_name",
            "teacher__first_name",
            "teacher_id",
            "student__last_name",
            "student__first_name",
        )
    )


def site_change_check(*, site: Site, teachers) -> None:
    """Refuse a site change that would strand enrolled students (rule 1: capacity ≥ enrolled).

    Called by `sites.services.site_save` through `sites.signals.site_changing`, with the site row locked.
    """
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
