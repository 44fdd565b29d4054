"""Search and filters for the student list."""

from datetime import timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artworx.roles import TEACHER
from artworx.widgets import LongSelect
from sites.models import Site
from students.models import Contract, Enrollment, Student

User = get_user_model()


def search_students(queryset, value: str, prefix: str = ""):
    """Every word must match a name, the preferred name or the district id."""
    for word in value.split()[:5]:
        queryset = queryset.filter(
            Q(**{f"{prefix}first_name__icontains": word})
            | Q(**{f"{prefix}last_name__icontains": word})
            | Q(**{f"{prefix}preferred_name__icontains": word})
            | Q(**{f"{prefix}district_id__iexact": word})
        )
    return queryset


class ScopedFilterSet(django_filters.FilterSet):
    """Offer only the sites, and the teachers of the sites, that the user may see."""

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        sites = Site.objects.visible_to(request.user)
        self.filters["site"].queryset = sites
        self.filters["teacher"].queryset = User.objects.filter(
            groups__name=TEACHER, teaching_sites__in=sites
        ).distinct()


class StudentFilter(ScopedFilterSet):
    """Filter students by name or id, site, teacher, status and grade."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), queryset=Site.objects.none(), method="by_site", widget=LongSelect
    )
    teacher = django_filters.ModelChoiceFilter(
        label=_("Teacher"), queryset=User.objects.none(), method="by_teacher", widget=LongSelect
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Student.Status.choices)
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Student.Grade.choices)

    class Meta:
        model = Student
        fields = ["q", "site", "teacher", "status", "grade"]

    def search(self, queryset, name, value):
        return search_students(queryset, value)

    def by_site(self, queryset, name, value):
        return queryset.filter(Exists(Enrollment.objects.open().filter(student=OuterRef("pk"), site=value)))

    def by_teacher(self, queryset, name, value):
        return queryset.filter(
            Exists(Enrollment.objects.open().filter(student=OuterRef("pk"), teacher=value))
        )


class ContractFilter(ScopedFilterSet):
    """Filter contracts by site, teacher, status, pace and how soon they are due."""

    PACE_CHOICES = [("on_track", _("On track")), ("behind", _("Behind")), ("at_risk", _("At risk"))]

    q = django_filters.CharFilter(label=_("Student"), method="search")
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=Site.objects.none(), widget=LongSelect)
    teacher = django_filters.ModelChoiceFilter(
        label=_("Teacher"), queryset=User.objects.none(), widget=LongSelect
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Contract.Status.choices)
    pace = django_filters.ChoiceFilter(label=_("Pace"), choices=PACE_CHOICES, method="keep")
    # A year at most: further than that no contract is due, and a huge number overflows the date.
    due_within = django_filters.NumberFilter(
        label=_("Due within (days)"), method="by_due_within", min_value=0, max_value=365, decimal_places=0
    )

    class Meta:
        model = Contract
        fields = ["q", "site", "teacher", "status", "pace", "due_within"]

    def search(self, queryset, name, value):
        return search_students(queryset, value, prefix="student__")

    def keep(self, queryset, name, value):
        """Pace is computed from the calendar after the query (see students.selectors.with_pace)."""
        return queryset

    def by_due_within(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(status=Contract.Status.ACTIVE, due_on__lte=today + timedelta(days=int(value)))
