"""The two permission steps every view takes: scope (404) then role rule (403)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404


def require_perm(request: HttpRequest, perm: str, obj: Model | None = None) -> None:
    """Answer 403 unless the signed-in user holds `perm` (on `obj`, when given)."""
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def get_visible_or_404(queryset: QuerySet, *, request: HttpRequest, perm: str, **lookup) -> Model:
    """The object from a user-scoped queryset (404 outside the scope) if the user holds `perm` on it (403)."""
    obj = get_object_or_404(queryset, **lookup)
    require_perm(request, perm, obj)
    return obj
