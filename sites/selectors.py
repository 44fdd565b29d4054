"""Reads about sites shared by pages and exports."""

from collections.abc import Callable

from django.db.models import QuerySet

from artworx.cache import PEOPLE, generation, version_key
from artworx.roles import sees_all
from sites.models import Closure, Site


def site_closures(*, site: Site) -> QuerySet[Closure]:
    """Closures that apply at a site, the organisation's included."""
    return Closure.objects.for_site(site).select_related("site")


def picker_key(*, user, name: str) -> str:
    """The cache key of a site or teacher picker offered to `user` (artworx.widgets.KeptSelect): the same
    for everyone who sees every site, per teacher otherwise; new with every change of a site or of who
    teaches where (Site's history, its teachers included) and of any user or role (artworx.cache
    generation of people). One query of index-only lookups."""
    scope = "all" if sees_all(user) else f"user-{user.pk}"
    return version_key(f"picker:{name}", scope, generation(PEOPLE), sources=[Site])


def picker_keys(*, user, name: str) -> Callable[[str], Callable[[], str]]:
    """For a form's pickers: `keys("site")` is a function giving that picker's key (`picker_key`),
    asked at most once per form and only when a picker is drawn."""
    found: list[str] = []

    def key_of(field: str) -> Callable[[], str]:
        def key() -> str:
            if not found:
                found.append(picker_key(user=user, name=name))
            return f"{found[0]}:{field}"

        return key

    return key_of
