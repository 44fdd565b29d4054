"""Student pages: list, detail, profile, guardians, support profile and enrollment actions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from artworx.history import change_history
from artworx.sections import render_sections
from artworx.shortcuts import get_visible_or_404, require_perm
from students.filters import contract_filter, student_filter
from students.forms import (
    ContractExtendForm,
    ContractForm,
    CourseForm,
    CourseFormSet,
    CourseResolveForm,
    ExitForm,
    GuardianForm,
    PlacementForm,
    StudentForm,
    SupportProfileForm,
)
from students.models import (
    Contract,
    ContractCourse,
    Diploma,
    Enrollment,
    Guardian,
    Student,
    SupportProfile,
)
from students.selectors import (
    contract_rows,
    student_change_history,
    student_enrollment_history,
    student_rows,
    with_pace,
)
from students.services import (
    contract_course_add,
    contract_course_resolve,
    contract_extend,
    contract_open,
    enrollment_create,
    enrollment_exit,
    enrollment_transfer,
    student_create,
)

STUDENTS_PER_PAGE = 25


def _visible_student(request: HttpRequest, pk: int, perm: str) -> Student:
    """The student if the user may see them (else 404) and holds `perm` on them (else 403)."""
    return get_visible_or_404(Student.objects.visible_to(request.user), request=request, perm=perm, pk=pk)


@login_required
@require_GET
def student_list(request: HttpRequest) -> HttpResponse:
    """Searchable, filterable, paginated list of the students the user may see."""
    require_perm(request, "students.view_student")
    filterset = student_filter(request)
    page = Paginator(filterset.qs, STUDENTS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render(request, "students/student_list.html", context)


@login_required
@require_GET
def student_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A student's page: profile, credits, guardians, enrollments, support profile if allowed, history."""
    student = get_visible_or_404(
        student_rows(user=request.user), request=request, perm="students.view_student", pk=pk
    )
    can_see_support = request.user.has_perm("students.view_supportprofile", student)
    contracts = (
        with_pace(contract_rows(user=request.user).filter(student=student), today=timezone.localdate())
        if request.user.has_perm("students.view_contract")
        else []
    )
    context = {
        # Arts programs, credentials and placements: sections from the apps above (artworx.sections).
        "sections": render_sections("students:detail", request=request, obj=student),
        "contracts": contracts,
        "active_contract": next((c for c in contracts if c.is_active), None),
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
    require_perm(request, "students.add_student")
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
    full_site = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            enrollment_create(
                student=student, site=data["site"], teacher=data["teacher"], started_on=data["on"]
            )
        except ValidationError as error:
            form.add_error(None, error)
            # DESIGN.md rule 4: a full site says so and offers its waitlist.
            if error.code == "site_full" and request.user.has_perm("students.change_waitlistentry"):
                full_site = data["site"]
        else:
            messages.success(
                request, _("%(student)s enrolled at %(site)s.") % {"student": student, "site": data["site"]}
            )
            return redirect("students:detail", pk=student.pk)
    context = {"form": form, "student": student, "action": "enroll", "full_site": full_site}
    return render(request, "students/enrollment_form.html", context)


def _visible_open_enrollment(request: HttpRequest, pk: int) -> Enrollment:
    """An open enrollment the user may see (else 404) and change (else 403)."""
    enrollment = get_visible_or_404(
        Enrollment.objects.visible_to(request.user).open().select_related("student", "site", "teacher"),
        request=request,
        perm="students.change_enrollment",
        pk=pk,
    )
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
                diploma=data["diploma"] or Diploma.DIPLOMA,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Enrollment of %(student)s ended.") % {"student": enrollment.student})
            return redirect("students:detail", pk=enrollment.student_id)
    context = {"form": form, "student": enrollment.student, "enrollment": enrollment}
    return render(request, "students/enrollment_exit.html", context)


# Credit-recovery contracts ----------------------------------------------------------------------

CONTRACTS_PER_PAGE = 25


@login_required
@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    """Contracts the user may see, filterable by site, teacher, status, pace and due date."""
    require_perm(request, "students.view_contract")
    filterset = contract_filter(request)  # the download's filters too, pace included
    page = Paginator(filterset.qs, CONTRACTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = with_pace(page.object_list, today=timezone.localdate())
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "students/contract_list.html",
        {"filter": filterset, "page": page, "query": query.urlencode()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a contract with its courseload for an enrolled student."""
    student = _visible_student(request, pk, "students.add_contract")
    form = ContractForm(request.POST or None)
    courses = CourseFormSet(request.POST or None, prefix="courses")
    if form.is_valid() and courses.is_valid():
        rows = [course for course in courses.cleaned_data if course and not course.get("DELETE")]
        try:
            contract = contract_open(
                student=student, started_on=form.cleaned_data["started_on"], courses=rows
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Contract opened: due %(date)s.")
                % {"date": date_format(contract.due_on, "SHORT_DATE_FORMAT")},
            )
            return redirect("students:contract_detail", pk=contract.pk)
    context = {
        "form": form,
        "courses": courses,
        "student": student,
        "contract_days": settings.ARTWORX_CONTRACT_DAYS,
    }
    return render(request, "students/contract_form.html", context)


def _visible_contract(request: HttpRequest, pk: int, perm: str) -> Contract:
    """A contract the user may see (else 404) and holds `perm` on (else 403)."""
    contract = get_visible_or_404(contract_rows(user=request.user), request=request, perm=perm, pk=pk)
    return contract


@login_required
@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A contract: courses, credits, instructional days, pace with its reason, history."""
    contract = _visible_contract(request, pk, "students.view_contract")
    with_pace([contract], today=timezone.localdate())
    context = {
        "contract": contract,
        "courses": contract.courses.all(),
        "history": change_history(
            [
                (contract.history.all(), _("Contract")),
                (ContractCourse.history.filter(contract_id=contract.pk), _("Course")),
            ]
        ),
    }
    return render(request, "students/contract_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contract_course_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a course to a contract's courseload."""
    contract = _visible_contract(request, pk, "students.change_contract")
    form = CourseForm(request.POST or None)
    if form.is_valid():
        try:
            contract_course_add(contract=contract, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Course added."))
            return redirect("students:contract_detail", pk=contract.pk)
    return render(request, "students/contract_course_form.html", {"form": form, "contract": contract})


@login_required
@require_http_methods(["GET", "POST"])
def contract_course_resolve_view(request: HttpRequest, pk: int, course_pk: int) -> HttpResponse:
    """Complete or fail one course of a contract."""
    contract = _visible_contract(request, pk, "students.change_contract")
    course = get_object_or_404(contract.courses, pk=course_pk)
    form = CourseResolveForm(request.POST or None)
    if form.is_valid():
        try:
            contract_course_resolve(course=course, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(course)s recorded.") % {"course": course.title})
            return redirect("students:contract_detail", pk=contract.pk)
    context = {"form": form, "contract": contract, "course": course}
    return render(request, "students/contract_course_resolve.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contract_extend_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Extend a contract once with a reason."""
    contract = _visible_contract(request, pk, "students.extend_contract")
    form = ContractExtendForm(request.POST or None)
    if form.is_valid():
        try:
            contract = contract_extend(contract=contract, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, contract.due_note)
            return redirect("students:contract_detail", pk=contract.pk)
    return render(request, "students/contract_extend.html", {"form": form, "contract": contract})
