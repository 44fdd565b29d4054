"""Pages that belong to no single app: the role home page and the language switch."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

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


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the language for this browser and, for a signed-in person, remember it on the account."""
    response = set_language(request)  # checks the language and the `next` address, sets the cookie
    language = request.POST.get("language")
    user = request.user
    if language in dict(settings.LANGUAGES) and user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response
