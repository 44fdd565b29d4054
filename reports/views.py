"""Pages that read across the domain apps: each role's home, the site list and site page (capacity,
roster, cohorts), a pathway's outcomes against the targets, and the staff dashboard (each figure against
its target, filtered by site and period in the URL). config/urls.py mounts the site and pathway pages in
the `sites` and `programs` namespaces."""

from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from artworx.cache import cached
from artworx.dates import DateField
from artworx.query import warn_refused
from artworx.roles import (
    ADMINISTRATOR,
    COUNSELOR,
    PROGRAM_STAFF,
    is_teacher,
    is_teaching_artist,
    role_names,
    sees_all,
)
from artworx.shortcuts import get_visible_or_404, require_perm
from artworx.widgets import KeptSelect
from notifications.selectors import today_groups
from notifications.views import today
from programs.models import Attendance, Pathway
from programs.selectors import attendance_rate, cohort_rows, pathway_students
from reports.cache import board_keys
from reports.selectors import dashboard, pathway_figures, teacher_caseload
from sites.forms import PeriodForm, SiteChoiceForm
from sites.models import Site
from sites.selectors import site_closures
from students.capacity import fullest_sites, site_capacity_rows, site_roster
from students.forms import DateInput

SITES_PER_PAGE = 50


class DashboardFilter(forms.Form):
    """Site and period; invalid or missing values fall back to all sites and the last 90 days."""

    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        empty_label=_("All sites"),
        widget=KeptSelect,
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
    warn_refused(request, filters)
    site, start, end = filters.values(today)
    # The boxes show the period in effect, the default one too; a refused value stays, with its error.
    shown = {"site": site.pk if site else "", "start": start.isoformat(), "end": end.isoformat()}
    if not filters.is_bound or filters.is_valid():
        filters = DashboardFilter(shown, user=request.user)
    keys = board_keys(user=request.user, site=site, start=start, end=end, today=today)
    key = keys.board
    # The site picker is written once per version of the board's data and kept beside it (a statewide
    # network has 1,200 sites); the board's key already says the user's scope, the language, the data.
    filters.fields["site"].widget.options_key = lambda: f"{key}:sites"
    # Read only when the page's cached fragment (keyed the same) is missing, or for the report.
    board = SimpleLazyObject(
        lambda: cached(
            key,
            lambda: dashboard(
                user=request.user, site=site, start=start, end=end, today=today, keep=keys.keep
            ),
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
        "query": urlencode({key: value for key, value in shown.items() if value}),
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


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Land each role on what it needs first."""
    user = request.user
    roles = set(role_names(user))
    if COUNSELOR in roles and not roles & {PROGRAM_STAFF, ADMINISTRATOR}:
        # A counselor's day is their own referrals, check-ins and students: their Today page.
        return today(request)
    context = {"today_groups": today_groups(user=user, today=timezone.localdate(), render=False)}
    if sees_all(user):
        template = "reports/home_staff.html"
        context["sites"], context["sites_total"] = fullest_sites(user=user)
    elif is_teacher(user):
        template = "reports/home_teacher.html"
        context["caseload"] = teacher_caseload(teacher=user, today=timezone.localdate())
        context["sites"], context["sites_total"] = fullest_sites(user=user)
    elif is_teaching_artist(user):
        return redirect("programs:my_sessions")
    else:
        template = "reports/home_no_role.html"
    return render(request, template, context)


@login_required
@require_GET
def site_list(request: HttpRequest) -> HttpResponse:
    """Sites with their capacity bars and teachers' seats."""
    require_perm(request, "sites.view_site")
    page = Paginator(site_capacity_rows(user=request.user), SITES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "sites/site_list.html", {"page": page, "sites": page.object_list})


@login_required
@require_GET
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One site: capacity, roster grouped by teacher, host organisation, closures."""
    require_perm(request, "sites.view_site")
    site = get_visible_or_404(
        site_capacity_rows(user=request.user), request=request, perm="sites.view_site", pk=pk
    )
    period = PeriodForm(request.GET or None)
    warn_refused(request, period)
    first, last = period.dates()
    context = {
        "site": site,
        "roster": site_roster(site=site),
        "closures": site_closures(site=site),
        "period": period,
        "attendance": attendance_rate(
            marks=Attendance.objects.visible_to(request.user).filter(
                session__cohort__site=site, session__date__range=(first, last)
            )
        ),
        "cohorts": cohort_rows(user=request.user).filter(site=site, term_ends_on__gte=first),
    }
    return render(request, "sites/site_detail.html", context)


@login_required
@require_GET
def pathway_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A pathway: its programs and certifications, its students' outcomes against the targets."""
    require_perm(request, "programs.view_pathway")
    pathway = get_object_or_404(Pathway, pk=pk)
    steps = list(pathway.steps.select_related("program"))
    site = SiteChoiceForm(request.GET or None, user=request.user)
    warn_refused(request, site)
    students = list(pathway_students(pathway=pathway, user=request.user, site=site.chosen()))
    context = {
        "pathway": pathway,
        "steps": steps,
        "certifications": pathway.certifications.all(),
        "students": students,
        "figures": pathway_figures(students=students, steps=len(steps)),
        "site": site.chosen(),
    }
    return render(request, "programs/pathway_detail.html", context)
