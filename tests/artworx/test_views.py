"""Log in, land on the role's home page, log out, change password."""

from datetime import date, time

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.urls import reverse

from artworx.roles import role_names
from programs.models import Attendance, Participation, Session
from tests.factories import CohortFactory, EnrollmentFactory
from tests.matrix import ROLES

pytestmark = pytest.mark.django_db

HOME_TEMPLATES = {
    "admin": "reports/home_staff.html",
    "staff": "reports/home_staff.html",
    "counselor": "notifications/today.html",
    "teacher": "reports/home_teacher.html",
    "other_teacher": "reports/home_teacher.html",
    "no_role": "reports/home_no_role.html",
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lands_on_its_home_page(as_role, role):
    response = as_role(role).get(reverse("home"))
    if role == "anonymous":
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    elif role == "teaching_artist":
        assert response.status_code == 302 and response.url == reverse("programs:my_sessions")
    else:
        assert response.status_code == 200
        assert HOME_TEMPLATES[role] in [t.name for t in response.templates]


def test_home_refuses_post(as_role):
    assert as_role("staff").post(reverse("home")).status_code == 405


def test_a_teacher_home_shows_only_their_caseload(as_role, enrollment, other_site, other_teacher):
    EnrollmentFactory(site=other_site, teacher=other_teacher)
    response = as_role("teacher").get(reverse("home"))
    assert [s.pk for s in response.context["caseload"]] == [enrollment.student_id]
    assert [s.pk for s in response.context["sites"]] == [enrollment.site_id]


def test_home_queries_do_not_grow_with_students(as_role, site, teacher, django_assert_num_queries):
    cohort = CohortFactory(site=site)
    session = Session.objects.create(
        cohort=cohort, date=date(2026, 9, 14), starts_at=time(15), duration_minutes=60
    )

    def add_students(n):
        for enrollment in EnrollmentFactory.create_batch(n, site=site, teacher=teacher):
            p = Participation.objects.create(
                cohort=cohort, student=enrollment.student, joined_on=date(2026, 9, 14)
            )
            Attendance.objects.create(session=session, participation=p, mark="U")

    client = as_role("teacher")
    add_students(2)
    # session, user, groups, caseload, open enrollments, active contracts, closures, participations,
    # absence thresholds, attendance marks, sites, teachers, the open items (Today), the bell's count
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(14) as first:
        client.get(reverse("home"))
    add_students(10)
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(reverse("home"))
    assert [s.attendance.rate for s in response.context["caseload"]] == [0] * 12


def test_a_user_logs_in_with_a_password_and_out_with_a_post(client, teacher):
    response = client.post(reverse("login"), {"login": "teacher", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_a_wrong_password_is_refused_with_a_message(client, users):
    response = client.post(reverse("login"), {"login": "staff", "password": "nope"})
    assert response.status_code == 200
    assert "username and/or password you specified are not correct" in response.content.decode()


def test_a_user_changes_their_password(as_role, users, client):
    as_role("teacher")
    data = {
        "oldpassword": "correct-horse-battery",
        "password1": "a-much-longer-one-9",
        "password2": "a-much-longer-one-9",
    }
    assert client.post(reverse("password_change"), data).status_code == 302
    users["teacher"].refresh_from_db()
    assert users["teacher"].check_password("a-much-longer-one-9")


def test_a_weak_new_password_is_refused(as_role, users, client):
    as_role("teacher")
    data = {"oldpassword": "correct-horse-battery", "password1": "12345", "password2": "12345"}
    assert client.post(reverse("password_change"), data).status_code == 200
    users["teacher"].refresh_from_db()
    assert users["teacher"].check_password("correct-horse-battery")


def test_the_language_switch_serves_spanish_labels(as_role, client):
    as_role("staff")
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert 'lang="es"' in client.get(reverse("home")).content.decode()


def test_role_names_follow_groups(users):
    assert role_names(users["counselor"]) == ["Counselor"]
    assert role_names(users["no_role"]) == []


def test_favicon_ico_leads_to_the_apps_icon_that_exists(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith(".png")
    assert finders.find(response["Location"].removeprefix(settings.STATIC_URL).split("?")[0])


@pytest.mark.parametrize(
    "name",
    [
        "students:list",
        "students:contract_list",
        "students:referral_list",
        "alumni:list",
        "dashboard:dashboard",
        "programs:attendance_alerts",
        "programs:unlogged_sessions",
    ],
)
def test_filters_say_what_their_empty_choice_means(as_role, name):
    page = as_role("admin").get(reverse(name)).content.decode()
    assert "---------" not in page


def test_the_alumni_overdue_filter_starts_on_everyone(as_role):
    page = as_role("admin").get(reverse("alumni:list")).content.decode()
    overdue = page[page.index('name="overdue"') :]
    assert (
        overdue[: overdue.index("</select>")]
        .split("<option")[1]
        .startswith(' value="" selected>Overdue or not')
    )
