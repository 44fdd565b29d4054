"""Search and filters for the student list."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from artworx.roles import TEACHER
from sites.models import Site
from students.models import Enrollment, Student

User = get_user_model()


class StudentFilter(django_filters.FilterSet):
    """Filter students by name or id, site, teacher, status and grade."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=Site.objects.none(), method="by_site")
    teacher = django_filters.ModelChoiceFilter(
        label=_("Teacher"), queryset=User.objects.none(), method="by_teacher"
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Student.Status.choices)
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Student.Grade.choices)

    class Meta:
        model = Student
        fields = ["q", "site", "teacher", "status", "grade"]

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        sites = Site.objects.visible_to(request.user)
        self.filters["site"].queryset = sites
        self.filters["teacher"].queryset = User.objects.filter(
            groups__name=TEACHER, teaching_sites__in=sites
        ).distinct()

    def search(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(district_id__iexact=word)
            )
        return queryset

    def by_site(self, queryset, name, value):
        return queryset.filter(Exists(Enrollment.objects.open().filter(student=OuterRef("pk"), site=value)))

    def by_teacher(self, queryset, name, value):
        return queryset.filter(
            Exists(Enrollment.objects.open().filter(student=OuterRef("pk"), teacher=value))
        )
