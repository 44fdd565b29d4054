"""Forms for sites."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artworx.dates import DateField
from artworx.roles import COUNSELOR, PROGRAM_STAFF, TEACHER, people_with
from sites.models import Site


class SiteForm(forms.ModelForm):
    """Create or edit a site and choose its teachers."""

    class Meta:
        model = Site
        fields = [
            "name", "partner", "address", "phone", "capacity", "teachers", "lead", "counselor", "notes",
            "is_active",
        ]  # fmt: skip
        widgets = {"teachers": forms.CheckboxSelectMultiple, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teachers"].queryset = people_with(TEACHER)
        self.fields["lead"].queryset = people_with(PROGRAM_STAFF)
        self.fields["counselor"].queryset = people_with(COUNSELOR)
        self.fields["partner"].queryset = self.fields["partner"].queryset.filter(is_active=True)


class SiteChoiceForm(forms.Form):
    """`?site=`: one of the sites the user may see; anything else is refused (the page lists them all)."""

    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.visible_to(user)

    def chosen(self) -> Site | None:
        return self.cleaned_data["site"] if self.is_bound and self.is_valid() else None


class OptionalPeriodForm(forms.Form):
    """A date range that may be left open: `dates()` is (None, None) unless both ends are valid."""

    start = DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def dates(self) -> tuple[date | None, date | None]:
        if not (self.is_bound and self.is_valid()):
            return None, None
        start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        if start is None or end is None:
            return None, None
        return (start, end) if start <= end else (end, start)


class PeriodForm(forms.Form):
    """A date range for figures; the last 30 days unless both ends are given and valid."""

    start = DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def dates(self) -> tuple[date, date]:
        today = timezone.localdate()
        start, end = today - timedelta(days=30), today
        if self.is_bound and self.is_valid():
            start = self.cleaned_data["start"] or start
            end = self.cleaned_data["end"] or end
        return (start, end) if start <= end else (end, start)
