"""Reminders about the arts programs: sessions not logged, absences in a row and chronic absence."""

from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from notifications.items import items_close, resolver
from notifications.models import Kind, ReminderSettings, SweepRun
from notifications.selectors import email_opt_ins
from notifications.services import notifications_enqueue_many
from notifications.sweeps import responsible_drafts, sweep
from programs.models import AbsenceThresholds, Attendance, Participation, Session
from programs.selectors import attendance_figures
from students.models import Enrollment

# Sessions and absences older than this are history: a first sweep does not page about last year.
ATTENDANCE_LOOKBACK_DAYS = 14
# Participants whose absence figures are read and written per committed step.
ABSENCE_CHUNK = 2000
ABSENCE_KINDS = (Kind.CONSECUTIVE_ABSENCES, Kind.CHRONIC_ABSENCE)


def _session_ended(session: Session) -> datetime:
    """When a session ended, as an aware moment in Los Angeles."""
    start = datetime.combine(session.date, session.starts_at)
    return timezone.make_aware(start + timedelta(minutes=session.duration_minutes))


@sweep
def attendance_not_logged(*, now: datetime) -> int:
    """Remind a session's artists 2 h after it ended unlogged; tell the site's lead after 48 h."""
    kind = Kind.ATTENDANCE_NOT_LOGGED
    thresholds = ReminderSettings.current()
    today = timezone.localdate(now)
    sessions = list(
        Session.objects.unlogged()
        .filter(date__gte=today - timedelta(days=ATTENDANCE_LOOKBACK_DAYS), date__lte=today)
        .select_related("cohort__program", "cohort__site__lead", "cohort__venue")
        .prefetch_related("cohort__teaching_artists")
        .order_by("pk")
    )
    leads = {s.cohort.site.lead_id for s in sessions if s.cohort.site_id and s.cohort.site.lead_id}
    artist_ids = {a.pk for s in sessions for a in s.cohort.teaching_artists.all()}
    opt_ins = email_opt_ins(user_ids=artist_ids | leads, kind=kind)
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
        common = {"kind": kind, "subject": session, "opt_ins": opt_ins, "site_id": session.cohort.site_id}
        drafts += responsible_drafts(
            [("", artist) for artist in session.cohort.teaching_artists.all()],
            occasion="remind",
            context={**context, "escalated": False},
            link_url=reverse("programs:session_log", args=[session.pk]),
            **common,
        )
        site = session.cohort.site
        if hours >= thresholds.attendance_escalate_after_hours and site is not None:
            artists = ", ".join(str(a) for a in session.cohort.teaching_artists.all())
            drafts += responsible_drafts(
                [(f"site-{site.pk}:lead", site.lead)],
                occasion="escalate",
                context={**context, "escalated": True, "artist_names": artists},
                link_url=reverse("programs:cohort_detail", args=[session.cohort_id]),
                **common,
            )
    return notifications_enqueue_many(drafts=drafts)


@resolver(Kind.ATTENDANCE_NOT_LOGGED)
def sessions_no_longer_unlogged(session_ids: set[int], now: datetime) -> set[int]:
    """Sessions logged or cancelled since their item was written: whoever logged them."""
    return session_ids - set(
        Session.objects.unlogged().filter(pk__in=session_ids).values_list("pk", flat=True)
    )


# Marks changed this long before the last run started are read again, for a save that was still
# in flight while that run read.
SWEEP_OVERLAP = timedelta(hours=1)


