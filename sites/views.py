"""Site pages: capacity list, detail with roster, create and edit."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from artworx.shortcuts import get_visible_or_404, require_perm
from programs.models import Session
from programs.selectors import attendance_rate, cohort_rows
from sites.forms import PeriodForm, SiteForm
from sites.models import Site
from sites.selectors import site_capacity_rows, site_closures, site_roster
from sites.services import site_save


@login_required
@require_GET
def site_list(request: HttpRequest) -> HttpResponse:
    """Sites with their capacity bars and teachers' seats."""
    require_perm(request, "sites.view_site")
    return render(request, "sites/site_list.html", {"sites": site_capacity_rows(user=request.user)})


@login_required
@require_GET
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One site: capacity, roster grouped by teacher, host organisation, closures."""
    require_perm(request, "sites.view_site")
    site = get_visible_or_404(
        site_capacity_rows(user=request.user), request=request, perm="sites.view_site", pk=pk
    )
    period = PeriodForm(request.GET or None)
    first, last = period.dates()
    context = {
        "site": site,
        "roster": site_roster(site=site),
        "closures": site_closures(site=site),
        "period": period,
        "attendance": attendance_rate(
            sessions=Session.objects.filter(cohort__site=site, date__range=(first, last))
        ),
        "cohorts": cohort_rows(user=request.user).filter(site=site, term_ends_on__gte=first),
    }
    return render(request, "sites/site_detail.html", context)


def _site_form_view(request: HttpRequest, site: Site) -> HttpResponse:
    """Show and save the site form through the site service."""
    form = SiteForm(request.POST or None, instance=site)
    if form.is_valid():
        try:
            site = site_save(site=form.save(commit=False), teachers=form.cleaned_data["teachers"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Site %(site)s saved.") % {"site": site})
            return redirect("sites:detail", pk=site.pk)
    return render(request, "sites/site_form.html", {"form": form, "site": site})


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest) -> HttpResponse:
    """Open a new site."""
    require_perm(request, "sites.add_site")
    return _site_form_view(request, Site())


@login_required
@require_http_methods(["GET", "POST"])
def site_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a site's details, capacity and teachers."""
    site = get_visible_or_404(
        Site.objects.visible_to(request.user), request=request, perm="sites.change_site", pk=pk
    )
    return _site_form_view(request, site)
