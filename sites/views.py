"""Site forms: create and edit (the site list and page, which read students and cohorts, are in reports)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from artworx.shortcuts import get_visible_or_404, require_perm
from sites.forms import SiteForm
from sites.models import Site
from sites.services import site_save


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
