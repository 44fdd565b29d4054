"""Arts program pages: curriculum, cohorts, participants, sessions, and the artist's session log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from artworx.history import change_history
from artworx.query import warn_refused
from artworx.shortcuts import get_visible_or_404, require_perm
from programs.forms import (
    CertificationForm,
    CohortForm,
    CredentialForm,
    ParticipationEndForm,
    ParticipationForm,
    PathwayForm,
    PathwayStepFormSet,
    PlacementForm,
    PlacementHoursForm,
    ProgramForm,
    SessionCancelForm,
    SessionForm,
    SessionLogForm,
)
from programs.models import Cohort, Participation, Pathway, Placement, Program, Session
from programs.selectors import (
    artist_cohorts,
    attendance_alerts,
    cohort_roster,
    cohort_rows,
    cohort_sessions,
    combine_figures,
    my_sessions,
    session_log_rows,
    unlogged_sessions,
)
from programs.services import (
    cohort_complete,
    cohort_save,
    credential_record,
    participation_create,
    participation_end,
    placement_create,
    placement_hours_log,
    session_add,
    session_cancel,
    session_log_attendance,
    session_move,
    session_not_started,
)
from sites.forms import SiteChoiceForm
from students.models import Student


@login_required
@require_GET
def program_list(request: HttpRequest) -> HttpResponse:
    """The sequential curriculum: programs by discipline and level, and the career pathways."""
    require_perm(request, "programs.view_program")
    context = {
        "programs": Program.objects.select_related("prerequisite"),
        "pathways": Pathway.objects.prefetch_related("steps__program"),
        "site": _site_filter(request),  # carried to each pathway's outcomes
    }
    return render(request, "programs/program_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def program_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a program."""
    program = get_object_or_404(Program, pk=pk) if pk else Program()
    require_perm(request, "programs.change_program" if pk else "programs.add_program")
    form = ProgramForm(request.POST or None, instance=program)
    if form.is_valid():
        program = form.save()
        messages.success(request, _("Program %(name)s saved.") % {"name": program})
        return redirect("programs:program_list")
    return render(request, "programs/program_form.html", {"form": form, "program": program})


@login_required
@require_http_methods(["GET", "POST"])
def pathway_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create or edit a pathway and the order of its programs."""
    pathway = get_object_or_404(Pathway, pk=pk) if pk else Pathway()
    require_perm(request, "programs.change_pathway" if pk else "programs.add_pathway")
    form = PathwayForm(request.POST or None, instance=pathway)
    steps = PathwayStepFormSet(request.POST or None, instance=pathway, prefix="steps")
    if form.is_valid() and steps.is_valid():
        with transaction.atomic():
            pathway = form.save()
            steps.instance = pathway
            steps.save()
        messages.success(request, _("Pathway %(name)s saved.") % {"name": pathway})
        return redirect("programs:program_list")
    return render(request, "programs/pathway_form.html", {"form": form, "steps": steps, "pathway": pathway})


@login_required
@require_http_methods(["GET", "POST"])
def certification_create(request: HttpRequest) -> HttpResponse:
    """Add an industry certification and attach it to the pathways that prepare for it."""
    require_perm(request, "programs.add_certification")
    form = CertificationForm(request.POST or None)
    if form.is_valid():
        certification = form.save()
        messages.success(request, _("Certification %(name)s saved.") % {"name": certification.name})
        return redirect("programs:program_list")
    return render(request, "programs/certification_form.html", {"form": form})


@login_required
@require_GET
def cohort_list(request: HttpRequest) -> HttpResponse:
    """Cohorts the user may see, current terms first."""
    require_perm(request, "programs.view_cohort")
    site = _site_filter(request)
    cohorts = cohort_rows(user=request.user)
    if site is not None:
        cohorts = cohorts.filter(site=site)
    return render(request, "programs/cohort_list.html", {"cohorts": cohorts, "site": site})


def _visible_cohort(request: HttpRequest, pk: int, perm: str) -> Cohort:
    """A cohort the user may see (else 404) and holds `perm` on (else 403)."""
    return get_visible_or_404(cohort_rows(user=request.user), request=request, perm=perm, pk=pk)


@login_required
@require_GET
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A cohort: participants with attendance figures, and its sessions."""
    cohort = _visible_cohort(request, pk, "programs.view_cohort")
    roster = cohort_roster(cohort=cohort, user=request.user)
    shown = [p.pk for p in roster]
    context = {
        "cohort": cohort,
        "roster": roster,
        # Participants of other sites in a partner-venue cohort: counted, never named (rule 13).
        "others": cohort.enrolled - sum(p.status == Participation.Status.ENROLLED for p in roster),
        "sessions": cohort_sessions(cohort=cohort),
        # Every mark of a participant is for a session of their cohort: the roster's figures hold them all.
        "rate": combine_figures([p.figures for p in roster]).rate,
        "today": timezone.localdate(),
        "history": change_history(
            [
                (cohort.history.all(), _("Cohort")),
                (Participation.history.filter(cohort_id=cohort.pk, id__in=shown), _("Participant")),
            ]
        ),
    }
    return render(request, "programs/cohort_detail.html", context)


