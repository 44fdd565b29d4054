"""Pages that belong to no single app: the role home page and the server error page."""

import sys

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import defaults
from django.views.decorators.http import require_GET

from artworx.middleware import DATABASE_UNAVAILABLE, database_unavailable_response
from artworx.roles import is_teacher, is_teaching_artist, sees_all
from sites.selectors import site_capacity_rows
from students.selectors import teacher_caseload


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Land each role on what it needs first."""
    user = request.user
    context = {}
    if sees_all(user):
        template = "artworx/home_staff.html"
        context["sites"] = site_capacity_rows(user=user)
    elif is_teacher(user):
        template = "artworx/home_teacher.html"
        context["caseload"] = teacher_caseload(teacher=user, today=timezone.localdate())
        context["sites"] = site_capacity_rows(user=user)
    elif is_teaching_artist(user):
        return redirect("programs:my_sessions")
    else:
        template = "artworx/home_no_role.html"
    return render(request, template, context)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a database that stopped answering inside a middleware is a 503, not a 500."""
    # Django calls this inside its except block, so the exception is still at hand.
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable_response()
    return defaults.server_error(request)
