"""Reminder sweeps: each asks the database what is due now and writes notifications by dedupe key.

A sweep is `sweep(*, now) -> int` (notifications written), listed in SWEEPS. It is set-based: a
constant number of queries however many rows are due, and safe to run any number of times, because
every notification has a unique dedupe key (kind + subject + occasion + recipient).

Adding a kind of reminder: add it to `Kind`, write its two templates
(`templates/notifications/<kind>_subject.txt` and `_body.txt`), write its sweep here and list it
in SWEEPS.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone

from alumni.models import Alumnus
from artworx.notifications.models import Kind, ReminderSettings, SweepRun, reminder_settings
from artworx.notifications.selectors import counselors, email_opt_ins, program_staff
from artworx.notifications.services import NotificationDraft, absolute_url, notifications_enqueue_many
from programs.models import Attendance, Participation, Session
from programs.selectors import attendance_figures
from sites.calendar import calendars_for_sites
from sites.models import Site
from students.models import Contract, Enrollment, Guardian, Referral, WaitlistEntry
from students.selectors import sites_with_seats
from students.services import contracts_expire_overdue

ONE_DAY = timedelta(days=1)
# Contracts that expired longer ago than this are history, not news: the first sweep after a
# deployment does not flood teachers with every contract that ever expired.
EXPIRED_LOOKBACK_DAYS = 30


def dedupe_key(kind: str, subject: models.Model, occasion: str, recipient: str) -> str:
    """The unique key of one reminder: kind + subject + occasion + recipient."""
    return f"{kind}:{subject._meta.label_lower}:{subject.pk}:{occasion}:{recipient}"


def user_draft(
    user, *, kind: str, subject: models.Model, occasion: str, context: dict, opt_ins: set[int], link_url: str
) -> NotificationDraft:
    """A notification to a signed-in user: in the app, and by email if they asked for this kind."""
    return NotificationDraft(
        kind=kind,
        dedupe_key=dedupe_key(kind, subject, occasion, f"user-{user.pk}"),
        subject=subject,
        context={
            **context,
            "audience": "staff",
            "recipient_name": user.first_name or user.username,
            "link": absolute_url(link_url),
        },
        recipient=user,
        language=user.language,
        in_app=True,
        by_email=user.pk in opt_ins and bool(user.email),
        link_url=link_url,
    )


def contact_draft(
    *,
    kind: str,
    subject: models.Model,
    occasion: str,
    key: str,
    audience: str,
    name: str,
    email: str,
    language: str,
    context: dict,
) -> NotificationDraft:
    """A notification by email to a person who does not sign in (a student or a guardian)."""
    return NotificationDraft(
        kind=kind,
        dedupe_key=dedupe_key(kind, subject, occasion, key),
        subject=subject,
        context={**context, "audience": audience, "recipient_name": name},
        recipient_email=email,
        recipient_name=name,
        language=language,
        in_app=False,
        by_email=True,
    )


def _contract_context(contract: Contract, teacher) -> dict:
    """Plain values about a contract for the staff templates: names, dates and credits, nothing private."""
    return {
        "student_name": contract.student.display_name,
        "site_name": contract.site.name,
        "teacher_name": str(teacher or contract.teacher),
        "due_on": contract.due_on,
        "credits_done": contract.credits_done,
        "credits_planned": contract.credits_planned,
    }


def _with_current_teacher(contracts):
    """Contracts with the open enrollment of their student prefetched (one query for all of them)."""
    return contracts.prefetch_related(
        Prefetch(
            "student__enrollments",
            queryset=Enrollment.objects.open().select_related("teacher"),
            to_attr="open_enrollments",
        )
    )


def current_teacher(contract: Contract):
    """The active teacher who carries the contract's student now, or None.

    A transfer moves the student to another teacher but leaves the contract's `teacher` as it was;
    the old teacher no longer sees the student (DESIGN.md rule 13), so reminders follow the student.
    """
    for enrollment in contract.student.open_enrollments:
        if enrollment.teacher.is_active:
            return enrollment.teacher
    return None


def _due_threshold(days_left: int, thresholds: list[int]) -> int | None:
    """The reminder a contract with `days_left` is owed: the smallest threshold not below it.

    A sweep that missed the exact day (beat down over a weekend) still sends the reminder of the
    band the contract is in, with the true number of days left.
    """
    return min((t for t in thresholds if t >= days_left), default=None)


def contracts_due_soon(*, now: datetime) -> int:
    """Remind the teacher, the student and consenting guardians 10, 5 and 1 instructional days ahead."""
    kind = Kind.CONTRACT_DUE_SOON
    thresholds = reminder_settings().contract_due_day_list
    if not thresholds:
        return 0
    today = timezone.localdate(now)
    tomorrow = today + ONE_DAY
    # Sites, then their closures in one query; the latest date any site could be owed a reminder for.
    calendars = calendars_for_sites(Site.objects.values_list("pk", flat=True))
    horizon = max(calendar.nth_day(tomorrow, thresholds[0]) for calendar in calendars.values())
    contracts = (
        Contract.objects.active()
        .filter(due_on__gte=today, due_on__lte=horizon)
        .with_credits()
        .select_related("student", "teacher", "site")
        .prefetch_related(
            Prefetch(
                "student__guardians",
                queryset=Guardian.objects.filter(consents_to_messages=True).exclude(email="").order_by("pk"),
                to_attr="reachable_guardians",
            )
        )
        .order_by("pk")
    )
    contracts = list(_with_current_teacher(contracts))
    teachers = {contract.pk: current_teacher(contract) for contract in contracts}
    opt_ins = email_opt_ins(user_ids={t.pk for t in teachers.values() if t}, kind=kind)
    drafts = []
    for contract in contracts:
        days_left = calendars[contract.site_id].count(tomorrow, contract.due_on)
        threshold = _due_threshold(days_left, thresholds)
        if threshold is None:
            continue
        # The due date is part of the occasion: an extension moves it, and the reminders start over.
        occasion = f"due-{contract.due_on:%Y-%m-%d}:at-{threshold}"
        teacher = teachers[contract.pk]
        context = {**_contract_context(contract, teacher), "days_left": days_left}
        if teacher is not None:
            drafts.append(
                user_draft(
                    teacher,
                    kind=kind,
                    subject=contract,
                    occasion=occasion,
                    context=context,
                    opt_ins=opt_ins,
                    link_url=reverse("students:contract_detail", args=[contract.pk]),
                )
            )
        student = contract.student
        # Families and students get names, dates and days only: no credits, no notes, no flags.
        family_context = {
            "due_on": contract.due_on,
            "days_left": days_left,
            "site_name": contract.site.name,
            "teacher_name": str(teacher or contract.teacher),
        }
        if student.email:
            drafts.append(
                contact_draft(
                    kind=kind,
                    subject=contract,
                    occasion=occasion,
                    key=f"student-{student.pk}",
                    audience="student",
                    # The student is greeted by the name they go by...
                    name=student.preferred_name or student.first_name,
                    email=student.email,
                    language=student.language,
                    context={**family_context, "student_name": student.preferred_name or student.first_name},
                )
            )
        for guardian in student.reachable_guardians:
            drafts.append(
                contact_draft(
                    kind=kind,
                    subject=contract,
                    occasion=occasion,
                    key=f"guardian-{guardian.pk}",
                    audience="guardian",
                    name=guardian.name,
                    email=guardian.email,
                    language=guardian.language,
                    # ...but their family reads the legal name: a chosen name may not be known at home.
                    context={**family_context, "student_name": str(student)},
                )
            )
    return notifications_enqueue_many(drafts=drafts)


def contracts_expired(*, now: datetime) -> int:
    """Expire overdue contracts, then tell each one's teacher and program staff, once per contract."""
    kind = Kind.CONTRACT_EXPIRED
    today: date = timezone.localdate(now)
    contracts_expire_overdue(today=today)
    contracts = list(
        _with_current_teacher(
            Contract.objects.filter(
                status=Contract.Status.EXPIRED, closed_on__gte=today - timedelta(days=EXPIRED_LOOKBACK_DAYS)
            )
            .with_credits()
            .select_related("student", "teacher", "site")
            .order_by("pk")
        )
    )
    staff = program_staff()
    teachers = {contract.pk: current_teacher(contract) for contract in contracts}
    opt_ins = email_opt_ins(
        user_ids={t.pk for t in teachers.values() if t} | {u.pk for u in staff}, kind=kind
    )
    drafts = []
    for contract in contracts:
        recipients = {user.pk: user for user in staff}
        teacher = teachers[contract.pk]
        if teacher is not None:
            recipients[teacher.pk] = teacher
        context = _contract_context(contract, teacher)
        for user in recipients.values():
            drafts.append(
                user_draft(
                    user,
                    kind=kind,
                    subject=contract,
                    occasion="expired",
                    context=context,
                    opt_ins=opt_ins,
                    link_url=reverse("students:contract_detail", args=[contract.pk]),
                )
            )
    return notifications_enqueue_many(drafts=drafts)


