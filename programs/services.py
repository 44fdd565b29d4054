"""Writes on programs, cohorts, sessions and attendance; rules 8–10 live here."""

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from artworx.dates import shown_date
from artworx.roles import TEACHING_ARTIST, manages_programs, require_role
from notifications.items import items_close
from notifications.models import Kind
from programs.models import (
    Attendance,
    Cohort,
    Credential,
    Mark,
    Participation,
    Placement,
    PlacementHours,
    Program,
    Session,
    SessionLogSubmission,
)
from sites.calendar import calendars_for_sites
from students.models import Enrollment


def _lock_cohort(pk: int, *, query=None) -> Cohort:
    """Lock one cohort row: every write that changes its capacity or its participants queues here (rule 9)."""
    # Only the cohort row (of=self): the program and site it joins to stay free for other writers.
    return (query or Cohort.objects.all()).select_for_update(of=("self",)).get(pk=pk)


def _enrolled_count(cohort_id: int) -> int:
    """Participants holding a place in a cohort now; call with the cohort row locked."""
    return Participation.objects.enrolled().filter(cohort_id=cohort_id).count()


@transaction.atomic
def cohort_save(*, cohort: Cohort, teaching_artists) -> Cohort:
    """Create or update a cohort and its teaching artists, then lay out its sessions."""
    if cohort.pk is not None:
        # Lock the cohort row before counting, as participation_create does: a capacity cut and a new
        # participant queue here instead of both passing (25 students in a cohort of 20).
        _lock_cohort(cohort.pk)
        enrolled = _enrolled_count(cohort.pk)
        if cohort.capacity < enrolled:
            raise ValidationError(
                _("The cohort has %(n)d students: capacity cannot be lower.") % {"n": enrolled},
                code="capacity_below_enrolled",
            )
    if not cohort.weekdays:
        raise ValidationError(_("Choose at least one meeting day."), code="meeting_days")
    require_role(
        teaching_artists,
        TEACHING_ARTIST,
        message=_("%(names)s cannot lead a cohort: only active people with the Teaching artist role can."),
        code="not_artist",
    )
    created = cohort.pk is None
    before = set() if created else set(cohort.teaching_artists.values_list("pk", flat=True))
    cohort.full_clean()
    cohort.save()
    cohort.teaching_artists.set(teaching_artists)
    # Responsibility (DESIGN.md): an artist taken off the cohort no longer owes its rolls; the artists
    # who lead it now are reminded by the next sweep.
    if removed := before - {artist.pk for artist in teaching_artists}:
        items_close(
            kind=Kind.ATTENDANCE_NOT_LOGGED,
            subject_ids=cohort.sessions.values_list("pk", flat=True),
            subject_model=Session,
            recipient_ids=removed,
        )
    cohort_schedule_sessions(cohort=cohort, today=timezone.localdate(), from_term_start=created)
    return cohort


def cohort_schedule_sessions(*, cohort: Cohort, today: date, from_term_start: bool = False) -> int:
    """Create the sessions the weekly pattern asks for between the term dates, skipping closures.

    A new cohort gets every session of its term; a changed one only from today on. Future
    scheduled sessions that no longer fit the pattern are cancelled (never deleted); past and
    logged sessions are left as they are. Returns how many sessions were created.
    """
    calendar = calendars_for_sites([cohort.site_id])[cohort.site_id]
    wanted = set()
    day = cohort.term_starts_on if from_term_start else max(cohort.term_starts_on, today)
    while day <= cohort.term_ends_on:
        if day.weekday() in cohort.weekdays and day not in calendar.closed:
            wanted.add(day)
        day += timedelta(days=1)
    existing = {(s.date, s.starts_at): s for s in cohort.sessions.all()}
    new = [
        Session(cohort=cohort, date=d, starts_at=cohort.starts_at, duration_minutes=cohort.duration_minutes)
        for d in sorted(wanted)
        if (d, cohort.starts_at) not in existing
    ]
    bulk_create_with_history(new, Session)
    stale = [
        s
        for (d, starts_at), s in existing.items()
        if s.status == Session.Status.SCHEDULED
        and d >= today
        and (d not in wanted or starts_at != cohort.starts_at)
    ]
    for session in stale:
        session.status, session.cancel_reason = Session.Status.CANCELLED, _("Schedule changed")
    bulk_update_with_history(stale, Session, ["status", "cancel_reason"])
    return len(new)


