"""Waitlist and referral pages: join a waitlist, enroll or skip from it, record and convert referrals."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from artworx.cache import cached, version_key
from artworx.history import change_history
from artworx.query import kept_query, warn_refused
from artworx.roles import COUNSELOR
from sites.forms import OptionalPeriodForm
from sites.models import Partner, Site
from students.filters import referral_filter
from students.forms import (
    ReferralAdvanceForm,
    ReferralConvertForm,
    ReferralForm,
    WaitlistAddForm,
    WaitlistEnrollForm,
    WaitlistSkipForm,
)
from students.models import RecordRead, Referral, Student, SubjectArea, WaitlistEntry
from students.selectors import referral_funnel, site_seats_left
from students.services import (
    REFERRAL_NEXT,
    record_read_create,
    referral_advance,
    referral_convert,
    referral_create,
    referral_matches,
    referral_update,
    waitlist_add,
    waitlist_enroll,
    waitlist_skip,
)

User = get_user_model()
REFERRALS_PER_PAGE = 25


# Waitlists --------------------------------------------------------------------------------------


@login_required
@require_POST
def waitlist_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a student on a full site's waitlist (offered by the enroll page)."""
    student = get_object_or_404(Student.objects.visible_to(request.user), pk=pk)
    if not request.user.has_perm("students.change_waitlistentry"):
        raise PermissionDenied
    form = WaitlistAddForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose a site."))
        return redirect("students:enroll", pk=student.pk)
    site = form.cleaned_data["site"]
    try:
        waitlist_add(student=student, site=site, on=timezone.localdate())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("students:detail", pk=student.pk)
    messages.success(
        request, _("%(student)s is on the waitlist of %(site)s.") % {"student": student, "site": site}
    )
    return redirect("students:waitlist", site_pk=site.pk)


def _waitlist_site(request: HttpRequest, site_pk: int) -> Site:
    """A site the user may see (else 404) whose waitlist they may see (else 403)."""
    site = get_object_or_404(Site.objects.visible_to(request.user), pk=site_pk)
    if not request.user.has_perm("students.view_waitlistentry"):
        raise PermissionDenied
    return site


@login_required
@require_GET
def waitlist(request: HttpRequest, site_pk: int) -> HttpResponse:
    """A site's waitlist, head first, with seats open and the last decisions."""
    site = _waitlist_site(request, site_pk)
    entries = site.waitlist_entries.select_related("student")
    context = {
        "site": site,
        "seats": site_seats_left(site),
        "waiting": entries.waiting(),
        "resolved": entries.exclude(status=WaitlistEntry.Status.WAITING).order_by("-resolved_on", "-pk")[:20],
    }
    return render(request, "students/waitlist.html", context)


def _waiting_entry(request: HttpRequest, pk: int) -> WaitlistEntry:
    entry = get_object_or_404(
        WaitlistEntry.objects.visible_to(request.user).select_related("student", "site"), pk=pk
    )
    if not request.user.has_perm("students.change_waitlistentry", entry):
        raise PermissionDenied
    return entry


@login_required
@require_http_methods(["GET", "POST"])
def waitlist_enroll_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Enroll a waiting student at the site through the capacity service."""
    entry = _waiting_entry(request, pk)
    form = WaitlistEnrollForm(request.POST or None, user=request.user, site=entry.site)
    if form.is_valid():
        try:
            waitlist_enroll(entry=entry, teacher=form.cleaned_data["teacher"], on=form.cleaned_data["on"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(student)s enrolled at %(site)s.") % {"student": entry.student, "site": entry.site},
            )
            return redirect("students:waitlist", site_pk=entry.site_id)
    return render(request, "students/waitlist_enroll.html", {"form": form, "entry": entry})


@login_required
@require_http_methods(["GET", "POST"])
def waitlist_skip_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a waiting student off the list with a reason."""
    entry = _waiting_entry(request, pk)
    form = WaitlistSkipForm(request.POST or None)
    if form.is_valid():
        try:
            waitlist_skip(entry=entry, reason=form.cleaned_data["reason"], on=timezone.localdate())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(student)s skipped.") % {"student": entry.student})
            return redirect("students:waitlist", site_pk=entry.site_id)
    return render(request, "students/waitlist_skip.html", {"form": form, "entry": entry})


# Referrals --------------------------------------------------------------------------------------


@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    """Referrals the user may see, filterable by status, source and counselor."""
    if not request.user.has_perm("students.view_referral"):
        raise PermissionDenied
    filterset = referral_filter(request)  # the download's filters too
    warn_refused(request, filterset)
    page = Paginator(filterset.qs, REFERRALS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": kept_query(request, filterset),
        "statuses": Referral.Status.choices,
        "sources": Partner.objects.filter(referrals__isnull=False).distinct(),
        "counselors": User.objects.filter(groups__name=COUNSELOR).order_by("first_name", "username"),
        "selected": {name: request.GET.get(name, "") for name in filterset.filters},
    }
    return render(request, "students/referral_list.html", context)