# Sessions and absences older than this are history: a first sweep does not page about last year.
ATTENDANCE_LOOKBACK_DAYS = 14


def _session_ended(session: Session) -> datetime:
    """When a session ended, as an aware moment in Los Angeles."""
    start = datetime.combine(session.date, session.starts_at)
    return timezone.make_aware(start + timedelta(minutes=session.duration_minutes))


def attendance_not_logged(*, now: datetime) -> int:
    """Remind a session's artists 2 h after it ended unlogged; tell program staff after 48 h."""
    kind = Kind.ATTENDANCE_NOT_LOGGED
    thresholds = reminder_settings()
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
    if since is not None and not ReminderSettings.history.filter(history_date__gte=since).exists():
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


def alumni_check_ins_due(*, now: datetime) -> int:
    """Remind an alumnus's staff contact when a check-in is due; never for alumni without consent."""
    kind = Kind.ALUMNI_CHECK_IN_DUE
    today = timezone.localdate(now)
    alumni = list(
        Alumnus.objects.filter(
            consents_to_contact=True, staff_contact__is_active=True, next_check_in_on__lte=today
        )
        .select_related("student", "staff_contact")
        .order_by("pk")
    )
    opt_ins = email_opt_ins(user_ids={a.staff_contact_id for a in alumni}, kind=kind)
    drafts = [
        user_draft(
            alumnus.staff_contact,
            kind=kind,
            subject=alumnus,
            occasion=f"due-{alumnus.next_check_in_on:%Y-%m-%d}",
            context={
                "alumnus_name": alumnus.student.display_name,
                "due_on": alumnus.next_check_in_on,
                "graduated_on": alumnus.graduated_on,
            },
            opt_ins=opt_ins,
            link_url=reverse("alumni:detail", args=[alumnus.pk]),
        )
        for alumnus in alumni
    ]
    return notifications_enqueue_many(drafts=drafts)


