"""Credit-recovery contract pages: list, open, detail, courses, results, extension."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from artworx.dates import shown_date
from artworx.history import change_history
from artworx.query import kept_query, warn_refused
from artworx.shortcuts import get_visible_or_404, require_perm
from students.filters import contract_filter
from students.forms import (
    ContractCancelForm,
    ContractExtendForm,
    ContractForm,
    CourseForm,
    CourseFormSet,
    CourseResolveForm,
)
from students.models import (
    Contract,
    ContractCourse,
)
from students.selectors import (
    contract_agreement,
    contract_credit_register,
    contract_rows,
    with_pace,
)
from students.services import (
    contract_cancel,
    contract_course_add,
    contract_course_resolve,
    contract_extend,
    contract_open,
)
from students.views.students import visible_student

# Credit-recovery contracts ----------------------------------------------------------------------

CONTRACTS_PER_PAGE = 25


@login_required
@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    """Contracts the user may see, filterable by site, teacher, status, pace and due date."""
    require_perm(request, "students.view_contract")
    filterset = contract_filter(request)  # the download's filters too, pace included
    warn_refused(request, filterset)
    page = Paginator(filterset.qs, CONTRACTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = with_pace(page.object_list, today=timezone.localdate())
    return render(
        request,
        "students/contract_list.html",
        {"filter": filterset, "page": page, "query": kept_query(request, filterset)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a contract with its courseload for an enrolled student."""
    student = visible_student(request, pk, "students.add_contract")
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
                _(
                    "Contract opened as a draft, planned due %(date)s: send its agreement for signatures. "
                    "It starts when everyone has signed."
                )
                % {"date": shown_date(contract.due_on)},
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
        "agreement": contract_agreement(contract=contract),
        "register": contract_credit_register(contract=contract),
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


@login_required
@require_http_methods(["GET", "POST"])
def contract_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a contract that has not started (a draft or one awaiting signatures), with a reason."""
    contract = _visible_contract(request, pk, "students.cancel_contract")
    if not contract.is_pending:
        messages.error(request, _("Only a contract that has not started can be cancelled."))
        return redirect("students:contract_detail", pk=contract.pk)
    form = ContractCancelForm(request.POST or None)
    if form.is_valid():
        try:
            contract = contract_cancel(contract=contract, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, contract.due_note)
            return redirect("students:contract_detail", pk=contract.pk)
    return render(request, "students/contract_cancel.html", {"form": form, "contract": contract})
