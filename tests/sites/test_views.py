"""Site pages: permission matrix, bad input and query counts."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from sites.models import Site
from tests.factories import EnrollmentFactory, SiteFactory, TeacherFactory
from tests.matrix import matrix

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"), matrix(admin=200, staff=200, counselor=200, teacher=200, other_teacher=200)
)
def test_site_list_permissions(as_role, site, role, status):
    response = as_role(role).get(reverse("sites:list"))
    assert response.status_code == status
    if status == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "status"), matrix(admin=200, staff=200, counselor=200, teacher=200, other_teacher=404)
)
def test_site_detail_permissions(as_role, site, role, status):
    assert as_role(role).get(reverse("sites:detail", args=[site.pk])).status_code == status


@pytest.mark.parametrize(("role", "status"), matrix(admin=200, staff=200))
def test_site_create_permissions(as_role, role, status):
    assert as_role(role).get(reverse("sites:create")).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    matrix(
        admin=200, staff=200, counselor=403, teacher=403, other_teacher=404, teaching_artist=404, no_role=404
    ),
)
def test_site_update_permissions(as_role, site, role, status):
    assert as_role(role).get(reverse("sites:update", args=[site.pk])).status_code == status


@pytest.mark.parametrize("name", ["sites:list", "sites:detail"])
def test_site_pages_refuse_other_methods(as_role, site, name):
    args = [site.pk] if name == "sites:detail" else []
    assert as_role("staff").post(reverse(name, args=args)).status_code == 405


def test_it_lists_seats_left_per_site_and_teacher(as_role, site, teacher):
    EnrollmentFactory.create_batch(3, site=site, teacher=teacher)
    response = as_role("staff").get(reverse("sites:list"))
    row = next(s for s in response.context["sites"] if s.pk == site.pk)
    assert (row.enrolled, row.seats_left) == (3, 47)
    assert [(t.caseload_count, t.seats_left) for t in row.teachers.all()] == [(3, 22)]


def test_it_shows_the_roster_grouped_by_teacher(as_role, site, teacher):
    enrollment = EnrollmentFactory(site=site, teacher=teacher)
    response = as_role("teacher").get(reverse("sites:detail", args=[site.pk]))
    assert list(response.context["roster"]) == [enrollment]
    assert enrollment.student.last_name in response.content.decode()


def site_form(**overrides) -> dict:
    return {
        "name": "Harbor Storefront",
        "address": "1 Harbor Way",
        "capacity": "30",
        "is_active": "on",
        **overrides,
    }


def test_it_creates_a_site(as_role, teacher):
    response = as_role("staff").post(reverse("sites:create"), site_form(teachers=[teacher.pk]))
    site = Site.objects.get(name="Harbor Storefront")
    assert response.status_code == 302
    assert list(site.teachers.all()) == [teacher]


@pytest.mark.parametrize("capacity", ["0", "51", "-3", "many"])
def test_it_refuses_a_capacity_out_of_range_on_the_field(as_role, capacity):
    response = as_role("staff").post(reverse("sites:create"), site_form(capacity=capacity))
    assert response.status_code == 200
    assert "capacity" in response.context["form"].errors
    assert not Site.objects.filter(name="Harbor Storefront").exists()


def test_it_refuses_a_capacity_below_the_students_enrolled(as_role, site, teacher):
    EnrollmentFactory.create_batch(3, site=site, teacher=teacher)
    form = site_form(name=site.name, capacity="2", teachers=[teacher.pk])
    response = as_role("staff").post(reverse("sites:update", args=[site.pk]), form)
    assert response.status_code == 200
    assert "has 3 students enrolled" in str(response.context["form"].non_field_errors())
    site.refresh_from_db()
    assert site.capacity == 50


def test_it_refuses_to_remove_a_teacher_who_still_has_students(as_role, site, teacher):
    EnrollmentFactory(site=site, teacher=teacher)
    response = as_role("staff").post(reverse("sites:update", args=[site.pk]), site_form(name=site.name))
    assert "Transfer the students of" in str(response.context["form"].non_field_errors())
    assert list(site.teachers.all()) == [teacher]


def test_site_list_queries_do_not_grow_with_sites(as_role, django_assert_num_queries):
    client = as_role("staff")

    def fill(n):
        for _ in range(n):
            site = SiteFactory()
            teachers = TeacherFactory.create_batch(2)
            site.teachers.set(teachers)
            EnrollmentFactory.create_batch(2, site=site, teacher=teachers[0])

    fill(2)
    # session, user, groups (role predicates), sites counted for the pages, a page of sites with
    # counts, prefetched teachers with caseloads, the notification bell's unread count
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(7):
        client.get(reverse("sites:list"))
    fill(6)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(7):
        client.get(reverse("sites:list"))


def test_the_site_list_shows_fifty_sites_a_page(as_role):
    for n in range(52):
        SiteFactory(name=f"Storefront {n:02d}")
    names = list(Site.objects.order_by("name").values_list("name", flat=True))
    first = as_role("staff").get(reverse("sites:list"))
    second = as_role("staff").get(reverse("sites:list"), {"page": 2})
    assert [s.name for s in first.context["sites"]] == names[:50]
    assert [s.name for s in second.context["sites"]] == names[50:] != []
    assert "Page 2 of 2" in second.content.decode()
    # A page that is not a number or past the end shows a page of the list, never an error.
    assert as_role("staff").get(reverse("sites:list"), {"page": "x"}).status_code == 200
    assert [s.name for s in as_role("staff").get(reverse("sites:list"), {"page": 99}).context["sites"]] == (
        names[50:]
    )


def test_the_home_pages_show_the_fullest_sites_when_they_do_not_all_fit(as_role, site, teacher):
    others = [SiteFactory(name=f"Storefront {n:02d}", capacity=50) for n in range(12)]
    EnrollmentFactory.create_batch(3, site=site, teacher=teacher)  # site: fewest seats left
    others[5].teachers.add(teacher)
    EnrollmentFactory(site=others[5], teacher=teacher)
    home = as_role("staff").get(reverse("home"))
    names = [s.name for s in home.context["sites"]]
    assert len(names) == 12 and names[:2] == [site.name, "Storefront 05"]
    body = home.content.decode()
    assert f"The 12 fullest of {Site.objects.count()} sites." in body and reverse("sites:list") in body
    # A teacher's own sites all fit: every one, and no note.
    mine = as_role("teacher").get(reverse("home"))
    assert [s.name for s in mine.context["sites"]] == [site.name, "Storefront 05"]
    assert "fullest" not in mine.content.decode()


def test_site_detail_queries_do_not_grow_with_the_roster(as_role, site, teacher, django_assert_num_queries):
    client = as_role("staff")
    EnrollmentFactory.create_batch(2, site=site, teacher=teacher)
    # session, user, groups, site with counts, teachers, roster, closures, attendance, cohorts, bell
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(10) as first:
        client.get(reverse("sites:detail", args=[site.pk]))
    EnrollmentFactory.create_batch(10, site=site, teacher=teacher)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("sites:detail", args=[site.pk]))
