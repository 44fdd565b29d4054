"""Waitlist and referral pages: permission matrix, bad input, conversion and query counts."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from students.models import Referral, Student, WaitlistEntry
from students.selectors import funnel_medians
from students.views.referrals import FUNNEL_ROWS_PER_PAGE
from tests.factories import (
    EnrollmentFactory,
    PartnerFactory,
    ReferralFactory,
    SiteFactory,
    StudentFactory,
    WaitlistEntryFactory,
)
from tests.matrix import matrix

pytestmark = pytest.mark.django_db

STAFF_ONLY = matrix(admin=200, staff=200, counselor=200, default=404)
REFERRAL_ROLES = matrix(
    admin=200, staff=200, counselor=200, teacher=200, other_teacher=404, teaching_artist=403, no_role=403
)
CHANGES_REFERRAL = matrix(
    admin=200, staff=200, counselor=200, teacher=403, other_teacher=404, teaching_artist=403, no_role=403
)


def assert_status(response, status):
    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("login"))


@pytest.fixture
def full_site(teacher):
    """A site of one seat, taken, where `teacher` teaches."""
    site = SiteFactory(name="Watts Classroom", capacity=1, teachers=[teacher])
    EnrollmentFactory(site=site, teacher=teacher)
    return site


@pytest.fixture
def converted(enrollment):
    """A referral whose youth is enrolled at `site` (the teacher's)."""
    return ReferralFactory(
        student=enrollment.student,
        status=Referral.Status.ENROLLED,
        contacted_on=date(2026, 11, 3),
        assessed_on=date(2026, 11, 4),
        enrolled_on=date(2026, 11, 5),
    )


# Waitlists --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        admin=200, staff=200, counselor=200, teacher=403, other_teacher=404, teaching_artist=404, no_role=404
    ),
)
def test_waitlist_page_permissions(as_role, site, role, status):
    WaitlistEntryFactory(site=site)
    assert_status(as_role(role).get(reverse("students:waitlist", args=[site.pk])), status)


@pytest.mark.parametrize("name", ["students:waitlist_enroll", "students:waitlist_skip"])
@pytest.mark.parametrize(("role", "status"), STAFF_ONLY)
def test_waitlist_action_permissions(as_role, site, name, role, status):
    entry = WaitlistEntryFactory(site=site)
    assert_status(as_role(role).get(reverse(name, args=[entry.pk])), status)


@pytest.mark.parametrize(("role", "status"), matrix(admin=302, staff=302, counselor=302, default=404))
def test_waitlist_add_permissions(as_role, full_site, role, status):
    student = StudentFactory()
    response = as_role(role).post(reverse("students:waitlist_add", args=[student.pk]), {"site": full_site.pk})
    assert response.status_code == status
    assert WaitlistEntry.objects.filter(student=student).exists() == (status == 302 and role != "anonymous")


def test_waitlist_pages_refuse_the_wrong_method(as_role, full_site):
    client = as_role("staff")
    entry = WaitlistEntryFactory(site=full_site)
    assert client.get(reverse("students:waitlist_add", args=[entry.student_id])).status_code == 405
    assert client.post(reverse("students:waitlist", args=[full_site.pk])).status_code == 405


def test_a_full_site_on_the_enroll_page_offers_its_waitlist(as_role, full_site, teacher):
    student = StudentFactory()
    client = as_role("staff")
    data = {"site": full_site.pk, "teacher": teacher.pk, "on": "2026-11-09"}
    response = client.post(reverse("students:enroll", args=[student.pk]), data)
    assert response.status_code == 200
    assert response.context["full_site"] == full_site
    assert "Add to the waitlist" in response.content.decode()
    response = client.post(reverse("students:waitlist_add", args=[student.pk]), {"site": full_site.pk})
    assert response.url == reverse("students:waitlist", args=[full_site.pk])
    assert WaitlistEntry.objects.waiting().get().student == student


