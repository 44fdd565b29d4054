"""Credit-recovery contracts (DESIGN.md rules 5–7) through their services."""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from devtools.bench.seed import County
from sites.calendar import InstructionalCalendar
from sites.models import Closure
from sites.services import closure_delete, closure_save
from students.models import Contract, ContractCourse, ExitReason, Student
from students.pace import contract_pace
from students.selectors import contracts_at_pace, with_pace
from students.services import (
    contract_course_add,
    contract_course_resolve,
    contract_course_update,
    contract_extend,
    contracts_expire_overdue,
    enrollment_exit,
    enrollment_transfer,
)
from tests.factories import ClosureFactory, EnrollmentFactory, StudentFactory

pytestmark = pytest.mark.django_db
MONDAY = date(2026, 9, 14)


def codes(excinfo) -> str:
    return excinfo.value.code


def test_it_computes_the_due_date_from_the_sites_calendar(student, open_contract):
    ClosureFactory(name="Org day", starts_on=date(2026, 9, 15), ends_on=date(2026, 9, 15))
    ClosureFactory(
        name="Site day",
        site=student.enrollments.get().site,
        starts_on=date(2026, 9, 16),
        ends_on=date(2026, 9, 16),
    )
    ClosureFactory(name="Elsewhere", site=None, starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 1))
    contract = open_contract(student, MONDAY)
    assert contract.due_on == date(2027, 1, 5)  # Jan 1 plus two closed weekdays
    assert (contract.length_days, contract.site, contract.teacher) == (
        80,
        student.enrollments.get().site,
        student.enrollments.get().teacher,
    )


def test_it_uses_the_configured_length(student, open_contract, settings):
    settings.ARTWORX_CONTRACT_DAYS = 10
    assert open_contract(student, MONDAY).due_on == date(2026, 9, 25)


def test_it_ignores_another_sites_closures(student, other_site, open_contract):
    ClosureFactory(site=other_site, starts_on=date(2026, 9, 15), ends_on=date(2026, 12, 31))
    assert open_contract(student, MONDAY).due_on == date(2027, 1, 1)


def test_it_refuses_a_student_who_is_not_enrolled(open_contract):
    with pytest.raises(ValidationError) as refusal:
        open_contract(StudentFactory())
    assert codes(refusal) == "not_enrolled"


def test_it_refuses_a_start_before_the_enrollment(student, open_contract):
    with pytest.raises(ValidationError) as refusal:
        open_contract(student, date(2026, 8, 3))
    assert codes(refusal) == "before_enrollment"


def test_it_keeps_one_active_contract_per_student(student, open_contract):
    open_contract(student)
    with pytest.raises(ValidationError) as refusal:
        open_contract(student)
    assert codes(refusal) == "active_contract_exists"
    assert Contract.objects.count() == 1


def test_the_database_keeps_one_active_contract_per_student(student, open_contract):
    contract = open_contract(student)
    with pytest.raises(IntegrityError):
        Contract.objects.create(
            student=student,
            site=contract.site,
            teacher=contract.teacher,
            started_on=MONDAY,
            length_days=80,
            due_on=contract.due_on,
        )


@pytest.mark.parametrize("credits", [[], [0], [11], [5, -1]])
def test_it_refuses_a_bad_courseload_and_writes_nothing(student, open_contract, credits):
    with pytest.raises(ValidationError) as refusal:
        open_contract(student, credits=credits)
    assert codes(refusal) in {"no_courses", "course_credits"}
    assert not Contract.objects.exists() and not ContractCourse.objects.exists()


def test_completed_courses_flow_into_earned_credits(student, open_contract, users):
    contract = open_contract(student, credits=[5, 2.5])
    first, second = contract.courses.all()
    contract_course_resolve(
        course=first, status="completed", grade="B", resolved_on=date(2026, 10, 1), by=users["teacher"]
    )
    contract_course_resolve(
        course=second, status="not_completed", grade="F", resolved_on=date(2026, 10, 2), by=users["teacher"]
    )
    assert Student.objects.with_credits().get(pk=student.pk).credits_earned == Decimal(
        "125.0"
    )  # 120 prior + 5


