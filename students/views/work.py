"""Work product pages: give an assignment, record it handed in, the teacher's evaluation, and the
missed-work review (decide, print)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from artworx.shortcuts import require_perm
from students.forms import AssignmentForm, EvaluateForm, HandInForm, ReviewDecideForm
from students.services import assignment_create, assignment_evaluate, assignment_hand_in, review_decide
from students.views.contracts import _visible_contract


@login_required
@require_http_methods(["GET", "POST"])
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Give an assignment on one of the contract's courses."""
    contract = _visible_contract(request, pk, "students.record_work")
    form = AssignmentForm(request.POST or None, contract=contract)
    if form.is_valid():
        try:
            assignment_create(contract=contract, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Assignment added."))
            return redirect("students:contract_detail", pk=contract.pk)
    title = _("New assignment")
    return render(request, "students/work_form.html", {"form": form, "contract": contract, "title": title})


@login_required
@require_POST
def assignment_hand_in_view(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    """Record the day a piece of work was handed in."""
    contract = _visible_contract(request, pk, "students.record_work")
    assignment = get_object_or_404(contract.assignments, pk=assignment_pk)
    form = HandInForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day the work was handed in."))
        return redirect("students:contract_detail", pk=contract.pk)
    try:
        assignment_hand_in(assignment=assignment, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(title)s handed in.") % {"title": assignment.title})
    return redirect("students:contract_detail", pk=contract.pk)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_evaluate_view(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    """The teacher's evaluation of handed-in work and the time value it is credited."""
    contract = _visible_contract(request, pk, "students.evaluate_work")
    assignment = get_object_or_404(contract.assignments.select_related("course"), pk=assignment_pk)
    form = EvaluateForm(request.POST or None)
    if form.is_valid():
        try:
            assignment_evaluate(
                assignment=assignment,
                evaluation=form.cleaned_data["evaluation"],
                by=request.user,
                **form.time_value(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(title)s evaluated.") % {"title": assignment.title})
            return redirect("students:contract_detail", pk=contract.pk)
    context = {"form": form, "contract": contract, "title": _("Evaluate: %(title)s") % {"title": assignment}}
    return render(request, "students/work_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    """A missed-work review: the missed assignments, the teacher's decision and findings; printable."""
    contract = _visible_contract(request, pk, "students.view_contract")
    review = get_object_or_404(contract.reviews.select_related("decided_by"), pk=review_pk)
    form = None
    if review.status == review.Status.OPEN and request.user.has_perm("students.decide_review", contract):
        form = ReviewDecideForm(request.POST or None)
    if request.method == "POST":
        require_perm(request, "students.decide_review", contract)
        if form is not None and form.is_valid():
            try:
                review_decide(review=review, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Review recorded."))
                return redirect("students:review_detail", pk=contract.pk, review_pk=review.pk)
        elif form is None:
            messages.error(request, _("This review was already decided."))
            return redirect("students:review_detail", pk=contract.pk, review_pk=review.pk)
    missed = review.missed_assignments.select_related("course").order_by("due_on", "pk")
    context = {"contract": contract, "review": review, "missed": missed, "form": form}
    return render(request, "students/review_detail.html", context)
