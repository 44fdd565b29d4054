"""Each active contract's turning days (students.pace_turns): the dashboard's counts and the contract
list's pace filter read them in SQL, and must say exactly what the pace worked out day by day says,
whether a contract's row is up to date, missing or left stale by a change."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from devtools.bench.seed import County
from sites.models import Closure
from sites.services import closure_save
from students.models import Contract, ContractCourse, ContractPace
from students.pace import pace_status, turning_points
from students.pace_turns import ALWAYS, fresh_rows, stale, turns_write
from students.selectors import contracts_at_pace, pace_counts, with_pace
from students.services import contract_course_add, contract_course_resolve
from students.tasks import write_pace_turns
from tests.concurrency import interleave
from tests.factories import EnrollmentFactory

pytestmark = pytest.mark.django_db
PACES = ("on_track", "behind", "at_risk")


def worked_out(today: date) -> dict[int, str]:
    """Every active contract's pace on `today`, worked out contract by contract as its page shows it."""
    return {c.pk: c.pace.status for c in with_pace(Contract.objects.active().with_credits(), today=today)}


def read(today: date) -> dict[int, str]:
    """Every active contract's pace on `today` as the contract list's filter picks it."""
    picked = {}
    for pace in PACES:
        for pk in contracts_at_pace(Contract.objects.all(), pace=pace, today=today).values_list(
            "pk", flat=True
        ):
            assert pk not in picked, f"contract {pk} picked as {picked[pk]} and {pace}"
            picked[pk] = pace
    return picked


@pytest.fixture
def county():
    """A small network with contracts at every pace, one of them transferred with days already counted
    at its first site."""
    County(scale=0.02, seed=13).build()
    transferred = Contract.objects.active().order_by("pk").first()
    Contract.objects.filter(pk=transferred.pk).update(
        days_elapsed_before=50, counted_from=timezone.localdate()
    )
    return transferred


@pytest.mark.parametrize("total", [1, 40, 80, 95])
@pytest.mark.parametrize(("done", "planned"), [(0, 0), (0, 10), (3, 10), (7.5, 10), (10, 10), (12, 10)])
def test_the_turning_points_are_where_the_pace_worked_out_day_by_day_changes(settings, total, done, planned):
    settings.ARTWORX_PACE_BEHIND_POINTS, settings.ARTWORX_PACE_AT_RISK_POINTS = 10, 25
    done, planned = Decimal(str(done)), Decimal(planned)
    behind, at_risk = turning_points(days_total=total, done=done, planned=planned, behind=10, at_risk=25)
    for elapsed in range(total + 1):
        expected = pace_status(elapsed=elapsed, days_total=total, done=done, planned=planned)
        turned = "at_risk" if at_risk is not None and elapsed >= at_risk else None
        turned = turned or ("behind" if behind is not None and elapsed >= behind else "on_track")
        assert turned == expected, (elapsed, behind, at_risk)


@pytest.mark.parametrize("written", [False, True], ids=["rows missing", "rows written"])
def test_the_filter_and_the_counts_say_what_the_pace_worked_out_day_by_day_says(county, written):
    today = timezone.localdate()
    if written:
        assert turns_write() == Contract.objects.active().count()
        assert not stale(Contract.objects.all()).exists()
        assert ContractPace.objects.get(contract=county).behind_on == ALWAYS  # past the turn before it began
    seen = set()
    for day in (today + timedelta(days=n) for n in range(-14, 100, 9)):
        expected = worked_out(day)
        seen |= set(expected.values())
        assert read(day) == expected
        counts, due_soon = pace_counts(Contract.objects.all(), today=day)
        assert counts == Counter(expected.values())
        assert due_soon == Contract.objects.active().filter(due_on__lte=day + timedelta(days=10)).count()
    assert seen == set(PACES)