def test_a_contract_completes_when_every_course_is_resolved(student, open_contract, users):
    contract = open_contract(student)
    first, second = contract.courses.all()
    contract_course_resolve(
        course=first, status="completed", grade="A", resolved_on=date(2026, 10, 1), by=users["teacher"]
    )
    contract.refresh_from_db()
    assert contract.status == "active"
    contract_course_resolve(
        course=second, status="completed", grade="P", resolved_on=date(2026, 10, 9), by=users["teacher"]
    )
    contract.refresh_from_db()
    assert (contract.status, contract.closed_on) == ("completed", date(2026, 10, 9))


def test_a_closed_contract_shows_the_instructional_days_it_ran(student, open_contract, users, as_role):
    contract = open_contract(student)  # Monday 2026-09-14
    for course in contract.courses.all():
        contract_course_resolve(
            course=course, status="completed", grade="A", resolved_on=date(2026, 10, 9), by=users["teacher"]
        )
    page = as_role("teacher").get(reverse("students:contract_detail", args=[contract.pk]))
    assert page.context["contract"].days_used == 20  # four weeks of weekdays, no closure
    assert "20 of 80" in page.content.decode()


@pytest.mark.parametrize(
    ("status", "grade", "resolved_on", "code"),
    [
        ("completed", "F", date(2026, 10, 1), "grade"),
        ("not_completed", "B", date(2026, 10, 1), "grade"),
        ("completed", "A", date(2026, 9, 1), "before_start"),
        ("completed", "A", date(2099, 1, 1), "future"),
        ("in_progress", "", date(2026, 10, 1), "status"),
    ],
)
def test_it_refuses_an_inconsistent_result(student, open_contract, users, status, grade, resolved_on, code):
    course = open_contract(student).courses.first()
    with pytest.raises(ValidationError) as refusal:
        contract_course_resolve(
            course=course, status=status, grade=grade, resolved_on=resolved_on, by=users["teacher"]
        )
    assert codes(refusal) == code
    course.refresh_from_db()
    assert course.status == "in_progress"


def test_only_staff_change_a_closed_contract(student, open_contract, users):
    contract = open_contract(student, credits=[5])
    course = contract.courses.get()
    contract_course_resolve(
        course=course, status="completed", grade="C", resolved_on=date(2026, 10, 1), by=users["teacher"]
    )
    with pytest.raises(ValidationError) as refusal:
        contract_course_add(
            contract=contract, subject_area="math", title="Geometry", credits=5, by=users["teacher"]
        )
    assert codes(refusal) == "contract_closed"
    contract_course_add(
        contract=contract, subject_area="math", title="Geometry", credits=5, by=users["staff"]
    )
    contract.refresh_from_db()
    assert contract.status == "active"  # a new course in progress reopens it


def test_a_correction_keeps_the_contract_status_in_step(student, open_contract, users):
    contract = open_contract(student, credits=[5])
    course = contract.courses.get()
    contract_course_resolve(
        course=course, status="completed", grade="C", resolved_on=date(2026, 10, 1), by=users["teacher"]
    )
    course.refresh_from_db()
    course.status, course.grade, course.resolved_on = "in_progress", "", None
    contract_course_update(course=course, by=users["admin"])
    contract.refresh_from_db()
    assert contract.status == "active"
    course.credits = Decimal(12)
    with pytest.raises(ValidationError):
        contract_course_update(course=course, by=users["admin"])


def test_it_extends_a_contract_once_with_a_reason(student, open_contract, users):
    contract = open_contract(student)
    extended = contract_extend(contract=contract, days=5, reason="Hospital stay", by=users["staff"])
    assert extended.due_on == date(2027, 1, 8)
    assert "Extended by 5" in extended.due_note
    with pytest.raises(ValidationError) as refusal:
        contract_extend(contract=extended, days=5, reason="Again", by=users["staff"])
    assert codes(refusal) == "already_extended"


@pytest.mark.parametrize(
    ("days", "reason", "code"),
    [(0, "x", "extension_days"), (41, "x", "extension_days"), (5, " ", "extension_reason")],
)
def test_it_refuses_a_bad_extension(student, open_contract, users, days, reason, code):
    contract = open_contract(student)
    with pytest.raises(ValidationError) as refusal:
        contract_extend(contract=contract, days=days, reason=reason, by=users["staff"])
    assert codes(refusal) == code
    contract.refresh_from_db()
    assert contract.extension_days == 0