def _prerequisite_done(*, student, program: Program) -> bool:
    return Participation.objects.filter(
        student=student, cohort__program=program, status=Participation.Status.COMPLETED
    ).exists()


@transaction.atomic
def participation_create(
    *, cohort: Cohort, student, joined_on: date, by, override_reason: str = ""
) -> Participation:
    """Enroll a student in a cohort (rule 9): enrolled at its site, prerequisite done or waived, seat free."""
    # Lock the cohort row: concurrent requests for its last seat, and a capacity cut, queue here
    # (rule 3's locking), so the count below is the one the insert is judged against.
    cohort = _lock_cohort(cohort.pk, query=Cohort.objects.select_related("program__prerequisite"))
    enrollments = Enrollment.objects.open().filter(student=student)
    if cohort.site_id is not None:
        enrollments = enrollments.filter(site_id=cohort.site_id)
    if not enrollments.exists():
        raise ValidationError(
            _("%(student)s is not enrolled at %(place)s.") % {"student": student, "place": cohort.place}
            if cohort.site_id
            else _("%(student)s is not enrolled at any site.") % {"student": student},
            code="not_enrolled_at_site",
        )
    if Participation.objects.enrolled().filter(cohort=cohort, student=student).exists():
        raise ValidationError(_("The student is already in this cohort."), code="already_in_cohort")
    prerequisite = cohort.program.prerequisite
    override_reason = override_reason.strip()
    if prerequisite and not _prerequisite_done(student=student, program=prerequisite):
        if not override_reason:
            raise ValidationError(
                _("%(student)s has not completed %(program)s. Staff may waive it with a reason.")
                % {"student": student, "program": prerequisite},
                code="prerequisite",
            )
        if not manages_programs(by):
            raise ValidationError(
                _("Only program staff can waive a prerequisite."), code="override_not_allowed"
            )
    else:
        override_reason = ""
    if not (cohort.term_starts_on - timedelta(days=30) <= joined_on <= cohort.term_ends_on):
        raise ValidationError(_("The join date must fall within the cohort's term."), code="join_date")
    if _enrolled_count(cohort.pk) >= cohort.capacity:
        raise ValidationError(
            _("%(cohort)s is full: all %(capacity)d places are taken.")
            % {"cohort": cohort, "capacity": cohort.capacity},
            code="cohort_full",
        )
    try:
        with transaction.atomic():
            return Participation.objects.create(
                cohort=cohort, student=student, joined_on=joined_on, override_reason=override_reason
            )
    except IntegrityError as exc:
        raise ValidationError(_("The student is already in this cohort."), code="already_in_cohort") from exc


@transaction.atomic
def participation_end(*, participation: Participation, status: str, on: date) -> Participation:
    """Withdraw a participant, or mark them completed (which unlocks the next level)."""
    # Cohort row first, as every write on its participants: a place freed here and a capacity cut
    # or a new participant are judged one after the other, never against a stale count.
    _lock_cohort(participation.cohort_id)
    # Then the participation: two "end" clicks queue here and the second finds it ended.
    participation = Participation.objects.select_for_update().get(pk=participation.pk)
    if participation.status != Participation.Status.ENROLLED:
        raise ValidationError(_("This participation has already ended."), code="participation_ended")
    if status not in (Participation.Status.COMPLETED, Participation.Status.WITHDRAWN):
        raise ValidationError(_("Choose completed or withdrawn."), code="status")
    if on < participation.joined_on:
        raise ValidationError(
            _("The date cannot be before the student joined (%(date)s).")
            % {"date": shown_date(participation.joined_on)},
            code="before_join",
        )
    participation.status, participation.ended_on = status, on
    participation.save(update_fields=["status", "ended_on", "updated_at"])
    return participation


@transaction.atomic
def cohort_complete(*, cohort: Cohort, on: date) -> int:
    """Mark every participant still enrolled as having completed the cohort; returns how many."""
    # Cohort row first (the order of every participant write), so no participant joins mid-way.
    _lock_cohort(cohort.pk)
    # Then its participations: an "end" of one of them queues here rather than ending it twice.
    enrolled = list(Participation.objects.enrolled().select_for_update().filter(cohort=cohort))
    for participation in enrolled:
        participation.status, participation.ended_on = (
            Participation.Status.COMPLETED,
            max(on, participation.joined_on),
        )
    bulk_update_with_history(enrolled, Participation, ["status", "ended_on"])
    return len(enrolled)