def _referral(request: HttpRequest, pk: int, perm: str) -> Referral:
    """A referral the role may see at all (else 403), in the user's scope (else 404), with `perm`."""
    if not request.user.has_perm("students.view_referral"):
        raise PermissionDenied  # teaching artists never see referrals, not even that one exists
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("source", "counselor", "student"), pk=pk
    )
    if not request.user.has_perm(perm, referral):
        raise PermissionDenied
    return referral


@login_required
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A referral: the youth, the assessment, the funnel dates and the student it became."""
    referral = _referral(request, pk, "students.view_referral")
    record_read_create(request=request, referral=referral, parts=[RecordRead.Part.REFERRAL])
    labels = dict(SubjectArea.choices)
    credits = [(labels.get(area, area), value) for area, value in referral.credits_held.items()]
    context = {
        "referral": referral,
        "credits": credits,
        "can_change": request.user.has_perm("students.change_referral", referral),
        "next_steps": REFERRAL_NEXT.get(referral.status, ()),
        "history": change_history([(referral.history.all(), _("Referral"))]),
    }
    return render(request, "students/referral_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def referral_create_view(request: HttpRequest) -> HttpResponse:
    """Record a new referral."""
    if not request.user.has_perm("students.add_referral"):
        raise PermissionDenied
    form = ReferralForm(request.POST or None, initial={"counselor": request.user.pk})
    if form.is_valid():
        try:
            referral = referral_create(**form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Referral of %(name)s recorded.") % {"name": referral.first_name})
            return redirect("students:referral_detail", pk=referral.pk)
    return render(request, "students/referral_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def referral_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a referral's details and credit assessment."""
    referral = _referral(request, pk, "students.change_referral")
    form = ReferralForm(request.POST or None, instance=referral)
    if request.method == "GET":
        record_read_create(request=request, referral=referral, parts=[RecordRead.Part.REFERRAL])
    if form.is_valid():
        try:
            referral_update(referral=referral, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Referral saved."))
            return redirect("students:referral_detail", pk=referral.pk)
    return render(request, "students/referral_form.html", {"form": form, "referral": referral})


@login_required
@require_http_methods(["GET", "POST"])
def referral_advance_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a referral to its next step with a date."""
    referral = _referral(request, pk, "students.change_referral")
    steps = [(s, Referral.Status(s).label) for s in REFERRAL_NEXT.get(referral.status, ())]
    # ?status= may preselect one of the next steps; any other value is dropped, never echoed back.
    chosen = request.GET.get("status")
    initial = {"status": chosen} if chosen in dict(steps) else None
    form = ReferralAdvanceForm(request.POST or None, steps=steps, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            referral_advance(referral=referral, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Referral moved on."))
            return redirect("students:referral_detail", pk=referral.pk)
    return render(request, "students/referral_advance.html", {"form": form, "referral": referral})


@login_required
@require_http_methods(["GET", "POST"])
def referral_convert_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Enroll a referred youth at a site (matching an existing student); a full site means its waitlist."""
    referral = _referral(request, pk, "students.change_referral")
    if referral.student_id:
        messages.info(request, _("This referral was already converted."))
        return redirect("students:referral_detail", pk=referral.pk)
    form = ReferralConvertForm(
        request.POST or None, user=request.user, matches=referral_matches(referral=referral)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            placed = referral_convert(
                referral=referral,
                site=data["site"],
                teacher=data["teacher"],
                on=data["on"],
                grade=data.get("grade"),
                student=data["student"],
                create_new=data.get("match") == form.NEW,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if isinstance(placed, WaitlistEntry):
                messages.warning(
                    request,
                    _("%(site)s is full: %(student)s is on its waitlist.")
                    % {"site": placed.site, "student": placed.student},
                )
                return redirect("students:waitlist", site_pk=placed.site_id)
            messages.success(
                request,
                _("%(student)s enrolled at %(site)s.") % {"student": placed.student, "site": placed.site},
            )
            return redirect("students:detail", pk=placed.student_id)
    return render(request, "students/referral_convert.html", {"form": form, "referral": referral})


FUNNEL_ROWS_PER_PAGE = 36  # a year of three sources, or three months of twelve


@login_required
@require_GET
def referral_funnel_view(request: HttpRequest) -> HttpResponse:
    """The referral funnel: counts and conversion per stage by source and month, median days per stage."""
    if not request.user.has_perm("students.add_referral"):
        raise PermissionDenied
    period = OptionalPeriodForm(request.GET or None)
    warn_refused(request, period)
    start, end = period.dates()
    # Kept until a referral changes: the counts and medians read every referral of the period.
    funnel = cached(
        version_key("funnel", start, end, sources=[Referral, Partner]),
        lambda: referral_funnel(start=start, end=end),
    )
    # The table by source and month grows a row per source every month: a page of it at a time, so the
    # page drawn stays the same size however many years of referrals there are (issue #22).
    page = Paginator(funnel["rows"], FUNNEL_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        **funnel,
        "page": page,
        "query": kept_query(request, period),
        "period": period,
        "start": start,
        "end": end,
    }
    return render(request, "students/referral_funnel.html", context)