def test_it_expires_overdue_contracts_with_courses_unfinished(student, open_contract, users):
    contract = open_contract(student)
    assert contracts_expire_overdue(today=contract.due_on) == 0
    assert contracts_expire_overdue(today=date(2027, 1, 2)) == 1
    contract.refresh_from_db()
    assert (contract.status, contract.closed_on) == ("expired", contract.due_on)
    assert contract.history.first().status == "expired"
    assert contracts_expire_overdue(today=date(2027, 1, 2)) == 0


def test_changing_a_closure_moves_the_due_dates_it_affects(student, open_contract, other_site):
    contract = open_contract(student)
    site_closure = closure_save(
        closure=Closure(
            name="Site fair", site=contract.site, starts_on=date(2026, 10, 5), ends_on=date(2026, 10, 6)
        )
    )
    contract.refresh_from_db()
    assert contract.due_on == date(2027, 1, 5)
    assert "Site fair" in contract.due_note
    closure_save(
        closure=Closure(
            name="Other site", site=other_site, starts_on=date(2026, 10, 7), ends_on=date(2026, 10, 7)
        )
    )
    contract.refresh_from_db()
    assert contract.due_on == date(2027, 1, 5)
    closure_delete(closure=site_closure)
    contract.refresh_from_db()
    assert contract.due_on == date(2027, 1, 1)


def test_an_organisation_closure_moves_every_sites_contracts(student, open_contract):
    contract = open_contract(student)
    closure_save(closure=Closure(name="Storm day", starts_on=date(2026, 10, 5), ends_on=date(2026, 10, 5)))
    contract.refresh_from_db()
    assert contract.due_on == date(2027, 1, 4)


def test_leaving_the_programme_withdraws_the_active_contract(student, open_contract):
    contract = open_contract(student)
    enrollment_exit(
        enrollment=student.enrollments.get(), ended_on=date(2026, 10, 1), exit_reason=ExitReason.MOVED
    )
    contract.refresh_from_db()
    assert (contract.status, contract.closed_on) == ("withdrawn", date(2026, 10, 1))


@pytest.mark.parametrize(
    ("done", "today", "status"),
    [
        ([], date(2026, 9, 14), "on_track"),  # day 1 of 80
        ([5], date(2026, 11, 6), "on_track"),  # 40 of 80 days, 50 % of credits
        ([], date(2026, 10, 2), "behind"),  # 15 of 80 days (19 %), nothing done
        ([], date(2026, 11, 6), "at_risk"),  # 40 of 80 days, nothing done
    ],
)
def test_pace_compares_credits_done_with_days_elapsed(student, open_contract, users, done, today, status):
    contract = open_contract(student, credits=[5, 5])
    for course, _credits in zip(contract.courses.all(), done, strict=False):
        contract_course_resolve(
            course=course, status="completed", grade="B", resolved_on=date(2026, 9, 30), by=users["staff"]
        )
    contract = Contract.objects.with_credits().get(pk=contract.pk)
    pace = contract_pace(contract=contract, calendar=InstructionalCalendar(), today=today)
    assert pace.status == status
    assert "of 80 instructional days" in pace.reason


def test_pace_says_why_and_how_many_days_are_left(student, open_contract):
    contract = Contract.objects.with_credits().get(pk=open_contract(student).pk)
    pace = contract_pace(contract=contract, calendar=InstructionalCalendar(), today=date(2026, 11, 6))
    assert pace.reason == (
        "0 of 10 credits done (0%) after 40 of 80 instructional days (50%); 40 days left. "
        "Credits trail the calendar by 50 points."
    )


def test_pace_for_many_contracts_loads_closures_once(open_contract, site, teacher, django_assert_num_queries):
    for _ in range(5):
        open_contract(EnrollmentFactory(site=site, teacher=teacher).student)
    contracts = list(Contract.objects.with_credits())
    with django_assert_num_queries(1):
        with_pace(contracts, today=date(2026, 10, 1))
    assert all(c.pace.days_elapsed == 14 for c in contracts)


# The contract follows the student (rule 5) -------------------------------------------------------

TRANSFER_ON = date(2026, 10, 12)  # a Monday, four weeks after MONDAY


