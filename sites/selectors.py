"""Reads about sites shared by pages and exports."""

from django.db.models import QuerySet

from sites.models import Closure, Site


def site_closures(*, site: Site) -> QuerySet[Closure]:
    """Closures that apply at a site, the organisation's included."""
    return Closure.objects.for_site(site).select_related("site")