@transaction.atomic
def session_add(*, cohort: Cohort, date: date, starts_at, duration_minutes: int) -> Session:
    """Add a single extra session to a cohort."""
    session = Session(cohort=cohort, date=date, starts_at=starts_at, duration_minutes=duration_minutes)
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def session_move(*, session: Session, date: date, starts_at, duration_minutes: int) -> Session:
    """Move a scheduled session to another date or time."""
    # Lock the session: a move racing its log or its cancellation sees the other's result.
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.SCHEDULED:
        raise ValidationError(
            _("Only a session not yet logged or cancelled can be moved."), code="not_scheduled"
        )
    session.date, session.starts_at, session.duration_minutes = date, starts_at, duration_minutes
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def session_cancel(*, session: Session, reason: str) -> Session:
    """Cancel a session that has not been logged, with a reason."""
    # Lock the session: a cancellation racing its log cannot leave a logged session cancelled.
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.SCHEDULED:
        raise ValidationError(_("Only a session not yet logged can be cancelled."), code="not_scheduled")
    if not reason.strip():
        raise ValidationError(_("Give a reason for cancelling."), code="cancel_reason")
    session.status, session.cancel_reason = Session.Status.CANCELLED, reason.strip()
    session.save(update_fields=["status", "cancel_reason", "updated_at"])
    items_close(kind=Kind.ATTENDANCE_NOT_LOGGED, subject_ids=[session.pk], subject_model=Session)
    return session


def session_not_started(session: Session, *, now: datetime) -> None:
    """Refuse to log a session before it starts: marks taken in advance would be guesses."""
    if (session.date, session.starts_at) > (now.date(), now.time()):
        raise ValidationError(
            _("This session starts on %(day)s at %(time)s: log it once it has begun.")
            % {
                "day": date_format(session.date, "SHORT_DATE_FORMAT"),
                "time": time_format(session.starts_at, "TIME_FORMAT"),
            },
            code="future_session",
        )


def _check_may_log(*, session: Session, by, today: date) -> None:
    """Staff may log any time; a cohort's artist logs past sessions and corrects a log for 7 days."""
    if manages_programs(by):
        return
    if not session.cohort.teaching_artists.filter(pk=by.pk).exists():
        raise ValidationError(
            _("Only the cohort's teaching artists or staff can log this session."), code="not_artist"
        )
    if session.status == Session.Status.LOGGED and session.logged_at is not None:
        window = settings.ARTWORX_ARTIST_EDIT_DAYS
        if timezone.localdate(session.logged_at) + timedelta(days=window) < today:
            raise ValidationError(
                _("This log was saved more than %(days)d days ago: ask program staff to change it.")
                % {"days": window},
                code="edit_window_closed",
            )