@pytest.fixture
def transferred(student, open_contract, other_site, other_teacher):
    """A contract opened at `site` on MONDAY, with one closure there before the transfer and a week
    closed at `other_site` after it; the student moves to `other_site` on TRANSFER_ON."""

    old_site = student.enrollments.get().site
    ClosureFactory(name="Old site day", site=old_site, starts_on=date(2026, 9, 15), ends_on=date(2026, 9, 15))
    ClosureFactory(
        name="New site week", site=other_site, starts_on=date(2026, 11, 16), ends_on=date(2026, 11, 20)
    )
    contract = open_contract(student, MONDAY)
    assert contract.due_on == date(2027, 1, 4)  # one closed day at the old site
    enrollment_transfer(
        enrollment=student.enrollments.get(), site=other_site, teacher=other_teacher, on=TRANSFER_ON
    )
    contract.refresh_from_db()
    return contract


def test_a_transfer_keeps_the_days_elapsed_and_counts_the_rest_at_the_new_site(transferred, other_site, site):
    elapsed = InstructionalCalendar([(date(2026, 9, 15),) * 2]).count(MONDAY, date(2026, 10, 9))
    assert elapsed == 19  # four weeks less the old site's closed day
    remaining_at_new_site = InstructionalCalendar([(date(2026, 11, 16), date(2026, 11, 20))])
    assert transferred.due_on == remaining_at_new_site.nth_day(TRANSFER_ON, 80 - elapsed) == date(2027, 1, 11)
    assert transferred.site == other_site
    assert "Westside Storefront" in transferred.due_note
    assert "19" in transferred.due_note and "2027" in transferred.due_note


def test_after_a_transfer_a_closure_at_the_new_site_moves_the_due_date(transferred, other_site):
    closure_save(
        closure=Closure(
            name="New site fair", site=other_site, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1)
        )
    )
    transferred.refresh_from_db()
    assert transferred.due_on == date(2027, 1, 12)
    assert "New site fair" in transferred.due_note


def test_after_a_transfer_a_closure_at_the_old_site_no_longer_moves_it(transferred, site):
    closure_save(
        closure=Closure(
            name="Old site fair", site=site, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 1)
        )
    )
    transferred.refresh_from_db()
    assert transferred.due_on == date(2027, 1, 11)
    assert "Old site fair" not in transferred.due_note


def test_after_a_transfer_the_pace_counts_days_at_both_sites(transferred):
    contract = with_pace(Contract.objects.with_credits().filter(pk=transferred.pk), today=date(2026, 11, 27))[
        0
    ]
    assert contract.pace.days_elapsed == 19 + 30  # six weeks at the new site, less its closed week


def test_after_a_transfer_an_extension_counts_at_the_new_site(transferred, users):
    extended = contract_extend(contract=transferred, days=5, reason="Illness", by=users["staff"])
    assert extended.due_on == date(2027, 1, 18)


def test_the_contract_page_says_why_a_transfer_moved_the_due_date(transferred, as_role):
    page = as_role("staff").get(reverse("students:contract_detail", args=[transferred.pk])).content.decode()
    assert "Westside Storefront" in page and "Transferred" in page


def test_the_migration_moves_contracts_left_behind_by_earlier_transfers(transferred, site, teacher):
    """A contract an earlier transfer left counting at the old site follows its student."""
    import importlib

    migration = importlib.import_module("students.migrations.0005_contract_follows_student")
    Contract.objects.filter(pk=transferred.pk).update(
        site=site, teacher=teacher, counted_from=None, days_elapsed_before=0, due_on=date(2027, 1, 4)
    )
    migration.follow_transferred_students(apps, None)
    transferred.refresh_from_db()
    assert (transferred.due_on, transferred.days_elapsed_before) == (date(2027, 1, 11), 19)
    assert transferred.counted_from == TRANSFER_ON and transferred.site.name == "Westside Storefront"


def test_the_pace_filter_picks_exactly_the_contracts_whose_rows_show_that_pace():
    # The filter reads plain values for every candidate; the rows shown compute pace on the contract.
    County(scale=0.02, seed=13).build()
    today = timezone.localdate()
    shown = with_pace(Contract.objects.active().with_credits(), today=today)
    assert {c.pace.status for c in shown} == {"on_track", "behind", "at_risk"}
    for pace in ("on_track", "behind", "at_risk"):
        picked = contracts_at_pace(Contract.objects.all(), pace=pace, today=today)
        assert set(picked.values_list("pk", flat=True)) == {c.pk for c in shown if c.pace.status == pace}
