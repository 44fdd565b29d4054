"""Student pages: list, detail, profile, guardians, support profile and enrollment actions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from students.filters import StudentFilter
from students.forms import ExitForm, GuardianForm, PlacementForm, StudentForm, SupportProfileForm
from students.models import Enrollment, Guardian, Student, SupportProfile
from students.selectors import student_change_history, student_enrollment_history, student_rows
from students.services import enrollment_create, enrollment_exit, enrollment_transfer, student_create

STUDENTS_PER_PAGE = 25


def _visible_student(request: HttpRequest, pk: int, perm: str) -> Student:
    """The student if the user may see them (else 404) and holds `perm` on them (else 403)."""
    student = get_object_or_404(Student.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm(perm, student):
        raise PermissionDenied
    return student


@login_required
@require_GET
def student_list(request: HttpRequest) -> HttpResponse:
    """Searchable, filterable, paginated list of the students the user may see."""
    if not request.user.has_perm("students.view_student"):
        raise PermissionDenied
    filterset = StudentFilter(request.GET or None, queryset=student_rows(user=request.user), request=request)
    page = Paginator(filterset.qs, STUDENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render(request, "students/student_list.html", context)


@login_required
@require_GET
def student_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A student's page: profile, credits, guardians, enrollments, support profile if allowed, history."""
    student = get_object_or_404(student_rows(user=request.user), pk=pk)
    if not request.user.has_perm("students.view_student", student):
        raise PermissionDenied
    can_see_support = request.user.has_perm("students.view_supportprofile", student)
    context = {
        "student": student,
        "enrollment": student.open_enrollments[0] if student.open_enrollments else None,
        "enrollments": student_enrollment_history(student=student),
        "guardians": student.guardians.all(),
        "support_profile": SupportProfile.objects.get_or_create(student=student)[0]
        if can_see_support
        else None,
        "history": student_change_history(
            student=student,
            include_support=can_see_support,
            include_notes=request.user.has_perm("students.view_support_notes", student),
        ),
        "credits_percent": min(
            100, round(100 * student.credits_earned / settings.ARTWORX_GRADUATION_CREDITS)
        ),
    }
    return render(request, "students/student_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def student_create_view(request: HttpRequest) -> HttpResponse:
    """Add a student; enrolling them at a site is the next step."""
    if not request.user.has_perm("students.add_student"):
        raise PermissionDenied
    form = StudentForm(request.POST or None)
    if form.is_valid():
        student = student_create(**form.cleaned_data)
        messages.success(request, _("%(student)s added. Now enroll them at a site.") % {"student": student})
        return redirect("students:enroll", pk=student.pk)
    return render(request, "students/student_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def student_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a student's profile."""
    student = _visible_student(request, pk, "students.change_student")
    form = StudentForm(request.POST or None, instance=student)
    if form.is_valid():
        form.save()
        messages.success(request, _("Changes to %(student)s saved.") % {"student": student})
        return redirect("students:detail", pk=student.pk)
    return render(request, "students/student_form.html", {"form": form, "student": student})


@login_required
@require_http_methods(["GET", "POST"])
def guardian_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a guardian to a student."""
    student = _visible_student(request, pk, "students.add_guardian")
    form = GuardianForm(request.POST or None, instance=Guardian(student=student))
    if form.is_valid():
        form.save()
        messages.success(request, _("Guardian added."))
        return redirect("students:detail", pk=student.pk)
    return render(request, "students/guardian_form.html", {"form": form, "student": student})


@login_required
@require_http_methods(["GET", "POST"])
def guardian_update(request: HttpRequest, pk: int, guardian_pk: int) -> HttpResponse:
    """Edit a student's guardian."""
    student = _visible_student(request, pk, "students.change_guardian")
    guardian = get_object_or_404(student.guardians, pk=guardian_pk)
    form = GuardianForm(request.POST or None, instance=guardian)
    if form.is_valid():
        form.save()
        messages.success(request, _("Guardian saved."))
        return redirect("students:detail", pk=student.pk)
    return render(request, "students/guardian_form.html", {"form": form, "student": student})


@login_required
@require_http_methods(["GET", "POST"])
def support_profile_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the sensitive support flags and private notes."""
    student = _visible_student(request, pk, "students.change_supportprofile")
    profile = SupportProfile.objects.get_or_create(student=student)[0]
    form = SupportProfileForm(request.POST or None, instance=profile)
    if form.is_valid():
        form.save()
        messages.success(request, _("Support profile saved."))
        return redirect("students:detail", pk=student.pk)
    return render(request, "students/support_profile_form.html", {"form": form, "student": student})


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Enroll a student at a site with a teacher (capacity rules in the service)."""
    student = _visible_student(request, pk, "students.add_enrollment")
    form = PlacementForm(request.POST or None, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            enrollment_create(
                student=student, site=data["site"], teacher=data["teacher"], started_on=data["on"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(student)s enrolled at %(site)s.") % {"student": student, "site": data["site"]}
            )
            return redirect("students:detail", pk=student.pk)
    return render(
        request, "students/enrollment_form.html", {"form": form, "student": student, "action": "enroll"}
    )


def _visible_open_enrollment(request: HttpRequest, pk: int) -> Enrollment:
    """An open enrollment the user may see (else 404) and change (else 403)."""
    enrollment = get_object_or_404(
        Enrollment.objects.visible_to(request.user).open().select_related("student", "site", "teacher"), pk=pk
    )
    if not request.user.has_perm("students.change_enrollment", enrollment):
        raise PermissionDenied
    return enrollment


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_transfer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a student to another teacher or site."""
    enrollment = _visible_open_enrollment(request, pk)
    form = PlacementForm(request.POST or None, user=request.user, initial={"site": enrollment.site_id})
    if form.is_valid():
        data = form.cleaned_data
        try:
            enrollment_transfer(
                enrollment=enrollment, site=data["site"], teacher=data["teacher"], on=data["on"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(student)s transferred.") % {"student": enrollment.student})
            return redirect("students:detail", pk=enrollment.student_id)
    context = {"form": form, "student": enrollment.student, "enrollment": enrollment, "action": "transfer"}
    return render(request, "students/enrollment_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_exit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """End a student's enrollment with a date and a reason."""
    enrollment = _visible_open_enrollment(request, pk)
    form = ExitForm(request.POST or None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            enrollment_exit(
                enrollment=enrollment,
                ended_on=data["ended_on"],
                exit_reason=data["exit_reason"],
                notes=data["notes"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Enrollment of %(student)s ended.") % {"student": enrollment.student})
            return redirect("students:detail", pk=enrollment.student_id)
    context = {"form": form, "student": enrollment.student, "enrollment": enrollment}
    return render(request, "students/enrollment_exit.html", context)