def test_a_change_leaves_the_row_stale_and_the_pace_still_follows_it(county, users, settings):
    turns_write()
    contract = Contract.objects.active().exclude(pk=county.pk).order_by("pk").first()
    course = contract.courses.filter(status=ContractCourse.Status.IN_PROGRESS).first()
    today = timezone.localdate()

    def only_stale(*expected) -> None:
        assert set(stale(Contract.objects.all()).values_list("pk", flat=True)) == set(expected)
        assert read(today + timedelta(days=30)) == worked_out(today + timedelta(days=30))
        turns_write()
        assert not stale(Contract.objects.all()).exists()

    contract_course_resolve(
        course=course, status="completed", grade="B", resolved_on=today, by=users["staff"]
    )
    only_stale(contract.pk)  # credits done
    contract_course_add(contract=contract, subject_area="math", title="Algebra", credits=5, by=users["staff"])
    only_stale(contract.pk)  # credits planned
    Contract.objects.filter(pk=contract.pk).update(due_on=contract.due_on + timedelta(days=7))
    only_stale(contract.pk)  # its days
    here = Contract.objects.active().filter(site=contract.site).values_list("pk", flat=True)
    closure = closure_save(
        closure=Closure(site=contract.site, name="Staff day", starts_on=today, ends_on=today)
    )
    only_stale(*here)  # a closure of its site: that site's calendar alone
    closure.name = "Staff development day"
    closure_save(closure=closure)
    only_stale()  # renamed: no calendar moved
    elsewhere = Contract.objects.active().exclude(site=contract.site).order_by("pk").first().site
    there = Contract.objects.active().filter(site=elsewhere).values_list("pk", flat=True)
    closure.site = elsewhere
    closure_save(closure=closure)
    only_stale(*here, *there)  # moved to another site: both calendars
    Closure.objects.filter(pk=closure.pk).delete()
    only_stale(*there)  # removed (here through the ORM, as a script would): its site's calendar
    closure_save(closure=Closure(name="Winter storm", starts_on=today, ends_on=today))
    only_stale(*Contract.objects.active().values_list("pk", flat=True))  # the organisation's: every site
    settings.ARTWORX_PACE_BEHIND_POINTS = 5
    only_stale(*Contract.objects.active().values_list("pk", flat=True))  # the thresholds


def test_the_quarter_hourly_task_writes_only_what_is_missing_or_stale(county, users):
    active = Contract.objects.active().count()
    assert write_pace_turns() == active
    assert write_pace_turns() == 0  # idempotent
    course = ContractCourse.objects.filter(
        contract__status=Contract.Status.ACTIVE, status=ContractCourse.Status.IN_PROGRESS
    ).first()
    contract_course_resolve(
        course=course, status="completed", grade="A", resolved_on=timezone.localdate(), by=users["staff"]
    )
    assert write_pace_turns() == (1 if Contract.objects.get(pk=course.contract_id).is_active else 0)
    ended = Contract.objects.active().order_by("pk").last()
    Contract.objects.filter(pk=ended.pk).update(status=Contract.Status.EXPIRED)
    assert write_pace_turns() == 0
    # Every contract has a row; only an active contract's row is up to date (an end is a change).
    assert ContractPace.objects.count() == Contract.objects.count()
    assert set(fresh_rows().values_list("contract", flat=True)) == set(
        Contract.objects.active().values_list("pk", flat=True)
    )


def test_the_quarter_hourly_task_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["write-pace-turns"]
    assert entry["task"] == write_pace_turns.name == "students.tasks.write_pace_turns"
    assert entry["schedule"].minute == {7, 22, 37, 52}


def test_counting_by_pace_reads_as_many_queries_however_many_contracts(county, django_assert_num_queries):
    turns_write()
    today = timezone.localdate()
    with django_assert_num_queries(1):  # up to date: one grouped count
        pace_counts(Contract.objects.all(), today=today)
    # Stale rows are worked out in Python: their values, then their sites' closures.
    ContractPace.objects.filter(contract__in=Contract.objects.active()[:3]).delete()
    with django_assert_num_queries(3):
        pace_counts(Contract.objects.all(), today=today)
    ContractPace.objects.all().delete()
    with django_assert_num_queries(3):
        pace_counts(Contract.objects.all(), today=today)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write_first", [True, False], ids=["written first", "course first"])
def test_a_row_written_while_a_course_completes_is_left_stale_whichever_commits_first(
    site, teacher, users, open_contract, write_first
):
    """The writer keeps the count of changes it read with the contract: a course completed after that
    read leaves the row stale even when the row is written after the course commits."""
    contract = open_contract(EnrollmentFactory(site=site, teacher=teacher).student)
    course = contract.courses.first()
    today = timezone.localdate()

    def complete():
        contract_course_resolve(
            course=course, status="completed", grade="A", resolved_on=today, by=users["staff"]
        )

    interleave(*((turns_write, complete) if write_first else (complete, turns_write)))
    assert list(stale(Contract.objects.all()).values_list("pk", flat=True)) == [contract.pk]
    assert pace_counts(Contract.objects.all(), today=today)[0] == Counter(worked_out(today).values())
    assert read(today) == worked_out(today)
    assert turns_write() == 1
    assert not stale(Contract.objects.all()).exists()
    assert read(today) == worked_out(today)
