"""Search and filters of the student, contract and referral lists, read once for a page and its download."""

from datetime import timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artworx.query import IdField
from artworx.roles import TEACHER
from artworx.widgets import KeptSelect
from sites.models import Site
from sites.selectors import picker_keys
from students.models import Contract, ContractCourse, Enrollment, Referral, Review, Student
from students.selectors import (
    contract_rows,
    contracts_at_pace,
    referral_rows,
    review_overdue_before,
    student_rows,
    teachers_of,
)

User = get_user_model()

# What a filter's empty choice says: "All sites", not django-filter's "---------".
ALL_SITES = _("All sites")
ALL_TEACHERS = _("All teachers")
ANY_STATUS = _("Any status")


class DateRangeWidget(django_filters.widgets.DateRangeWidget):
    """Two date boxes, from and to, with the browser's date picker: `<name>_after`, `<name>_before`."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"type": "date", **(attrs or {})})


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
        self.filters["teacher"].queryset = teachers_of(sites).filter(groups__name=TEACHER)
        # The pickers' options are written once per version of the sites and people (issue #22).
        keys = picker_keys(user=request.user, name=type(self).__name__)
        for name in ("site", "teacher"):
            self.filters[name].extra["widget"] = KeptSelect(options_key=keys(name))


class StudentFilter(ScopedFilterSet):
    """Filter students by name or id, site, teacher, status and grade."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    site = django_filters.ModelChoiceFilter(
        label=_("Site"),
        queryset=Site.objects.none(),
        method="by_site",
        widget=KeptSelect,
        empty_label=ALL_SITES,
    )
    teacher = django_filters.ModelChoiceFilter(
        label=_("Teacher"),
        queryset=User.objects.none(),
        method="by_teacher",
        widget=KeptSelect,
        empty_label=ALL_TEACHERS,
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Student.Status.choices, empty_label=ANY_STATUS
    )
    grade = django_filters.ChoiceFilter(
        label=_("Grade"), choices=Student.Grade.choices, empty_label=_("Any grade")
    )

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
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), queryset=Site.objects.none(), widget=KeptSelect, empty_label=ALL_SITES
    )
    teacher = django_filters.ModelChoiceFilter(
        label=_("Teacher"), queryset=User.objects.none(), widget=KeptSelect, empty_label=ALL_TEACHERS
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Contract.Status.choices, empty_label=ANY_STATUS
    )
    pace = django_filters.ChoiceFilter(
        label=_("Pace"), choices=PACE_CHOICES, method="by_pace", empty_label=_("Any pace")
    )
    review = django_filters.ChoiceFilter(
        label=_("Missed-work review"),
        choices=[("open", _("Review open")), ("overdue", _("Review overdue"))],
        method="by_review",
        empty_label=_("Any"),
    )
    # A year at most: further than that no contract is due, and a huge number overflows the date.
    due_within = django_filters.NumberFilter(
        label=_("Due within (days)"), method="by_due_within", min_value=0, max_value=365, decimal_places=0
    )
    # The dashboard's period reaches the list through these: contracts that ended, or earned credits, in it.
    ended = django_filters.DateFromToRangeFilter(
        label=_("Ended between"), field_name="closed_on", widget=DateRangeWidget
    )
    earned = django_filters.DateFromToRangeFilter(
        label=_("Credits earned between"), method="by_credits_earned", widget=DateRangeWidget
    )

    class Meta:
        model = Contract
        fields = ["q", "site", "teacher", "status", "pace", "due_within", "ended", "earned", "review"]

    def search(self, queryset, name, value):
        return search_students(queryset, value, prefix="student__")

    def by_pace(self, queryset, name, value):
        return contracts_at_pace(queryset, pace=value, today=timezone.localdate())

    def by_review(self, queryset, name, value):
        reviews = Review.objects.filter(contract=OuterRef("pk"), status=Review.Status.OPEN)
        if value == "overdue":
            reviews = reviews.filter(opened_on__lt=review_overdue_before(timezone.localdate()))
        return queryset.filter(Exists(reviews))

    def by_due_within(self, queryset, name, value):
        today = timezone.localdate()
        return queryset.filter(status=Contract.Status.ACTIVE, due_on__lte=today + timedelta(days=int(value)))

    def by_credits_earned(self, queryset, name, value):
        """Contracts with a course completed in the range (the dashboard's "Credits earned" counts those)."""
        done = ContractCourse.Status.COMPLETED
        courses = ContractCourse.objects.filter(contract=OuterRef("pk"), status=done)
        if value.start:
            courses = courses.filter(resolved_on__gte=value.start)
        if value.stop:
            courses = courses.filter(resolved_on__lte=value.stop)
        return queryset.filter(Exists(courses))


class IdFilter(django_filters.Filter):
    """A foreign key given by its id: a whole number in the database's integer range, else refused."""

    field_class = IdField


class ReferralFilter(django_filters.FilterSet):
    """Filter referrals by status, source and counselor."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Referral.Status.choices, empty_label=ANY_STATUS
    )
    source = IdFilter(label=_("Referred by"), field_name="source")
    counselor = IdFilter(label=_("Counselor"), field_name="counselor")

    class Meta:
        model = Referral
        fields = ["status", "source", "counselor"]


# One function per list builds its filters from the query string: the page and its download
# (students/exports.py) both call it, so a download holds exactly the rows the page lists.


def student_filter(request) -> StudentFilter:
    """The student list's filters over the students the user may see."""
    return StudentFilter(request.GET or None, queryset=student_rows(user=request.user), request=request)


def contract_filter(request) -> ContractFilter:
    """The contract list's filters, pace included, over the contracts the user may see."""
    return ContractFilter(request.GET or None, queryset=contract_rows(user=request.user), request=request)


def referral_filter(request) -> ReferralFilter:
    """The referral list's filters over the referrals the user may see."""
    return ReferralFilter(request.GET or None, queryset=referral_rows(user=request.user), request=request)