@sweep
def absences(*, now: datetime) -> int:
    """Flag absences in a row (teacher, site lead) and chronic absence (teacher, site counselor);
    close the flags of participants read again whose figures went back under the line."""
    today = timezone.localdate(now)
    recent = Session.objects.filter(
        status=Session.Status.LOGGED, date__gte=today - timedelta(days=ATTENDANCE_LOOKBACK_DAYS)
    )
    participations = Participation.objects.enrolled().filter(cohort__in=recent.values("cohort"))
    # Figures only change when a mark does (or the thresholds): after a first full pass, read only
    # the participants with marks saved since the last run, so the cost follows the day's logging
    # rather than the year's history. The last run's start, not a fixed window, so an outage of the
    # beat loses nothing. Every path that changes a mark moves its updated_at (session_log_attendance).
    last = SweepRun.objects.filter(name="absences").first()
    since = last.started_at - SWEEP_OVERLAP if last else None
    if since is not None and not AbsenceThresholds.history.filter(history_date__gte=since).exists():
        changed = Attendance.objects.filter(participation=OuterRef("pk"), updated_at__gte=since)
        participations = participations.filter(Exists(changed))
    participations = list(participations.select_related("student", "cohort__program").order_by("pk"))
    written = 0
    # In chunks that commit as they go: a sweep killed at statewide scale resumes from the figures
    # already written (dedupe keys) instead of holding one transaction over every participant.
    for start in range(0, len(participations), ABSENCE_CHUNK):
        written += _absences_chunk(participations[start : start + ABSENCE_CHUNK])
    SweepRun.objects.update_or_create(name="absences", defaults={"started_at": now})
    return written


def _absences_chunk(participations: list) -> int:
    """Write and close the absence flags of some participants, in a constant number of queries."""
    figures = attendance_figures(p.pk for p in participations)
    enrollments = {
        e.student_id: e
        for e in Enrollment.objects.open()
        .filter(student__in=[p.student_id for p in participations])
        .select_related("teacher", "site__lead", "site__counselor")
    }
    people = {u.pk for e in enrollments.values() for u in (e.teacher, e.site.lead, e.site.counselor) if u}
    opt_ins = {kind: email_opt_ins(user_ids=people, kind=kind) for kind in ABSENCE_KINDS}
    drafts, ended = [], {kind: [] for kind in ABSENCE_KINDS}
    for participation in participations:
        flags = figures.get(participation.pk)
        due = []
        if flags is not None and flags.absent_in_a_row:
            # One reminder per run of absences: the run is named by the session it started on.
            due.append((Kind.CONSECUTIVE_ABSENCES, f"run-from-{flags.streak_since:%Y-%m-%d}"))
        else:
            ended[Kind.CONSECUTIVE_ABSENCES].append(participation.pk)
        if flags is not None and flags.chronically_absent:
            due.append((Kind.CHRONIC_ABSENCE, "crossed"))
        else:
            ended[Kind.CHRONIC_ABSENCE].append(participation.pk)
        enrollment = enrollments.get(participation.student_id)
        if enrollment is None:
            continue
        site = enrollment.site
        teacher = (f"student-{participation.student_id}:teacher", enrollment.teacher)
        for kind, occasion in due:
            # DESIGN.md's table: a run of absences to the teacher and the site lead, chronic absence
            # to the teacher and the site counselor; never a whole role.
            other = (
                (f"site-{site.pk}:lead", site.lead)
                if kind == Kind.CONSECUTIVE_ABSENCES
                else (f"site-{site.pk}:counselor", site.counselor)
            )
            drafts += responsible_drafts(
                [teacher, other],
                kind=kind,
                subject=participation,
                occasion=occasion,
                context={
                    "student_name": participation.student.display_name,
                    "program_name": participation.cohort.program.name,
                    "absences_in_a_row": flags.absences_in_a_row,
                    "absences": flags.absences,
                    "sessions": flags.sessions,
                    "rate": flags.rate,
                },
                opt_ins=opt_ins[kind],
                link_url=reverse("students:detail", args=[participation.student_id]),
                site_id=site.pk,
            )
    for kind, participation_ids in ended.items():
        items_close(kind=kind, subject_ids=participation_ids, subject_model=Participation)
    return notifications_enqueue_many(drafts=drafts)


@resolver(Kind.CHRONIC_ABSENCE)
@resolver(Kind.CONSECUTIVE_ABSENCES)
def participations_ended(participation_ids: set[int], now: datetime) -> set[int]:
    """A participant who left the cohort is no longer anyone's absence item."""
    enrolled = Participation.objects.enrolled().filter(pk__in=participation_ids).values_list("pk", flat=True)
    return participation_ids - set(enrolled)