def test_enrolling_from_the_waitlist_page(as_role, full_site, teacher):
    entry = WaitlistEntryFactory(site=full_site)
    full_site.enrollments.update(ended_on=date(2026, 11, 6), exit_reason="moved")
    client = as_role("staff")
    page = client.get(reverse("students:waitlist", args=[full_site.pk]))
    assert list(page.context["waiting"]) == [entry] and page.context["seats"] == 1
    response = client.post(
        reverse("students:waitlist_enroll", args=[entry.pk]),
        {"site": full_site.pk, "teacher": teacher.pk, "on": "2026-11-09"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "enrolled" and entry.student.enrollments.open().get().site == full_site


def test_enrolling_into_a_full_site_shows_why_and_writes_nothing(as_role, full_site, teacher):
    entry = WaitlistEntryFactory(site=full_site)
    response = as_role("staff").post(
        reverse("students:waitlist_enroll", args=[entry.pk]),
        {"site": full_site.pk, "teacher": teacher.pk, "on": "2026-11-09"},
    )
    assert response.status_code == 200
    assert "is full" in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == "waiting"


def test_skipping_without_a_reason_is_refused(as_role, full_site):
    entry = WaitlistEntryFactory(site=full_site)
    client = as_role("staff")
    response = client.post(reverse("students:waitlist_skip", args=[entry.pk]), {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors
    entry.refresh_from_db()
    assert entry.status == "waiting"
    client.post(reverse("students:waitlist_skip", args=[entry.pk]), {"reason": "Enrolled elsewhere"})
    entry.refresh_from_db()
    assert (entry.status, entry.skip_reason) == ("skipped", "Enrolled elsewhere")


# Referrals --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        admin=200, staff=200, counselor=200, teacher=200, other_teacher=200, teaching_artist=403, no_role=403
    ),
)
def test_referral_list_permissions(as_role, converted, role, status):
    response = as_role(role).get(reverse("students:referral_list"))
    assert_status(response, status)
    if role in ("teacher", "admin"):
        assert [r.pk for r in response.context["page"]] == [converted.pk]
    if role == "other_teacher":
        assert list(response.context["page"]) == []


@pytest.mark.parametrize(("role", "status"), REFERRAL_ROLES)
def test_referral_detail_permissions(as_role, converted, role, status):
    assert_status(as_role(role).get(reverse("students:referral_detail", args=[converted.pk])), status)


def test_a_teacher_does_not_see_a_referral_before_the_youth_is_enrolled_at_their_site(as_role, users):
    referral = ReferralFactory()
    assert as_role("teacher").get(reverse("students:referral_detail", args=[referral.pk])).status_code == 404


@pytest.mark.parametrize(
    "name", ["students:referral_update", "students:referral_advance", "students:referral_convert"]
)
@pytest.mark.parametrize(("role", "status"), CHANGES_REFERRAL)
def test_referral_change_permissions(as_role, converted, name, role, status):
    response = as_role(role).get(reverse(name, args=[converted.pk]))
    if name == "students:referral_convert" and status == 200:
        # Converted already: back to the referral, which says so.
        assert response.url == reverse("students:referral_detail", args=[converted.pk])
    else:
        assert_status(response, status)


@pytest.mark.parametrize("name", ["students:referral_create", "students:referral_funnel"])
@pytest.mark.parametrize(("role", "status"), matrix(admin=200, staff=200, counselor=200))
def test_referral_create_and_funnel_permissions(as_role, users, name, role, status):
    assert_status(as_role(role).get(reverse(name)), status)


def test_referral_pages_refuse_the_wrong_method(as_role, converted):
    client = as_role("counselor")
    assert client.post(reverse("students:referral_list")).status_code == 405
    assert client.post(reverse("students:referral_detail", args=[converted.pk])).status_code == 405
    assert client.post(reverse("students:referral_funnel")).status_code == 405
    assert client.delete(reverse("students:referral_convert", args=[converted.pk])).status_code == 405


def referral_data(**overrides) -> dict:
    return {
        "source": PartnerFactory().pk,
        "first_name": "Luz",
        "last_name": "Ortega",
        "date_of_birth": "2008-01-02",
        "received_on": "2026-11-02",
        "out_of_school": "on",
        "recommended_option": "this_program",
        "credits_english": "40",
        "credits_math": "12.5",
        **overrides,
    }


def test_a_counselor_records_a_referral(as_role, users):
    response = as_role("counselor").post(reverse("students:referral_create"), referral_data())
    referral = Referral.objects.get()
    assert response.url == reverse("students:referral_detail", args=[referral.pk])
    assert referral.credits_held == {"english": "40", "math": "12.5"}
    assert str(referral.credits_total) == "52.5"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"credits_english": "200", "credits_math": "150"}, "at most 300"),
        ({"credits_math": "-3"}, "greater than or equal to 0"),
        ({"date_of_birth": "2099-01-01"}, "must be in the past"),
        ({"received_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "cannot be in the future"),
        ({"first_name": ""}, "This field is required"),
    ],
)
def test_bad_referral_input_is_refused_with_a_message(as_role, users, overrides, message):
    response = as_role("counselor").post(reverse("students:referral_create"), referral_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Referral.objects.exists()


def test_advancing_backwards_is_refused_with_a_message(as_role, users):
    received = timezone.localdate() - timedelta(days=14)
    referral = ReferralFactory(received_on=received)
    url = reverse("students:referral_advance", args=[referral.pk])
    before = received - timedelta(days=1)
    response = as_role("counselor").post(url, {"status": "contacted", "on": before.isoformat()})
    assert response.status_code == 200 and "cannot be before the referral" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "received"
    as_role("counselor").post(url, {"status": "contacted", "on": (received + timedelta(days=2)).isoformat()})
    referral.refresh_from_db()
    assert (referral.status, referral.contacted_on) == ("contacted", received + timedelta(days=2))


def test_converting_into_a_full_site_puts_the_youth_on_its_waitlist(as_role, full_site, teacher):
    referral = ReferralFactory()
    response = as_role("counselor").post(
        reverse("students:referral_convert", args=[referral.pk]),
        {"site": full_site.pk, "teacher": teacher.pk, "on": "2026-11-09", "grade": "10"},
    )
    assert response.url == reverse("students:waitlist", args=[full_site.pk])
    entry = WaitlistEntry.objects.get()
    referral.refresh_from_db()
    assert referral.student == entry.student and referral.status == "assessed"


def test_converting_asks_to_confirm_a_possible_match(as_role, site, teacher):
    existing = StudentFactory(first_name="Luz", last_name="Ortega", date_of_birth=date(2008, 3, 9))
    referral = ReferralFactory(first_name="Luz", last_name="Ortega", date_of_birth=date(2008, 3, 9))
    url = reverse("students:referral_convert", args=[referral.pk])
    data = {"site": site.pk, "teacher": teacher.pk, "on": "2026-11-09", "grade": "10"}
    client = as_role("counselor")
    response = client.post(url, data)
    assert response.status_code == 200 and "match" in response.context["form"].errors
    assert Student.objects.count() == 1
    response = client.post(url, {**data, "match": str(existing.pk)})
    assert response.url == reverse("students:detail", args=[existing.pk])
    assert Student.objects.count() == 1 and existing.enrollments.open().get().site == site


def test_the_referral_list_queries_do_not_grow_with_rows(as_role, users, django_assert_num_queries):
    client = as_role("counselor")
    ReferralFactory.create_batch(2, counselor=users["counselor"])
    # session, user, groups, count, page of referrals, sources, counselors, the notification bell
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(8) as first:
        client.get(reverse("students:referral_list"))
    ReferralFactory.create_batch(10, counselor=users["counselor"])
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("students:referral_list"))


