"""Student pages: list, detail, profile, guardians and support profile."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from artworx.query import kept_query, warn_refused
from artworx.sections import render_sections
from artworx.shortcuts import get_visible_or_404, require_perm
from students.filters import student_filter
from students.forms import (
    GuardianForm,
    StudentForm,
    SupportProfileForm,
)
from students.models import (
    Guardian,
    RecordRead,
    Student,
    SupportProfile,
)
from students.selectors import (
    contract_rows,
    guardians_with_consents,
    student_change_history,
    student_record_rows,
    with_pace,
)
from students.services import (
    guardian_save,
    record_read_create,
    student_create,
    student_save,
)

STUDENTS_PER_PAGE = 25
READS_PER_PAGE = 10
Part = RecordRead.Part


def visible_student(request: HttpRequest, pk: int, perm: str) -> Student:
    """The student if the user may see them (else 404) and holds `perm` on them (else 403)."""
    return get_visible_or_404(Student.objects.visible_to(request.user), request=request, perm=perm, pk=pk)


@login_required
@require_GET
def student_list(request: HttpRequest) -> HttpResponse:
    """Searchable, filterable, paginated list of the students the user may see."""
    require_perm(request, "students.view_student")
    filterset = student_filter(request)
    warn_refused(request, filterset)
    page = Paginator(filterset.qs, STUDENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "page": page, "query": kept_query(request, filterset)}
    return render(request, "students/student_list.html", context)


def support_profile_of(student: Student) -> SupportProfile:
    """The student's support profile (read with the student on its page); an empty one is made for a
    record that has none yet."""
    try:
        return student.support_profile
    except SupportProfile.DoesNotExist:
        return SupportProfile.objects.get_or_create(student=student)[0]


@login_required
@require_GET
def student_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A student's page: profile, credits, guardians, enrollments, support profile if allowed, history."""
    student = get_visible_or_404(
        student_record_rows(user=request.user), request=request, perm="students.view_student", pk=pk
    )
    can_see_support = request.user.has_perm("students.view_supportprofile", student)
    can_read_notes = request.user.has_perm("students.view_support_notes", student)
    support_profile = support_profile_of(student) if can_see_support else None
    guardians = list(guardians_with_consents(student=student))
    # The read audit notes only what this page shows this viewer (one INSERT).
    shown = {
        Part.GUARDIANS: bool(guardians),
        Part.SUPPORT_PROFILE: support_profile is not None,
        Part.PRIVATE_NOTES: can_read_notes and bool(support_profile and support_profile.private_notes),
    }
    # Arts programs, credentials, placements and the family thread: sections from the apps above.
    sections, shown_by_sections = render_sections("students:detail", request=request, obj=student)
    parts = [part for part, was in shown.items() if was] + sorted(shown_by_sections)
    record_read_create(request=request, student=student, parts=parts)
    contracts = (
        with_pace(contract_rows(user=request.user).filter(student=student), today=timezone.localdate())
        if request.user.has_perm("students.view_contract")
        else []
    )
    context = {
        "sections": sections,
        "contracts": contracts,
        "active_contract": next((c for c in contracts if c.is_active), None),
        "student": student,
        "enrollment": next((e for e in student.enrollment_history if e.is_open), None),
        "enrollments": student.enrollment_history,
        "guardians": guardians,
        "support_profile": support_profile,
        "history": student_change_history(
            student=student, include_support=can_see_support, include_notes=can_read_notes
        ),
        # Who opened this record: administrators only, newest first, paged by ?reads=.
        "reads": Paginator(student.record_reads.select_related("user"), READS_PER_PAGE).get_page(
            request.GET.get("reads")
        )
        if request.user.has_perm("students.view_recordread")
        else None,
        "read_audit_days": settings.ARTWORX_READ_AUDIT_DAYS,
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
    student = visible_student(request, pk, "students.change_student")
    form = StudentForm(request.POST or None, instance=student)
    if form.is_valid():
        student_save(student=form.instance)
        messages.success(request, _("Changes to %(student)s saved.") % {"student": student})
        return redirect("students:detail", pk=student.pk)
    return render(request, "students/student_form.html", {"form": form, "student": student})


@login_required
@require_http_methods(["GET", "POST"])
def guardian_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a guardian to a student."""
    student = visible_student(request, pk, "students.add_guardian")
    form = GuardianForm(request.POST or None, instance=Guardian(student=student))
    if form.is_valid():
        guardian_save(
            guardian=form.instance,
            consents=form.consents(),
            method=form.cleaned_data["consent_method"],
            by=request.user,
        )
        messages.success(request, _("Guardian added."))
        return redirect("students:detail", pk=student.pk)
    return render(request, "students/guardian_form.html", {"form": form, "student": student})


@login_required
@require_http_methods(["GET", "POST"])
def guardian_update(request: HttpRequest, pk: int, guardian_pk: int) -> HttpResponse:
    """Edit a student's guardian."""
    student = visible_student(request, pk, "students.change_guardian")
    guardian = get_object_or_404(student.guardians, pk=guardian_pk)
    form = GuardianForm(request.POST or None, instance=guardian)
    if request.method == "GET":
        record_read_create(request=request, student=student, parts=[Part.GUARDIANS])
    if form.is_valid():
        guardian_save(
            guardian=form.instance,
            consents=form.consents(),
            method=form.cleaned_data["consent_method"],
            by=request.user,
        )
        messages.success(request, _("Guardian saved."))
        return redirect("students:detail", pk=student.pk)
    return render(request, "students/guardian_form.html", {"form": form, "student": student})


@login_required
@require_http_methods(["GET", "POST"])
def support_profile_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the sensitive support flags and private notes."""
    student = visible_student(request, pk, "students.change_supportprofile")
    profile = support_profile_of(student)
    form = SupportProfileForm(request.POST or None, instance=profile)
    if request.method == "GET":
        shown = [Part.SUPPORT_PROFILE, *([Part.PRIVATE_NOTES] if profile.private_notes else [])]
        record_read_create(request=request, student=student, parts=shown)
    if form.is_valid():
        form.save()
        messages.success(request, _("Support profile saved."))
        return redirect("students:detail", pk=student.pk)
    return render(request, "students/support_profile_form.html", {"form": form, "student": student})
