"""Reminders about the arts programs: sessions not logged, absences in a row and chronic absence."""

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from notifications.items import items_close, resolver
from notifications.models import Kind, ReminderSettings, SweepRun
from notifications.selectors import email_opt_ins
from notifications.services import notifications_enqueue_many
from notifications.sweeps import links, recipients, responsible_drafts, still_owed, sweep
from programs.models import AbsenceThresholds, Attendance, Cohort, Participation, Session
from programs.selectors import attendance_figures
from students.models import Enrollment, Student

# Sessions and absences older than this are history: a first sweep does not page about last year.
ATTENDANCE_LOOKBACK_DAYS = 14
# Participants whose absence figures are read and written per committed step.
ABSENCE_CHUNK = 2000
ABSENCE_KINDS = (Kind.CONSECUTIVE_ABSENCES, Kind.CHRONIC_ABSENCE)


def _session_ended(day: date, starts_at: time, minutes: int) -> datetime:
    """When a session ended, as an aware moment in Los Angeles."""
    return timezone.make_aware(datetime.combine(day, starts_at) + timedelta(minutes=minutes))


@sweep
def attendance_not_logged(*, now: datetime) -> int:
    """Remind a session's artists 2 h after it ended unlogged; tell the site's lead after 48 h."""
    kind = Kind.ATTENDANCE_NOT_LOGGED
    thresholds = ReminderSettings.current()
    today = timezone.localdate(now)
    unlogged = Session.objects.unlogged().filter(
        date__gte=today - timedelta(days=ATTENDANCE_LOOKBACK_DAYS), date__lte=today
    )
    hours_since = _sessions_still_owed(unlogged, now=now, thresholds=thresholds)
    sessions = list(
        unlogged.filter(pk__any=hours_since)
        .select_related("cohort__program", "cohort__site__lead", "cohort__venue")
        .prefetch_related("cohort__teaching_artists")
        .order_by("pk")
    )
    leads = {s.cohort.site.lead_id for s in sessions if s.cohort.site_id and s.cohort.site.lead_id}
    artist_ids = {a.pk for s in sessions for a in s.cohort.teaching_artists.all()}
    opt_ins = email_opt_ins(user_ids=artist_ids | leads, kind=kind)
    log_link, cohort_link = links("programs:session_log"), links("programs:cohort_detail")
    drafts = []
    for session in sessions:
        hours = hours_since[session.pk]
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
            link_url=log_link(session.pk),
            **common,
        )
        site = session.cohort.site
        if hours >= thresholds.attendance_escalate_after_hours and site is not None:
            artists = ", ".join(str(a) for a in session.cohort.teaching_artists.all())
            drafts += responsible_drafts(
                [(f"site-{site.pk}:lead", site.lead)],
                occasion="escalate",
                context={**context, "escalated": True, "artist_names": artists},
                link_url=cohort_link(session.cohort_id),
                **common,
            )
    return notifications_enqueue_many(drafts=drafts)


def _sessions_still_owed(
    sessions: QuerySet, *, now: datetime, thresholds: ReminderSettings
) -> dict[int, float]:
    """The sessions still owed an item (id → hours since it ended), from slim queries: by an artist of
    the cohort once it is `attendance_remind_after_hours` old, by the site's lead once it is
    `attendance_escalate_after_hours` old. Only these are loaded and drafted; a pass after the first
    reads a few keys."""
    rows = list(
        sessions.values_list("pk", "cohort_id", "date", "starts_at", "duration_minutes", "cohort__site_id")
    )
    cohorts = {row[1] for row in rows}
    artists: dict[int, list[str]] = {}
    for cohort_id, user_id in Cohort.teaching_artists.through.objects.filter(
        cohort_id__any=list(cohorts), user__is_active=True
    ).values_list("cohort_id", "user_id"):
        artists.setdefault(cohort_id, []).append(f"user-{user_id}")
    reminded, escalated, hours_since = {}, {}, {}
    for pk, cohort_id, day, starts_at, minutes, site_id in rows:
        hours = hours_since[pk] = (now - _session_ended(day, starts_at, minutes)).total_seconds() / 3600
        if hours >= thresholds.attendance_remind_after_hours:
            reminded[pk] = tuple(artists.get(cohort_id, ()))
        if hours >= thresholds.attendance_escalate_after_hours and site_id is not None:
            escalated[pk] = "escalate"
    kind = Kind.ATTENDANCE_NOT_LOGGED
    owed = still_owed(
        kind=kind, model=Session, occasions=dict.fromkeys(reminded, "remind"), holders=reminded
    ) | still_owed(kind=kind, model=Session, occasions=escalated, holders=("lead",))
    return {pk: hours_since[pk] for pk in owed}


@resolver(Kind.ATTENDANCE_NOT_LOGGED)
def sessions_still_unlogged(session_ids: list[int], now: datetime) -> QuerySet:
    """Sessions not yet logged or cancelled: whoever logs one ends its items."""
    return Session.objects.unlogged().filter(pk__any=session_ids).values_list("pk", flat=True)


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
    participations = list(
        participations.select_related("student", "cohort__program")
        .only(*[f"student__{name}" for name in Student.NAME_FIELDS], "cohort__program__name")
        .order_by("pk")
    )
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
    # student → (site, teacher, lead, counselor), and each of those people loaded once.
    enrollments = {
        row[0]: row[1:]
        for row in Enrollment.objects.open()
        .filter(student__any=[p.student_id for p in participations])
        .values_list("student_id", "site_id", "teacher_id", "site__lead_id", "site__counselor_id")
    }
    people = recipients({pk for row in enrollments.values() for pk in row[1:] if pk})
    opt_ins = {kind: email_opt_ins(user_ids=set(people), kind=kind) for kind in ABSENCE_KINDS}
    link = links("students:detail")
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
        if participation.student_id not in enrollments:
            continue
        site_id, teacher_id, lead_id, counselor_id = enrollments[participation.student_id]
        teacher = (f"student-{participation.student_id}:teacher", people.get(teacher_id))
        for kind, occasion in due:
            # DESIGN.md's table: a run of absences to the teacher and the site lead, chronic absence
            # to the teacher and the site counselor; never a whole role.
            other = (
                (f"site-{site_id}:lead", people.get(lead_id))
                if kind == Kind.CONSECUTIVE_ABSENCES
                else (f"site-{site_id}:counselor", people.get(counselor_id))
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
                link_url=link(participation.student_id),
                site_id=site_id,
            )
    for kind, participation_ids in ended.items():
        items_close(kind=kind, subject_ids=participation_ids, subject_model=Participation)
    return notifications_enqueue_many(drafts=drafts)


@resolver(Kind.CHRONIC_ABSENCE)
@resolver(Kind.CONSECUTIVE_ABSENCES)
def participations_still_enrolled(participation_ids: list[int], now: datetime) -> QuerySet:
    """A participant who left the cohort is no longer anyone's absence item."""
    return Participation.objects.enrolled().filter(pk__any=participation_ids).values_list("pk", flat=True)