def test_the_funnel_counts_each_stage_and_its_queries_do_not_grow(as_role, users, django_assert_num_queries):
    source = PartnerFactory(name="Youth Centre East")
    ReferralFactory(source=source, received_on=date(2026, 10, 1), contacted_on=date(2026, 10, 3))
    ReferralFactory(source=source, received_on=date(2026, 10, 2))
    client = as_role("staff")
    # session, user, groups, the referrals' version, stages by source and month, step dates, the bell
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(7) as first:
        response = client.get(reverse("students:referral_funnel"))
    assert response.context["totals"]["received"] == 2 and response.context["totals"]["contacted"] == 1
    assert response.context["stages"][1] == ("contacted", 1, 50)
    assert response.context["medians"][0] == ("contacted", 2, 1)
    ReferralFactory.create_batch(10, source=source, received_on=date(2026, 11, 1))
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("students:referral_funnel"))
    assert response.context["totals"]["received"] == 12  # new referrals: computed afresh
    # Nothing changed: the funnel comes from the cache, and so do the session, the roles and the bell;
    # the user and the referrals' version are left.
    with django_assert_num_queries(2):
        response = client.get(reverse("students:referral_funnel"))
    assert response.context["totals"]["received"] == 12


def test_the_funnel_medians_from_the_database_match_the_dates_counted_one_by_one():
    import random
    from statistics import median

    rng = random.Random(22)
    for _ in range(41):
        received = date(2026, 1, 5) + timedelta(days=rng.randrange(200))
        contacted = received + timedelta(days=rng.randrange(9)) if rng.random() < 0.8 else None
        assessed = contacted + timedelta(days=rng.randrange(15)) if contacted and rng.random() < 0.6 else None
        ReferralFactory(received_on=received, contacted_on=contacted, assessed_on=assessed)
    rows = list(Referral.objects.values_list("received_on", "contacted_on", "assessed_on", "enrolled_on"))
    expected = []
    for i, name in enumerate(["contacted", "assessed", "enrolled"], start=1):
        days = [(r[i] - r[i - 1]).days for r in rows if r[i] and r[i - 1]]
        expected.append((name, median(days) if days else None, len(days)))
    assert funnel_medians(Referral.objects.all()) == expected


def test_the_funnel_table_by_source_and_month_comes_a_page_at_a_time(as_role):
    sources = [PartnerFactory(name=f"Youth centre {n}") for n in range(4)]
    for month in range(1, 13):
        for source in sources:  # 48 rows of source and month
            ReferralFactory(source=source, received_on=date(2025, month, 3))
    client = as_role("staff")
    first = client.get(reverse("students:referral_funnel")).context
    assert len(first["page"].object_list) == FUNNEL_ROWS_PER_PAGE
    assert first["totals"]["received"] == 48  # the figures above the table count every row
    second = client.get(reverse("students:referral_funnel"), {"page": 2}).context
    assert len(second["page"].object_list) == 48 - FUNNEL_ROWS_PER_PAGE