def seats_open(*, now: datetime) -> int:
    """Tell program staff when a site with a waitlist has a free seat, once per head of the list."""
    kind = Kind.SEAT_OPEN
    head = WaitlistEntry.objects.waiting().filter(site=models.OuterRef("pk")).values("pk")[:1]
    sites = (
        sites_with_seats(Site.objects.active())
        .annotate(head_id=models.Subquery(head))
        .filter(head_id__isnull=False, seats_left__gt=0)
    )
    seats = {site.head_id: site.seats_left for site in sites}
    heads = list(WaitlistEntry.objects.filter(pk__in=seats).select_related("student", "site").order_by("pk"))
    staff = program_staff()
    opt_ins = email_opt_ins(user_ids={u.pk for u in staff}, kind=kind)
    drafts = [
        user_draft(
            user,
            kind=kind,
            subject=entry,
            # A new head of the list is a new occasion; the same head is told once.
            occasion=f"site-{entry.site_id}",
            context={
                "student_name": entry.student.display_name,
                "site_name": entry.site.name,
                "seats": seats[entry.pk],
                "added_on": entry.added_on,
            },
            opt_ins=opt_ins,
            link_url=reverse("students:waitlist", args=[entry.site_id]),
        )
        for entry in heads
        for user in staff
    ]
    return notifications_enqueue_many(drafts=drafts)


def referrals_waiting(*, now: datetime) -> int:
    """Remind a referral's counselor when a new referral has had no contact for some days, once."""
    kind = Kind.REFERRAL_WAITING
    days = reminder_settings().referral_no_contact_days
    today = timezone.localdate(now)
    referrals = list(
        Referral.objects.filter(
            status=Referral.Status.RECEIVED,
            counselor__is_active=True,
            received_on__lte=today - timedelta(days=days),
        )
        .select_related("counselor", "source")
        .order_by("pk")
    )
    opt_ins = email_opt_ins(user_ids={r.counselor_id for r in referrals}, kind=kind)
    drafts = [
        user_draft(
            referral.counselor,
            kind=kind,
            subject=referral,
            occasion="no-contact",
            context={
                "youth_name": f"{referral.first_name} {referral.last_name}",
                "source_name": referral.source.name,
                "received_on": referral.received_on,
                "days": (today - referral.received_on).days,
            },
            opt_ins=opt_ins,
            link_url=reverse("students:referral_detail", args=[referral.pk]),
        )
        for referral in referrals
    ]
    return notifications_enqueue_many(drafts=drafts)


# Expiry first: a contract that expires today is not "due soon" any more.
SWEEPS: list[Callable[..., int]] = [
    contracts_expired,
    contracts_due_soon,
    attendance_not_logged,
    absences,
    alumni_check_ins_due,
    seats_open,
    referrals_waiting,
]


def run_sweeps(*, now: datetime) -> dict[str, int]:
    """Run every sweep; returns how many notifications each one wrote."""
    return {sweep.__name__: sweep(now=now) for sweep in SWEEPS}
