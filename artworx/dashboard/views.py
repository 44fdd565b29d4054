"""The staff dashboard: each figure against its target, filtered by site and period in the URL."""

from datetime import timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from artworx.dashboard.cache import board_key, cached
from artworx.dashboard.selectors import dashboard
from artworx.dates import DateField
from artworx.shortcuts import require_perm
from artworx.widgets import LongSelect
from sites.models import Site
from students.forms import DateInput


class DashboardFilter(forms.Form):
    """Site and period; invalid or missing values fall back to all sites and the last 90 days."""

    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("All sites"),
        widget=LongSelect,
    )
    start = DateField(label=_("From"), required=False, widget=DateInput())
    end = DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.visible_to(user)

    def values(self, today):
        start, end, site = today - timedelta(days=90), today, None
        if self.is_bound and self.is_valid():
            site = self.cleaned_data["site"]
            start = self.cleaned_data["start"] or start
            end = self.cleaned_data["end"] or end
        return site, min(start, end), max(start, end)


def _board(request: HttpRequest) -> dict:
    """The dashboard's context for the site and period in the query string."""
    today = timezone.localdate()
    filters = DashboardFilter(request.GET or None, user=request.user)
    site, start, end = filters.values(today)
    key = board_key(user=request.user, site=site, start=start, end=end, today=today)
    # Read only when the page's cached fragment (keyed the same) is missing, or for the report.
    board = SimpleLazyObject(
        lambda: cached(
            key, lambda: dashboard(user=request.user, site=site, start=start, end=end, today=today)
        )
    )
    chart_labels = {
        "attendance": str(_("Attendance %")),
        "pace": [str(_("On track")), str(_("Behind")), str(_("At risk"))],
        "contracts": str(_("Contracts")),
        "enrolled": str(_("Enrolled")),
        "capacity": str(_("Capacity")),
        "referrals": str(_("Referrals")),
    }
    return {
        "filters": filters,
        "board": board,
        "board_key": key,
        "site": site,
        "start": start,
        "end": end,
        "chart_labels": chart_labels,
        "query": request.GET.urlencode(),
    }


@login_required
@require_GET
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Where staff start their day: outcomes against targets, with the list behind every number."""
    require_perm(request, "dashboard.view_dashboard")
    return render(request, "dashboard/dashboard.html", _board(request))


@login_required
@require_GET
def funder_report(request: HttpRequest) -> HttpResponse:
    """The dashboard's figures and charts on paper-friendly pages, for the board and funders."""
    require_perm(request, "dashboard.view_dashboard")
    return render(request, "dashboard/report.html", _board(request))
