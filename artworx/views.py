"""Pages that belong to no single app: the role home page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

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