@transaction.atomic
def session_log_attendance(
    *,
    session: Session,
    marks: dict[int, str],
    topic: str,
    activities: str = "",
    notes: str = "",
    by,
    revision: int | None = None,
    submission_key: uuid.UUID | None = None,
) -> Session:
    """Save a session's log with one mark for every participant (rule 8), in a constant number of queries.

    With a `submission_key`, a save delivered again (a phone retrying after the network came back)
    changes nothing the second time. With the `revision` the page was opened at, a save from a page
    that someone else's save overtook is refused rather than overwriting their marks.
    """
    # Lock the session: two co-teaching artists saving at once queue here, and the second save
    # updates the first one's marks instead of adding a second mark per student. The same lock
    # makes "has this key been saved?" and "save it" one step for two deliveries of one key.
    session = Session.objects.select_for_update(of=("self",)).select_related("cohort").get(pk=session.pk)
    if submission_key is not None:
        earlier = SessionLogSubmission.objects.filter(key=submission_key).values_list("session_id", flat=True)
        if earlier:
            if earlier[0] != session.pk:
                raise ValidationError(
                    _("This save belongs to another session's log."), code="submission_key_reused"
                )
            return session  # already saved once: exactly once, however often it is delivered
    if revision is not None and revision != session.log_revision:
        raise ValidationError(
            _(
                "Someone else saved this log after you opened it, so your marks were not saved. "
                "Check the log as it is now and save again if something is missing."
            ),
            code="log_changed",
        )
    now = timezone.localtime()
    today = now.date()
    if session.status == Session.Status.CANCELLED:
        raise ValidationError(
            _("This session was cancelled: there is nothing to log."), code="session_cancelled"
        )
    session_not_started(session, now=now)
    _check_may_log(session=session, by=by, today=today)
    expected = {p.pk: p for p in Participation.objects.on_log_of(session)}
    unknown = set(marks) - set(expected)
    if unknown:
        raise ValidationError(
            _("Some marks are for students who are not in this cohort."), code="not_in_cohort"
        )
    missing = [str(p.student) for pk, p in expected.items() if pk not in marks]
    if missing:
        raise ValidationError(
            _("Give every participant a mark. Missing: %(names)s.") % {"names": ", ".join(sorted(missing))},
            code="missing_marks",
        )
    if any(mark not in Mark.values for mark in marks.values()):
        raise ValidationError(_("Unknown attendance mark."), code="unknown_mark")
    existing = {a.participation_id: a for a in session.attendance.all()}
    created = [
        Attendance(session=session, participation_id=pk, mark=m)
        for pk, m in marks.items()
        if pk not in existing
    ]
    changed = []
    for pk, mark in marks.items():
        if pk in existing and existing[pk].mark != mark:
            # updated_at moves with the mark: the absence sweep re-reads marks changed since its last run.
            existing[pk].mark, existing[pk].updated_at = mark, timezone.now()
            changed.append(existing[pk])
    bulk_create_with_history(created, Attendance, default_user=by)
    bulk_update_with_history(changed, Attendance, ["mark", "updated_at"], default_user=by)
    session.topic, session.activities, session.notes = topic.strip(), activities.strip(), notes.strip()
    first_log = session.status != Session.Status.LOGGED
    if first_log:
        session.status, session.logged_by, session.logged_at = Session.Status.LOGGED, by, timezone.now()
    session.log_revision += 1
    session.save()
    if first_log:
        # The roll is logged, whoever logged it: its "please log" items close for everyone now.
        items_close(kind=Kind.ATTENDANCE_NOT_LOGGED, subject_ids=[session.pk], subject_model=Session)
    if submission_key is not None:
        SessionLogSubmission.objects.create(key=submission_key, session=session, submitted_by=by)
    return session


# Career pathways --------------------------------------------------------------------------------


def _save_checked(obj):
    """Validate a row (fields and named constraints) and save it; refusals carry a readable message."""
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def credential_record(
    *, student, certification, earned_on: date, evidence: str = "", expires_on: date | None = None
) -> Credential:
    """Record a certification a student earned; not in the future, expiring after it was earned."""
    if earned_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    credential = Credential(
        student=student,
        certification=certification,
        earned_on=earned_on,
        evidence=evidence.strip(),
        expires_on=expires_on,
    )
    return _save_checked(credential)


@transaction.atomic
def placement_create(**fields) -> Placement:
    """Record an internship, mentorship, dual-enrollment course or master class with a partner."""
    placement = Placement(**fields)
    if placement.kind != Placement.Kind.DUAL_ENROLLMENT and placement.college_units is not None:
        raise ValidationError(_("College units are for dual enrollment only."), code="college_units")
    return _save_checked(placement)


@transaction.atomic
def placement_hours_log(
    *, placement: Placement, on: date, hours, signed_off_by=None, supervisor_approval: str = ""
) -> PlacementHours:
    """Log hours on a placement: positive, not in the future, signed off by staff or the supervisor."""
    # Lock the placement: hours logged twice at once queue here and both land, never half of one.
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if on > timezone.localdate():
        raise ValidationError(_("Hours cannot be logged for a future date."), code="future")
    if on < placement.starts_on:
        raise ValidationError(
            _("Hours cannot be logged before the placement started (%(date)s).")
            % {"date": shown_date(placement.starts_on)},
            code="before_start",
        )
    if hours is None or hours <= 0:
        raise ValidationError(_("Hours must be more than 0."), code="hours")
    if signed_off_by is not None and not manages_programs(signed_off_by):
        raise ValidationError(_("Only program staff can sign off hours."), code="sign_off")
    if signed_off_by is None and not supervisor_approval.strip():
        raise ValidationError(
            _("Hours need a staff sign-off or the supervisor's recorded approval."), code="sign_off"
        )
    entry = PlacementHours(
        placement=placement,
        date=on,
        hours=hours,
        signed_off_by=signed_off_by,
        supervisor_approval=supervisor_approval.strip(),
    )
    return _save_checked(entry)
