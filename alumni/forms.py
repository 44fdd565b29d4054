"""Forms for alumni and check-ins."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alumni.models import Alumnus, CheckIn, Outcome
from alumni.selectors import alumni_rows, staff_contacts
from artworx.dates import EARLIEST, LATEST, DateField
from artworx.widgets import KeptSelect
from programs.models import Participation, Pathway
from sites.models import Site
from sites.selectors import picker_keys
from students.forms import DateInput
from students.models import Enrollment, ExitReason

User = get_user_model()


class AlumnusForm(forms.ModelForm):
    """Contact details, consent, plans and the assigned staff contact."""

    class Meta:
        model = Alumnus
        fields = ["phone", "email", "address", "language", "consents_to_contact", "plans", "staff_contact"]
        widgets = {"plans": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_contact"].queryset = staff_contacts()


class CheckInForm(forms.Form):
    """One follow-up; leave the next due date empty to follow the cadence."""

    date = DateField(label=_("Date"), widget=DateInput())
    method = forms.ChoiceField(label=_("Method"), choices=CheckIn.Method.choices)
    reached = forms.BooleanField(label=_("Reached them"), required=False, initial=True)
    outcome = forms.ChoiceField(label=_("Outcome at this point"), choices=Outcome.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_due_on = DateField(
        label=_("Next check-in due"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty: monthly in the first year after graduation, then quarterly."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class AlumnusFilter(django_filters.FilterSet):
    """Filter alumni by graduation year, site, pathway, current outcome and overdue check-ins."""

    year = django_filters.NumberFilter(
        label=_("Graduation year"),
        field_name="graduated_on",
        lookup_expr="year",
        # The years a date may have (artworx.dates); the year lookup cannot build year 0 or 99999.
        min_value=EARLIEST.year,
        max_value=LATEST.year,
        decimal_places=0,
    )
    site = django_filters.ModelChoiceFilter(
        label=_("Site"),
        queryset=Site.objects.none(),
        method="by_site",
        empty_label=_("All sites"),
        widget=KeptSelect,
    )
    pathway = django_filters.ModelChoiceFilter(
        label=_("Pathway"), queryset=Pathway.objects.all(), method="by_pathway", empty_label=_("All pathways")
    )
    current_outcome = django_filters.ChoiceFilter(
        label=_("Current outcome"), choices=Outcome.choices, empty_label=_("Any outcome")
    )
    # Not Django's "Unknown / Yes / No": the empty choice lists everyone.
    overdue = django_filters.BooleanFilter(
        label=_("Check-in overdue"),
        method="by_overdue",
        widget=forms.Select(
            choices=[("", _("Overdue or not")), ("true", _("Overdue")), ("false", _("Not overdue"))]
        ),
    )

    class Meta:
        model = Alumnus
        fields = ["year", "site", "pathway", "current_outcome", "overdue"]

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["site"].queryset = Site.objects.visible_to(request.user)
        # Written once per version of the sites (issue #22): hundreds of sites at county size.
        self.filters["site"].extra["widget"] = KeptSelect(
            options_key=picker_keys(user=request.user, name="alumni")("site")
        )

    def by_site(self, queryset, name, value):
        graduated = Enrollment.objects.filter(
            student=OuterRef("student"), site=value, exit_reason=ExitReason.GRADUATED
        )
        return queryset.filter(Exists(graduated))

    def by_pathway(self, queryset, name, value):
        finished = Participation.objects.filter(
            student=OuterRef("student"),
            status=Participation.Status.COMPLETED,
            cohort__program__pathways=value,
        )
        return queryset.filter(Exists(finished))

    def by_overdue(self, queryset, name, value):
        today = timezone.localdate()
        if value:
            return queryset.filter(next_check_in_on__lt=today, consents_to_contact=True)
        return queryset.exclude(next_check_in_on__lt=today, consents_to_contact=True)


def alumnus_filter(request) -> AlumnusFilter:
    """The alumni list's filters over the alumni the user may see (the page and its download)."""
    return AlumnusFilter(request.GET or None, queryset=alumni_rows(user=request.user), request=request)
