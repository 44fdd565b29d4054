"""Reminders about students: contracts due soon and expired, open seats for the waitlist, referrals
waiting for a first contact."""

from datetime import date, datetime, timedelta

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from notifications.items import items_close_superseded, resolver
from notifications.models import Kind, ReminderSettings
from notifications.selectors import email_opt_ins
from notifications.services import notifications_enqueue_many
from notifications.sweeps import contact_draft, links, responsible_drafts, still_owed, sweep
from sites.calendar import calendars_for_sites
from sites.models import Site
from students.models import (
    Assignment,
    Channel,
    Contract,
    Enrollment,
    Guardian,
    IndependentStudyPolicy,
    Referral,
    Review,
    Student,
)
from students.services import contracts_expire_overdue, review_open_if_due
from students.services.seats import seat_heads_next, seat_open_items_write

ONE_DAY = timedelta(days=1)
# Contracts that expired longer ago than this are history, not news: the first sweep after a
# deployment does not flood teachers with every contract that ever expired.
EXPIRED_LOOKBACK_DAYS = 30


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


# Expiry first: a contract that expires today is not "due soon" any more.
@sweep
def contracts_expired(*, now: datetime) -> int:
    """Expire overdue contracts, then tell its teacher and its site lead, once per contract."""
    kind = Kind.CONTRACT_EXPIRED
    link = links("students:contract_detail")
    today: date = timezone.localdate(now)
    contracts_expire_overdue(today=today)
    expired = Contract.objects.filter(
        status=Contract.Status.EXPIRED, closed_on__gte=today - timedelta(days=EXPIRED_LOOKBACK_DAYS)
    )
    occasions = dict.fromkeys(expired.values_list("pk", flat=True), "expired")
    owed = still_owed(kind=kind, model=Contract, occasions=occasions, holders=("teacher", "lead"))
    contracts = list(
        _with_current_teacher(
            expired.filter(pk__any=owed)
            .with_credits()
            .select_related("student", "teacher", "site__lead")
            .order_by("pk")
        )
    )
    teachers = {contract.pk: current_teacher(contract) for contract in contracts}
    leads = {c.site.lead_id for c in contracts if c.site.lead_id}
    opt_ins = email_opt_ins(user_ids={t.pk for t in teachers.values() if t} | leads, kind=kind)
    drafts = []
    for contract in contracts:
        drafts += _contract_drafts(
            contract,
            [
                _teacher(contract, teachers[contract.pk]),
                (f"site-{contract.site_id}:lead", contract.site.lead),
            ],
            kind=kind,
            occasion="expired",
            context=_contract_context(contract, teachers[contract.pk]),
            opt_ins=opt_ins,
            link=link,
        )
    return notifications_enqueue_many(drafts=drafts)


@resolver(Kind.CONTRACT_EXPIRED)
def contracts_still_expired(contract_ids: list[int], now: datetime) -> QuerySet:
    """Contracts not extended, completed or closed since they expired."""
    return Contract.objects.filter(pk__any=contract_ids, status=Contract.Status.EXPIRED).values_list(
        "pk", flat=True
    )


def _teacher(contract: Contract, teacher) -> tuple[str, object]:
    """The teacher's responsibility for a contract's student: it follows the student on a transfer."""
    return (f"student-{contract.student_id}:teacher", teacher)


def _contract_drafts(contract, people, *, kind, occasion, context, opt_ins, link) -> list:
    """Items about a contract for the responsible people, linking to the contract (`link`: the sweep's
    `links("students:contract_detail")`)."""
    return responsible_drafts(
        people,
        kind=kind,
        subject=contract,
        occasion=occasion,
        context=context,
        opt_ins=opt_ins,
        link_url=link(contract.pk),
        site_id=contract.site_id,
    )