def _cohort_form_view(request: HttpRequest, cohort: Cohort) -> HttpResponse:
    form = CohortForm(request.POST or None, instance=cohort)
    if form.is_valid():
        try:
            cohort = cohort_save(
                cohort=form.save(commit=False), teaching_artists=form.cleaned_data["teaching_artists"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Cohort saved; its sessions are scheduled."))
            return redirect("programs:cohort_detail", pk=cohort.pk)
    return render(request, "programs/cohort_form.html", {"form": form, "cohort": cohort})


@login_required
@require_http_methods(["GET", "POST"])
def cohort_create(request: HttpRequest) -> HttpResponse:
    """Open a cohort; sessions are generated from its weekly pattern."""
    require_perm(request, "programs.add_cohort")
    return _cohort_form_view(request, Cohort())


@login_required
@require_http_methods(["GET", "POST"])
def cohort_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a cohort; future sessions follow a changed pattern."""
    cohort = _visible_cohort(request, pk, "programs.change_cohort")
    return _cohort_form_view(request, Cohort.objects.get(pk=cohort.pk))


@login_required
@require_http_methods(["GET", "POST"])
def participation_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a student to a cohort (rule 9 in the service)."""
    cohort = _visible_cohort(request, pk, "programs.add_participation")
    form = ParticipationForm(request.POST or None, cohort=cohort)
    if form.is_valid():
        try:
            participation_create(cohort=cohort, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("%(student)s joined the cohort.") % {"student": form.cleaned_data["student"]}
            )
            return redirect("programs:cohort_detail", pk=cohort.pk)
    return render(request, "programs/participation_form.html", {"form": form, "cohort": cohort})


@login_required
@require_http_methods(["GET", "POST"])
def participation_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a participant or mark them completed."""
    participation = get_visible_or_404(
        Participation.objects.filter(cohort__in=cohort_rows(user=request.user)).select_related(
            "student", "cohort"
        ),
        request=request,
        perm="programs.change_participation",
        pk=pk,
    )
    form = ParticipationEndForm(request.POST or None)
    if form.is_valid():
        try:
            participation_end(participation=participation, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(student)s: saved.") % {"student": participation.student})
            return redirect("programs:cohort_detail", pk=participation.cohort_id)
    context = {"form": form, "participation": participation, "cohort": participation.cohort}
    return render(request, "programs/participation_end.html", context)


@login_required
@require_POST
def cohort_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """At the end of term, mark everyone still enrolled as completed."""
    cohort = _visible_cohort(request, pk, "programs.change_participation")
    count = cohort_complete(cohort=cohort, on=min(timezone.localdate(), cohort.term_ends_on))
    messages.success(request, _("%(n)d participants completed the cohort.") % {"n": count})
    return redirect("programs:cohort_detail", pk=cohort.pk)


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a single session to a cohort."""
    cohort = _visible_cohort(request, pk, "programs.change_session")
    form = SessionForm(
        request.POST or None,
        initial={"starts_at": cohort.starts_at, "duration_minutes": cohort.duration_minutes},
    )
    if form.is_valid():
        try:
            session_add(cohort=cohort, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session added."))
            return redirect("programs:cohort_detail", pk=cohort.pk)
    return render(request, "programs/session_form.html", {"form": form, "cohort": cohort})


def _visible_session(request: HttpRequest, pk: int, perm: str) -> Session:
    """A session the user may see (else 404) and holds `perm` on (else 403)."""
    session = get_visible_or_404(
        Session.objects.visible_to(request.user).select_related(
            "cohort__program", "cohort__site", "cohort__venue"
        ),
        request=request,
        perm=perm,
        pk=pk,
    )
    return session


@login_required
@require_http_methods(["GET", "POST"])
def session_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a scheduled session to another date or time."""
    session = _visible_session(request, pk, "programs.change_session")
    form = SessionForm(request.POST or None, instance=Session.objects.get(pk=session.pk))
    if form.is_valid():
        try:
            session_move(session=session, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session moved."))
            return redirect("programs:cohort_detail", pk=session.cohort_id)
    return render(
        request, "programs/session_form.html", {"form": form, "cohort": session.cohort, "session": session}
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a session with a reason."""
    session = _visible_session(request, pk, "programs.change_session")
    form = SessionCancelForm(request.POST or None)
    if form.is_valid():
        try:
            session_cancel(session=session, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Session cancelled."))
            return redirect("programs:cohort_detail", pk=session.cohort_id)
    return render(request, "programs/session_cancel.html", {"form": form, "session": session})


@login_required
@require_GET
def my_sessions_view(request: HttpRequest) -> HttpResponse:
    """A teaching artist's phone screen: today's sessions, then past ones still to log."""
    require_perm(request, "programs.view_cohort")
    today = timezone.localdate()
    today_sessions, to_log = my_sessions(user=request.user, today=today)
    context = {
        "today_sessions": today_sessions,
        "to_log": to_log,
        "cohorts": artist_cohorts(user=request.user, today=today),
    }
    return render(request, "programs/my_sessions.html", context)


def _session_log_form(session: Session) -> SessionLogForm:
    """The log as it is now: current marks, topic and notes, and the revision they belong to."""
    form = SessionLogForm(rows=session_log_rows(session=session), session=session)
    form.initial.update(topic=session.topic, activities=session.activities, notes=session.notes)
    return form


@login_required
@require_http_methods(["GET", "POST"])
def session_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Log who came, what was taught and notes, in one screen and one request.

    A phone that saved the log while offline sends it later with `Accept: application/json` and
    reads the outcome from the status: 200 saved, 409 overtaken by someone else's save, 400 refused.
    """
    session = _visible_session(request, pk, "programs.log_session")
    wants_json = request.headers.get("Accept") == "application/json"
    if request.method == "GET":
        context = {"session": session, "form": _session_log_form(session)}
        try:
            session_not_started(session, now=timezone.localtime())
        except ValidationError as early:
            context["not_started"] = early.messages[0]
        return render(request, "programs/session_log.html", context)
    form = SessionLogForm(request.POST, rows=session_log_rows(session=session), session=session)
    conflict = None
    if form.is_valid():
        try:
            saved_session = session_log_attendance(
                session=session,
                marks=form.marks(),
                topic=form.cleaned_data["topic"],
                activities=form.cleaned_data["activities"],
                notes=form.cleaned_data["notes"],
                by=request.user,
                revision=form.cleaned_data["revision"],
                submission_key=form.cleaned_data["submission"],
            )
        except ValidationError as error:
            if error.code == "log_changed":
                conflict = error.messages[0]
            else:
                form.add_error(None, error)
        else:
            saved = _("Attendance saved for %(cohort)s.") % {"cohort": session.cohort.program}
            if "X-Artworx-Kept" not in request.headers:  # a log kept on the phone: its page says "sent"
                messages.success(request, saved)
            if wants_json:
                # The revision now saved, so the page that sent it can save again without a conflict.
                return JsonResponse(
                    {"status": "saved", "message": saved, "revision": saved_session.log_revision}
                )
            return redirect("programs:my_sessions")
    if wants_json:
        if conflict:
            return JsonResponse({"status": "conflict", "message": conflict}, status=409)
        refused = [str(message) for errors in form.errors.values() for message in errors]
        return JsonResponse({"status": "refused", "message": " ".join(refused)}, status=400)
    if conflict:
        # Show the log as the other person saved it, with their revision, so saving again is a
        # decision made looking at their marks.
        session.refresh_from_db()
        form = _session_log_form(session)
    context = {"session": session, "form": form, "conflict": conflict}
    return render(request, "programs/session_log.html", context)


def _site_filter(request: HttpRequest):
    """The site chosen in ?site=, among those the user may see; None for all (a refused value says so)."""
    form = SiteChoiceForm(request.GET or None, user=request.user)
    warn_refused(request, form)
    return form.chosen()


@login_required
@require_GET
def attendance_alerts_view(request: HttpRequest) -> HttpResponse:
    """Participants chronically absent or absent several times in a row: who to call first."""
    require_perm(request, "programs.view_attendance_alerts")
    site = _site_filter(request)
    rows = attendance_alerts(user=request.user, site=site)
    return render(request, "programs/attendance_alerts.html", {"rows": rows, "site": site})


@login_required
@require_GET
def unlogged_sessions_view(request: HttpRequest) -> HttpResponse:
    """Sessions held but never logged, with who should log them."""
    require_perm(request, "programs.view_attendance_alerts")
    site = _site_filter(request)
    page = Paginator(
        unlogged_sessions(user=request.user, today=timezone.localdate(), site=site), 50
    ).get_page(request.GET.get("page"))
    query = f"site={site.pk}" if site else ""  # the only filter: a refused one is not carried on
    return render(request, "programs/unlogged_sessions.html", {"page": page, "site": site, "query": query})


# Credentials and placements ---------------------------------------------------------------------


def _visible_student(request: HttpRequest, pk: int, perm: str):
    """A student in the user's scope (else 404) on whom the user holds `perm` (else 403)."""
    return get_visible_or_404(Student.objects.visible_to(request.user), request=request, perm=perm, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def credential_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a certification a student earned."""
    student = _visible_student(request, pk, "programs.add_credential")
    form = CredentialForm(request.POST or None)
    if form.is_valid():
        try:
            credential_record(student=student, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Credential recorded."))
            return redirect("students:detail", pk=student.pk)
    return render(request, "programs/credential_form.html", {"form": form, "student": student})


@login_required
@require_http_methods(["GET", "POST"])
def placement_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a placement with a partner for a student."""
    student = _visible_student(request, pk, "programs.add_placement")
    form = PlacementForm(request.POST or None)
    if form.is_valid():
        try:
            placement = placement_create(student=student, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Placement recorded."))
            return redirect("programs:placement_detail", pk=placement.pk)
    return render(request, "programs/placement_form.html", {"form": form, "student": student})


@login_required
@require_http_methods(["GET", "POST"])
def placement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A placement with its logged hours; program staff log more hours here."""
    placement = get_object_or_404(
        Placement.objects.filter(student__in=Student.objects.visible_to(request.user)).select_related(
            "student", "partner"
        ),
        pk=pk,
    )
    can_log = request.user.has_perm("programs.add_placementhours")
    if request.method == "POST":
        require_perm(request, "programs.add_placementhours")
    form = PlacementHoursForm(request.POST or None, initial={"on": timezone.localdate()})
    if can_log and form.is_valid():
        data = form.cleaned_data
        try:
            placement_hours_log(
                placement=placement,
                on=data["on"],
                hours=data["hours"],
                signed_off_by=request.user if data["staff_sign_off"] else None,
                supervisor_approval=data["supervisor_approval"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Hours logged."))
            return redirect("programs:placement_detail", pk=placement.pk)
    hours = list(placement.hours.select_related("signed_off_by"))
    context = {
        "placement": placement,
        "hours": hours,
        "logged": sum((h.hours for h in hours), start=0),
        "form": form if can_log else None,
    }
    return render(request, "programs/placement_detail.html", context)
