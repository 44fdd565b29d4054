"""Alumni pages: the list, a staff member's due check-ins, an alumnus's timeline, outcomes by year."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from alumni.forms import AlumnusForm, CheckInForm, alumnus_filter
from alumni.models import Alumnus, CheckIn
from alumni.selectors import alumni_rows, outcomes_by_year
from alumni.services import alumni_due, alumnus_save, check_in_record
from artworx.history import change_history
from artworx.query import kept_query, warn_refused
from artworx.shortcuts import get_visible_or_404, require_perm
from programs.models import Credential
from programs.selectors import student_participations
from students.models import Student

ALUMNI_PER_PAGE = 25


@login_required
@require_GET
def alumnus_list(request: HttpRequest) -> HttpResponse:
    """Alumni the user may see, filterable by year, site, pathway, outcome and overdue."""
    require_perm(request, "alumni.view_alumnus")
    filterset = alumnus_filter(request)
    warn_refused(request, filterset)
    page = Paginator(filterset.qs, ALUMNI_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "query": kept_query(request, filterset),
        "today": timezone.localdate(),
    }
    return render(request, "alumni/alumnus_list.html", context)


@login_required
@require_GET
def my_alumni(request: HttpRequest) -> HttpResponse:
    """The signed-in staff member's alumni: overdue check-ins first, then those due this week."""
    require_perm(request, "alumni.change_alumnus")
    today = timezone.localdate()
    due = list(alumni_due(staff=request.user, today=today))
    context = {
        "overdue": [a for a in due if a.next_check_in_on < today],
        "this_week": [a for a in due if a.next_check_in_on >= today],
        "carried": request.user.alumni.count(),
    }
    return render(request, "alumni/my_alumni.html", context)


def _visible_alumnus(request: HttpRequest, pk: int, perm: str) -> Alumnus:
    """An alumnus the user may see (else 404) and holds `perm` on (else 403)."""
    return get_visible_or_404(alumni_rows(user=request.user), request=request, perm=perm, pk=pk)


@login_required
@require_GET
def alumnus_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An alumnus: outcome timeline, what they finished with us, contacts for those allowed."""
    alumnus = _visible_alumnus(request, pk, "alumni.view_alumnus")
    context = {
        "alumnus": alumnus,
        "student": Student.objects.with_credits().get(pk=alumnus.student_id),
        "check_ins": alumnus.check_ins.select_related("staff"),
        "participations": student_participations(student=alumnus.student),
        "credentials": Credential.objects.filter(student_id=alumnus.student_id).select_related(
            "certification"
        ),
        "can_see_contact": request.user.has_perm("alumni.view_alumnus_contact", alumnus),
        "today": timezone.localdate(),
        "history": change_history(
            [
                (alumnus.history.all(), _("Alumnus")),
                (CheckIn.history.filter(alumnus_id=alumnus.pk), _("Check-in")),
            ]
        ),
    }
    return render(request, "alumni/alumnus_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def alumnus_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep contact details and consent current; reassign the staff contact."""
    alumnus = _visible_alumnus(request, pk, "alumni.change_alumnus")
    form = AlumnusForm(request.POST or None, instance=alumnus)
    if form.is_valid():
        try:
            alumnus_save(alumnus=form.save(commit=False))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("alumni:detail", pk=alumnus.pk)
    return render(request, "alumni/alumnus_form.html", {"form": form, "alumnus": alumnus})


@login_required
@require_http_methods(["GET", "POST"])
def check_in_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a check-in; the next one is scheduled by the cadence unless given."""
    alumnus = _visible_alumnus(request, pk, "alumni.add_checkin")
    form = CheckInForm(request.POST or None)
    if form.is_valid():
        try:
            check_in = check_in_record(alumnus=alumnus, staff=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Check-in saved. Next one due %(date)s.") % {"date": check_in.next_due_on}
            )
            return redirect("alumni:detail", pk=alumnus.pk)
    return render(request, "alumni/check_in_form.html", {"form": form, "alumnus": alumnus})


@login_required
@require_GET
def outcomes(request: HttpRequest) -> HttpResponse:
    """Where graduates are 6 and 12 months after graduating, by graduation year."""
    require_perm(request, "alumni.view_alumnus")
    rows = outcomes_by_year(alumni=Alumnus.objects.visible_to(request.user), today=timezone.localdate())
    return render(request, "alumni/outcomes.html", {"rows": rows})
