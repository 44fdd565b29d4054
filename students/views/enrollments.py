"""Enrollment pages: enrol at a site, transfer, end with a reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from artworx.shortcuts import get_visible_or_404
from students.forms import (
    ExitForm,
    PlacementForm,
)
from students.models import (
    Enrollment,
)
from students.services import (
    enrollment_create,
    enrollment_exit,
    enrollment_transfer,
)
from students.services.seats import seats_open
from students.views.students import visible_student


@login_required
@require_http_methods(["GET", "POST"])
def enrollment_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Enroll a student at a site with a teacher (capacity rules in the service)."""
    student = visible_student(request, pk, "students.add_enrollment")
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
            _tell_seat_open(request, site_id=enrollment.site_id)
            return redirect("students:detail", pk=enrollment.student_id)
    context = {"form": form, "student": enrollment.student, "enrollment": enrollment, "action": "transfer"}
    return render(request, "students/enrollment_form.html", context)


def _tell_seat_open(request: HttpRequest, *, site_id: int) -> None:
    """Rule 4 on the page that freed the seat: "A seat is open at X: N waiting; enroll <head>"."""
    if not request.user.has_perm("students.view_waitlistentry"):
        return
    for seat in seats_open(site_ids=[site_id]):
        text = ngettext(
            "A seat is open at %(site)s: %(count)d waiting; enroll %(head)s",
            "A seat is open at %(site)s: %(count)d waiting; enroll %(head)s",
            seat.waiting,
        ) % {"site": seat.site.name, "count": seat.waiting, "head": seat.head.student.display_name}
        link = reverse("students:waitlist", args=[site_id])
        messages.warning(
            request,
            format_html('{} <a class="alert-link" href="{}">{}</a>', text, link, _("Open the waitlist")),
        )


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
                diploma=data["diploma"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Enrollment of %(student)s ended.") % {"student": enrollment.student})
            _tell_seat_open(request, site_id=enrollment.site_id)
            return redirect("students:detail", pk=enrollment.student_id)
    context = {"form": form, "student": enrollment.student, "enrollment": enrollment}
    return render(request, "students/enrollment_exit.html", context)
