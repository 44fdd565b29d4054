"""Staff pages: a family's copy and corrections; administrators': ending a district contract."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from retention.copies import family_copy_pdf, family_copy_zip, family_language
from retention.forms import CopyLanguageForm, CorrectionForm, ReleaseForm
from retention.models import DistrictRelease
from retention.services.corrections import correction_record
from retention.services.releases import (
    release_carry_out,
    release_confirm,
    release_plan,
    release_signature_holds,
)
from retention.tasks import carry_out_release
from students.models import Student

logger = logging.getLogger(__name__)


def _student(request: HttpRequest, pk: int, perm: str) -> Student:
    student = get_object_or_404(Student.objects.visible_to(request.user), pk=pk)  # not yours: 404
    if not request.user.has_perm(perm, student):  # yours, not your role's: 403
        raise PermissionDenied
    return student


@login_required
@require_GET
def family_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """A student's copy for the family (PDF, ZIP) in their language, and the corrections recorded."""
    student = _student(request, pk, "retention.make_family_copy")
    context = {
        "student": student,
        "language_form": CopyLanguageForm(initial={"language": family_language(student)}),
        "corrections": student.corrections.select_related("recorded_by"),
        "can_correct": request.user.has_perm("retention.add_correction", student),
    }
    return render(request, "retention/family_copy.html", context)


def _copy_language(request: HttpRequest, student: Student) -> str | None:
    if "language" not in request.GET:
        return family_language(student)
    form = CopyLanguageForm(request.GET)
    return form.cleaned_data["language"] if form.is_valid() else None


@login_required
@require_GET
def family_copy_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The copy as a PDF, or as a ZIP holding its JSON and the PDF."""
    student = _student(request, pk, "retention.make_family_copy")
    language = _copy_language(request, student)
    if language is None:
        messages.error(request, _("Choose English or Spanish."))
        return redirect("retention:family_copy", pk=student.pk)
    if fmt == "pdf":
        response = HttpResponse(
            family_copy_pdf(student=student, language=language), content_type="application/pdf"
        )
    else:
        response = HttpResponse(
            family_copy_zip(student=student, language=language), content_type="application/zip"
        )
    response["Content-Disposition"] = f'attachment; filename="student-{student.pk}-{language}.{fmt}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def correction_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a correction a family asked for: the field changed, and what and why kept."""
    student = _student(request, pk, "retention.add_correction")
    form = CorrectionForm(request.POST or None)
    if form.is_valid():
        try:
            correction_record(student=student, by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, _("Correction recorded."))
            return redirect("retention:family_copy", pk=student.pk)
    return render(request, "retention/correction_form.html", {"student": student, "form": form})


def _administrator(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def release_list(request: HttpRequest) -> HttpResponse:
    """Ends of district contracts, and the form that makes the dry run of a new one."""
    _administrator(request, "retention.plan_release")
    form = ReleaseForm(request.POST or None)
    if form.is_valid():
        try:
            release = release_plan(by=request.user, **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, _("Dry run made: nothing was changed. Two administrators confirm it."))
            return redirect("retention:release_detail", pk=release.pk)
    releases = DistrictRelease.objects.select_related(
        "planned_by", "first_confirmed_by", "second_confirmed_by"
    )
    return render(request, "retention/release_list.html", {"form": form, "releases": releases})


@login_required
@require_GET
def release_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A release: its dry run, who confirmed it, its export and its signed summary."""
    _administrator(request, "retention.plan_release")
    release = get_object_or_404(DistrictRelease, pk=pk)
    context = {
        "release": release,
        "plan": sorted(release.plan.items()),
        "signature_holds": release_signature_holds(release),
        "export_available": bool(release.export_name) and release.export_deleted_at is None,
    }
    return render(request, "retention/release_detail.html", context)


def _carry_out(release: DistrictRelease) -> None:
    """In the request on the embedded default, else by a worker; with the broker down, the nightly run
    carries out every approved release (retention.services.nightly)."""
    if settings.ARTWORX_RUN_TASKS_INLINE:
        release_carry_out(release_id=release.pk)
        return
    try:
        carry_out_release.delay(release.pk)
    except Exception:  # the broker is down: the nightly run finds the approved release
        logger.warning("Broker unreachable; district release %s waits for the nightly run", release.pk)


@login_required
@require_POST
def release_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm a release; the second administrator's confirmation starts the export and anonymisation."""
    _administrator(request, "retention.confirm_release")
    release = get_object_or_404(DistrictRelease, pk=pk)
    try:
        release = release_confirm(release=release, by=request.user)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    else:
        if release.status == DistrictRelease.Status.APPROVED:
            _carry_out(release)
            messages.success(request, _("Confirmed twice: the export and the anonymisation are under way."))
        else:
            messages.success(request, _("Confirmed. Another administrator confirms it too."))
    return redirect("retention:release_detail", pk=pk)


@login_required
@require_GET
def release_export(request: HttpRequest, pk: int) -> FileResponse:
    """The release's export for the district: every selected student's records as JSON in a ZIP."""
    _administrator(request, "retention.plan_release")
    release = get_object_or_404(DistrictRelease, pk=pk)
    if not release.export_name or release.export_deleted_at is not None:
        raise Http404
    return FileResponse(
        default_storage.open(release.export_name, "rb"),
        as_attachment=True,
        filename=f"release-{release.pk}.zip",
        content_type="application/zip",
    )