@sweep
def contracts_due_soon(*, now: datetime) -> int:
    """Remind the teacher, the student and consenting guardians 10, 5 and 1 instructional days ahead."""
    kind = Kind.CONTRACT_DUE_SOON
    link = links("students:contract_detail")
    thresholds = ReminderSettings.current().contract_due_day_list
    if not thresholds:
        return 0
    today = timezone.localdate(now)
    tomorrow = today + ONE_DAY
    # Sites, then their closures in one query; the latest date any site could be owed a reminder for.
    calendars = calendars_for_sites(Site.objects.values_list("pk", flat=True))
    horizon = max(calendar.nth_day(tomorrow, thresholds[0]) for calendar in calendars.values())
    in_horizon = Contract.objects.active().filter(due_on__gte=today, due_on__lte=horizon)
    # Each contract's band from one slim query; only those still owed an item by someone are loaded.
    occasions, days, students = {}, {}, {}
    for pk, site_id, due_on, students[pk] in in_horizon.values_list("pk", "site_id", "due_on", "student_id"):
        days[pk] = calendars[site_id].count(tomorrow, due_on)
        threshold = _due_threshold(days[pk], thresholds)
        if threshold is not None:
            # The due date is part of the occasion: an extension moves it, and the reminders start over.
            occasions[pk] = f"due-{due_on:%Y-%m-%d}:at-{threshold}"
    owed = still_owed(kind=kind, model=Contract, occasions=occasions, holders=_due_soon_holders(students))
    contracts = (
        in_horizon.filter(pk__any=owed)
        .with_credits()
        .select_related("student", "teacher", "site")
        .prefetch_related(
            Prefetch(
                "student__guardians",
                queryset=Guardian.objects.reachable_by(Channel.EMAIL).order_by("pk"),
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
        occasion, days_left = occasions[contract.pk], days[contract.pk]
        teacher = teachers[contract.pk]
        context = {**_contract_context(contract, teacher), "days_left": days_left}
        drafts += _contract_drafts(
            contract,
            [_teacher(contract, teacher)],
            kind=kind,
            occasion=occasion,
            context=context,
            opt_ins=opt_ins,
            link=link,
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
    # The newest occasion stands for the contract: the "10 days left" item closes at "5 days left".
    staff_keys = [draft.dedupe_key for draft in drafts if draft.in_app]
    items_close_superseded(
        kind=kind, subject_ids={draft.subject.pk for draft in drafts if draft.in_app}, keep_keys=staff_keys
    )
    return notifications_enqueue_many(drafts=drafts)


def _due_soon_holders(students: dict[int, int]) -> dict[int, tuple[str, ...]]:
    """Who a due-soon reminder of each contract (contract → student) reaches, as its dedupe keys name
    them: the teacher, the student with an email address and each guardian reachable by email."""
    student_ids = list(set(students.values()))
    with_email = set(
        Student.objects.filter(pk__any=student_ids).exclude(email="").values_list("pk", flat=True)
    )
    guardians: dict[int, list[str]] = {}
    reachable = Guardian.objects.reachable_by(Channel.EMAIL).filter(student__any=student_ids)
    for student_id, guardian_id in reachable.values_list("student_id", "pk"):
        guardians.setdefault(student_id, []).append(f"guardian-{guardian_id}")
    return {
        pk: (
            "teacher",
            *([f"student-{student_id}"] if student_id in with_email else []),
            *guardians.get(student_id, []),
        )
        for pk, student_id in students.items()
    }


@sweep
def seats_open(*, now: datetime) -> int:
    """Tell a site's lead when it has a free seat and a waitlist, once per head of the list."""
    return seat_open_items_write()


@resolver(Kind.SEAT_OPEN)
def seats_still_open(entry_ids: list[int], now: datetime) -> set[int]:
    """The heads of the lists of sites with a free seat (a head enrolled or skipped, or a site full
    again, ends the item)."""
    return seat_heads_next()


@resolver(Kind.CONTRACT_DUE_SOON)
def contracts_still_due(contract_ids: list[int], now: datetime) -> QuerySet:
    """Active contracts not past their due date (completing or closing one ends its item)."""
    today = timezone.localdate(now)
    return (
        Contract.objects.active().filter(pk__any=contract_ids, due_on__gte=today).values_list("pk", flat=True)
    )


@sweep
def referrals_waiting(*, now: datetime) -> int:
    """Remind a referral's counselor when a new referral has had no contact for some days, once."""
    kind = Kind.REFERRAL_WAITING
    days = ReminderSettings.current().referral_no_contact_days
    today = timezone.localdate(now)
    waiting = Referral.objects.filter(
        status=Referral.Status.RECEIVED,
        counselor__is_active=True,
        received_on__lte=today - timedelta(days=days),
    )
    occasions = dict.fromkeys(waiting.values_list("pk", flat=True), "no-contact")
    owed = still_owed(kind=kind, model=Referral, occasions=occasions, holders=("counselor",))
    referrals = list(waiting.filter(pk__any=owed).select_related("counselor", "source").order_by("pk"))
    link = links("students:referral_detail")
    opt_ins = email_opt_ins(user_ids={r.counselor_id for r in referrals}, kind=kind)
    drafts = []
    for referral in referrals:
        drafts += responsible_drafts(
            [(f"referral-{referral.pk}:counselor", referral.counselor)],
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
            link_url=link(referral.pk),
        )
    return notifications_enqueue_many(drafts=drafts)


@resolver(Kind.REFERRAL_WAITING)
def referrals_still_waiting(referral_ids: list[int], now: datetime) -> QuerySet:
    """Referrals still waiting for a first contact (contacting, declining or enrolling ends it)."""
    return Referral.objects.filter(pk__any=referral_ids, status=Referral.Status.RECEIVED).values_list(
        "pk", flat=True
    )


@sweep
def missed_work_reviews(*, now: datetime) -> int:
    """Open a review where missed assignments reach the policy's number; tell the teacher and counselors."""
    kind = Kind.MISSED_WORK_REVIEW
    link = links("students:contract_detail")
    today = timezone.localdate(now)
    # Candidates in one query: active contracts with work past due and not handed in, not yet reviewed.
    candidates = (
        Contract.objects.active()
        .filter(assignments__handed_in_on__isnull=True, assignments__due_on__lt=today)
        .filter(assignments__review__isnull=True)
        .distinct()
        .order_by("pk")
    )
    opened = [
        review for contract in candidates if (review := review_open_if_due(contract=contract, today=today))
    ]
    if not opened:
        return 0
    contracts = list(
        _with_current_teacher(
            Contract.objects.filter(pk__in=[r.contract_id for r in opened])
            .with_credits()
            .select_related("student", "teacher", "site__counselor")
        )
    )
    teachers = {contract.pk: current_teacher(contract) for contract in contracts}
    counsel = {c.site.counselor_id for c in contracts if c.site.counselor_id}
    opt_ins = email_opt_ins(user_ids={t.pk for t in teachers.values() if t} | counsel, kind=kind)
    reviews = {review.contract_id: review for review in opened}
    drafts = []
    for contract in contracts:
        review = reviews[contract.pk]
        context = {**_contract_context(contract, teachers[contract.pk]), "missed": review.missed_count}
        drafts += _contract_drafts(
            contract, _teacher_and_counselor(contract, teachers[contract.pk]), kind=kind,
            occasion=f"review-{review.pk}", context=context, opt_ins=opt_ins, link=link,
        )  # fmt: skip
    return notifications_enqueue_many(drafts=drafts)


def _teacher_and_counselor(contract: Contract, teacher) -> list[tuple[str, object]]:
    """DESIGN.md's table for reviews and re-engagement: the student's teacher and the site counselor."""
    return [_teacher(contract, teacher), (f"site-{contract.site_id}:counselor", contract.site.counselor)]


@resolver(Kind.MISSED_WORK_REVIEW)
def reviews_still_open(contract_ids: list[int], now: datetime) -> QuerySet:
    """Active contracts with a review not yet decided."""
    open_reviews = Review.objects.filter(status=Review.Status.OPEN, contract__in=Contract.objects.active())
    return open_reviews.filter(contract__any=contract_ids).values_list("contract", flat=True)


@resolver(Kind.REENGAGEMENT)
def contracts_still_active(contract_ids: list[int], now: datetime) -> QuerySet:
    """Re-engagement is about an active contract: once it ends, so does the item."""
    return Contract.objects.active().filter(pk__any=contract_ids).values_list("pk", flat=True)


@sweep
def reengagement(*, now: datetime) -> int:
    """A student credited with less than the policy's share (90 %) of the expected time over its weeks
    (four): an item for their teacher and the counselors, once per contract and week. The figures of every
    active contract come from two slim queries; only contracts still owed an item are loaded."""
    kind = Kind.REENGAGEMENT
    link = links("students:contract_detail")
    policy = IndependentStudyPolicy.current()
    today = timezone.localdate(now)
    first, last = today - timedelta(weeks=policy.reengagement_weeks), today - ONE_DAY
    candidates = Contract.objects.active().filter(started_on__lte=first)
    earned = dict(
        Assignment.objects.evaluated()
        .filter(contract__in=candidates, handed_in_on__range=(first, last))
        .values("contract")
        .annotate(total=models.Sum("credited_days"))
        .values_list("contract", "total")
    )
    sites = dict(candidates.values_list("pk", "site_id"))
    # The same weeks for every contract: the days expected depend on the site's closures only.
    expected_at = {
        site_id: calendar.count(first, last)
        for site_id, calendar in calendars_for_sites(set(sites.values())).items()
    }
    figures = {}
    for pk, site_id in sites.items():
        expected = expected_at[site_id]
        credited = earned.get(pk) or 0
        if expected and 100 * credited < policy.reengagement_percent * expected:
            figures[pk] = {"percent": round(100 * credited / expected), "expected": expected}
    week = today.isocalendar()
    occasion = f"week-{week.year}-{week.week}"
    owed = still_owed(
        kind=kind,
        model=Contract,
        occasions=dict.fromkeys(figures, occasion),
        holders=("teacher", "counselor"),
    )
    if not owed:
        return 0
    flagged = [
        (contract, figures[contract.pk])
        for contract in _with_current_teacher(
            Contract.objects.filter(pk__any=owed)
            .with_credits()
            .select_related("student", "teacher", "site__counselor")
            .order_by("pk")
        )
    ]
    teachers = {contract.pk: current_teacher(contract) for contract, _f in flagged}
    user_ids = {t.pk for t in teachers.values() if t} | {c.site.counselor_id for c, _f in flagged}
    opt_ins = email_opt_ins(user_ids=user_ids, kind=kind)
    drafts = []
    for contract, figures in flagged:
        teacher = teachers[contract.pk]
        context = {**_contract_context(contract, teacher), **figures, "weeks": policy.reengagement_weeks}
        drafts += _contract_drafts(
            contract, _teacher_and_counselor(contract, teacher), kind=kind,
            occasion=occasion, context=context, opt_ins=opt_ins, link=link,
        )  # fmt: skip
    return notifications_enqueue_many(drafts=drafts)
