"""Reminders about the arts programs: sessions not logged, absences in a row and chronic absence."""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind, ReminderSettings, SweepRun
from notifications.selectors import counselors, email_opt_ins, program_staff
from notifications.services import notifications_enqueue_many
from notifications.sweeps import sweep, user_draft
from programs.models import AbsenceThresholds, Attendance, Participation, Session
from programs.selectors import attendance_figures
from students.models import Enrollment

# Sessions and absences older than this are history: a first sweep does not page about last year.
ATTENDANCE_LOOKBACK_DAYS = 14


def _session_ended(session: Session) -> datetime:
    """When a session ended, as an aware moment in Los Angeles."""
    start = datetime.combine(session.date, session.starts_at)
    return timezone.make_aware(start + timedelta(minutes=session.duration_minutes))


@sweep
def attendance_not_logged(*, now: datetime) -> int:
    """Remind a session's artists 2 h after it ended unlogged; tell program staff after 48 h."""
    kind = Kind.ATTENDANCE_NOT_LOGGED
    thresholds = ReminderSettings.current()
    today = timezone.localdate(now)
    sessions = list(
        Session.objects.unlogged()
        .filter(date__gte=today - timedelta(days=ATTENDANCE_LOOKBACK_DAYS), date__lte=today)
        .select_related("cohort__program", "cohort__site", "cohort__venue")
        .prefetch_related("cohort__teaching_artists")
        .order_by("pk")
    )
    staff = program_staff()
    artist_ids = {a.pk for s in sessions for a in s.cohort.teaching_artists.all()}
    opt_ins = email_opt_ins(user_ids=artist_ids | {u.pk for u in staff}, kind=kind)
    drafts = []
    for session in sessions:
        hours = (now - _session_ended(session)).total_seconds() / 3600
        if hours < thresholds.attendance_remind_after_hours:
            continue
        context = {
            "program_name": session.cohort.program.name,
            "place_name": str(session.cohort.place),
            "session_date": session.date,
            "starts_at": session.starts_at,
        }
        log_url = reverse("programs:session_log", args=[session.pk])
        for artist in session.cohort.teaching_artists.all():
            if artist.is_active:
                drafts.append(
                    user_draft(
                        artist,
                        kind=kind,
                        subject=session,
                        occasion="remind",
                        context={**context, "escalated": False},
                        opt_ins=opt_ins,
                        link_url=log_url,
                    )
                )
        if hours >= thresholds.attendance_escalate_after_hours:
            artists = ", ".join(str(a) for a in session.cohort.teaching_artists.all())
            for user in staff:
                drafts.append(
                    user_draft(
                        user,
                        kind=kind,
                        subject=session,
                        occasion="escalate",
                        context={**context, "escalated": True, "artist_names": artists},
                        opt_ins=opt_ins,
                        link_url=reverse("programs:cohort_detail", args=[session.cohort_id]),
                    )
                )
    return notifications_enqueue_many(drafts=drafts)


# Marks changed this long before the last run started are read again, for a save that was still
# in flight while that run read.
SWEEP_OVERLAP = timedelta(hours=1)


@sweep
def absences(*, now: datetime) -> int:
    """Flag absences in a row (teacher, program staff) and chronic absence (teacher, staff, counselors)."""
    today = timezone.localdate(now)
    recent = Session.objects.filter(
        status=Session.Status.LOGGED, date__gte=today - timedelta(days=ATTENDANCE_LOOKBACK_DAYS)
    )
    participations = Participation.objects.enrolled().filter(cohort__in=recent.values("cohort"))
    # Figures only change when a mark does (or the thresholds): after a first full pass, read only
    # the participants with marks saved since the last run, so the cost follows the day's logging
    # rather than the year's history. The last run's start, not a fixed window, so an outage of the
    # beat loses nothing.
    last = SweepRun.objects.filter(name="absences").first()
    since = last.started_at - SWEEP_OVERLAP if last else None
    if since is not None and not AbsenceThresholds.history.filter(history_date__gte=since).exists():
        changed = Attendance.objects.filter(participation=OuterRef("pk"), updated_at__gte=since)
        participations = participations.filter(Exists(changed))
    participations = list(participations.select_related("student", "cohort__program").order_by("pk"))
    figures = attendance_figures(p.pk for p in participations)
    teachers = {
        e.student_id: e.teacher
        for e in Enrollment.objects.open()
        .filter(student__in=[p.student_id for p in participations])
        .select_related("teacher")
        if e.teacher.is_active
    }
    staff, counsel = program_staff(), counselors()
    # DESIGN.md sends chronic absence to the site teacher and counselors; the issue adds program staff.
    audiences = {Kind.CONSECUTIVE_ABSENCES: staff, Kind.CHRONIC_ABSENCE: staff + counsel}
    opt_ins = {
        kind: email_opt_ins(user_ids={t.pk for t in teachers.values()} | {u.pk for u in users}, kind=kind)
        for kind, users in audiences.items()
    }
    drafts = []
    for participation in participations:
        flags = figures.get(participation.pk)
        if flags is None:
            continue
        due = []
        if flags.absent_in_a_row:
            # One reminder per run of absences: the run is named by the session it started on.
            due.append((Kind.CONSECUTIVE_ABSENCES, f"run-from-{flags.streak_since:%Y-%m-%d}"))
        if flags.chronically_absent:
            due.append((Kind.CHRONIC_ABSENCE, "crossed"))
        for kind, occasion in due:
            recipients = {u.pk: u for u in audiences[kind]}
            teacher = teachers.get(participation.student_id)
            if teacher is not None:
                recipients[teacher.pk] = teacher
            context = {
                "student_name": participation.student.display_name,
                "program_name": participation.cohort.program.name,
                "absences_in_a_row": flags.absences_in_a_row,
                "absences": flags.absences,
                "sessions": flags.sessions,
                "rate": flags.rate,
            }
            for user in recipients.values():
                drafts.append(
                    user_draft(
                        user,
                        kind=kind,
                        subject=participation,
                        occasion=occasion,
                        context=context,
                        opt_ins=opt_ins[kind],
                        link_url=reverse("students:detail", args=[participation.student_id]),
                    )
                )
    written = notifications_enqueue_many(drafts=drafts)
    SweepRun.objects.update_or_create(name="absences", defaults={"started_at": now})
    return written
