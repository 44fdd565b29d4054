"""What every page's layout and filter bars keep in the cache (issue #22): the roles, the bell's count and
the site and teacher pickers, each let go when what it shows changes."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from artworx import context_processors, roles
from notifications.items import items_close
from notifications.models import Kind, Notification
from tests.factories import SiteFactory, UserFactory

pytestmark = pytest.mark.django_db

STUDENTS = reverse("students:list")
CONTRACTS = reverse("students:contract_list")
ALUMNI = reverse("alumni:list")
TRIVIAL = reverse("password_change")


def queries(client, url: str) -> list[str]:
    """The SQL of one GET of `url`."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def open_item(user, site, n: int) -> Notification:
    """An open in-app item for `user` (about a site: what it is about does not matter to the bell)."""
    return Notification.objects.create(
        recipient=user,
        kind=Kind.CONTRACT_EXPIRED,
        subject_type=ContentType.objects.get_for_model(site),
        subject_id=site.pk,
        dedupe_key=f"bell-test-{user.pk}-{n}",
        title="Contract expired",
        body="A contract expired.",
    )


# Roles ----------------------------------------------------------------------------------------------


def test_a_signed_in_page_reads_the_roles_once_then_from_the_cache(as_role):
    client = as_role("staff")
    cold = queries(client, TRIVIAL)
    assert any("auth_group" in sql for sql in cold)
    warm = queries(client, TRIVIAL)
    # The user alone: the session, the roles and the bell come from the cache.
    assert len(warm) == 1 and "artworx_user" in warm[0]


def test_a_role_given_shows_on_the_next_page(as_role, users):
    client = as_role("teacher")
    assert client.get(TRIVIAL).context["user_roles"] == [roles.TEACHER]
    users["teacher"].groups.add(Group.objects.get(name=roles.TEACHING_ARTIST))
    assert client.get(TRIVIAL).context["user_roles"] == [roles.TEACHER, roles.TEACHING_ARTIST]


def test_a_role_taken_away_from_the_group_side_ends_its_access_on_the_next_page(as_role, users):
    client = as_role("staff")
    assert client.get(STUDENTS).status_code == 200
    Group.objects.get(name=roles.PROGRAM_STAFF).user_set.remove(users["staff"])
    assert client.get(STUDENTS).status_code == 403


def test_another_person_joining_leaves_my_kept_roles_alone(as_role):
    client = as_role("staff")
    client.get(TRIVIAL)
    UserFactory(username="newcomer", role=roles.TEACHER)
    assert not any("auth_group" in sql for sql in queries(client, TRIVIAL))


def test_a_sign_in_does_not_let_everyones_pickers_go(as_role, users, client):
    counselor, staff = users["counselor"], as_role("staff")
    staff.get(STUDENTS)
    counselor.last_login = timezone.now()
    counselor.save(update_fields=["last_login"])  # what a sign-in writes
    assert not any("sites_site" in sql for sql in queries(staff, STUDENTS) if "historical" not in sql)


# The top bar's links ------------------------------------------------------------------------------

ALL_LINKS = ["Dashboard", "Students", "Contracts", "Cohorts", "Programs", "Alumni", "Referrals", "Sites"]


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("admin", [*ALL_LINKS, "Admin console"]),
        ("staff", ALL_LINKS),
        ("counselor", ALL_LINKS),
        ("teacher", ["Students", "Contracts", "Cohorts", "Programs", "Alumni", "Sites"]),
        ("teaching_artist", ["My sessions", "Cohorts", "Programs"]),
        ("no_role", []),
    ],
)
def test_each_role_sees_the_links_its_permissions_open(as_role, role, links):
    page = as_role(role).get(TRIVIAL).content.decode()
    shown = re.findall(r'<a class="nav-link" href="[^"]+">([^<]+)</a>', page)
    assert shown == links
    for label in {*ALL_LINKS, "My sessions", "Admin console"} - set(links):
        assert f">{label}</a>" not in page


def test_the_links_are_written_once_per_set_of_roles_and_language(as_role, users, client):
    as_role("teacher").get(TRIVIAL)
    assert len(context_processors._written) == 1
    client.force_login(users["other_teacher"])
    client.get(TRIVIAL)
    assert len(context_processors._written) == 1  # the same roles: the same links
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"  # the language switch's choice
    spanish = client.get(TRIVIAL).content.decode()
    assert ">Estudiantes</a>" in spanish
    assert len(context_processors._written) == 2
    users["other_teacher"].groups.add(Group.objects.get(name=roles.TEACHING_ARTIST))
    assert ">Mis sesiones</a>" in client.get(TRIVIAL).content.decode()


def test_an_administrators_links_follow_their_own_permissions(as_role):
    assert "Admin console" in as_role("admin").get(TRIVIAL).content.decode()
    assert context_processors._written == {}


# The bell -------------------------------------------------------------------------------------------


def test_the_bell_is_kept_until_an_item_changes_whoever_changes_it(
    as_role, users, site, django_capture_on_commit_callbacks
):
    teacher = users["teacher"]
    client = as_role("teacher")
    with django_capture_on_commit_callbacks(execute=True):
        first = open_item(teacher, site, 1)
    assert client.get(TRIVIAL).context["notifications_open"] == 1
    assert not any("notifications_notification" in sql for sql in queries(client, TRIVIAL))  # kept
    with django_capture_on_commit_callbacks(execute=True):
        open_item(teacher, site, 2)  # a sweep writes another item: the next page counts it
    assert client.get(TRIVIAL).context["notifications_open"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        # Someone else ends the condition (a bulk close, as the services and the sweep do).
        items_close(kind=Kind.CONTRACT_EXPIRED, subject_ids=[site.pk], subject_model=type(site))
    assert client.get(TRIVIAL).context["notifications_open"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        Notification.objects.filter(pk=first.pk).update(closed_at=None)
    assert client.get(TRIVIAL).context["notifications_open"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        # Delivery bookkeeping opens, closes and moves nothing: the kept count stays.
        Notification.objects.filter(pk=first.pk).update(attempts=3)
    assert not any("notifications_notification" in sql for sql in queries(client, TRIVIAL))
    # The person's own action (snoozing one) counts again at once.
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(reverse("notifications:snooze", args=[first.pk]), {"until": tomorrow})
    assert response.status_code == 302
    assert client.get(TRIVIAL).context["notifications_open"] == 0


def test_each_person_has_their_own_bell(as_role, users, site, client):
    open_item(users["teacher"], site, 1)
    assert as_role("teacher").get(TRIVIAL).context["notifications_open"] == 1
    client.force_login(users["staff"])
    assert not client.get(TRIVIAL).context["notifications_open"]


# Pickers --------------------------------------------------------------------------------------------


def test_the_pickers_are_written_once_per_version_of_the_sites_and_people(as_role, site, teacher):
    client = as_role("staff")
    cold = queries(client, STUDENTS)
    assert any('FROM "sites_site"' in sql for sql in cold)  # the site picker's options
    warm = queries(client, STUDENTS)
    # The options' queries (sites, teachers) are gone; the version's one lookup stays.
    assert not any('FROM "sites_site"' in sql or "sites_site_teachers" in sql for sql in warm)
    assert sum("historicalsite" in sql for sql in warm) == 1
    page = client.get(STUDENTS).content.decode()
    assert f'<option value="{site.pk}">Eastside Storefront</option>' in page


def test_a_renamed_site_shows_its_new_name_in_every_filter_bar(as_role, site, teacher):
    client = as_role("staff")
    for url in (STUDENTS, CONTRACTS, ALUMNI):
        assert "Eastside Storefront" in client.get(url).content.decode()
    site.name = "Boyle Heights Storefront"
    site.save()
    for url in (STUDENTS, CONTRACTS, ALUMNI):
        page = client.get(url).content.decode()
        assert "Boyle Heights Storefront" in page and "Eastside Storefront" not in page


def test_a_new_teacher_at_a_site_joins_the_teacher_picker(as_role, site, teacher):
    client = as_role("staff")
    assert "Rosa Tafoya" not in client.get(STUDENTS).content.decode()
    newcomer = UserFactory(username="rtafoya", first_name="Rosa", last_name="Tafoya", role=roles.TEACHER)
    site.teachers.add(newcomer)
    assert "Rosa Tafoya" in client.get(STUDENTS).content.decode()


def test_a_renamed_teacher_is_renamed_in_the_picker(as_role, site, teacher):
    client = as_role("staff")
    client.get(STUDENTS)
    teacher.first_name, teacher.last_name = "Lupe", "Ortiz"
    teacher.save()
    assert "Lupe Ortiz" in client.get(STUDENTS).content.decode()


def test_a_teacher_is_offered_only_their_own_sites_though_staff_see_every_one(as_role, site, teacher, users):
    SiteFactory(name="Harbor Storefront")
    assert "Harbor Storefront" in as_role("staff").get(STUDENTS).content.decode()
    page = as_role("teacher").get(STUDENTS).content.decode()
    assert "Eastside Storefront" in page and "Harbor Storefront" not in page


def test_the_chosen_site_stays_selected(as_role, site, teacher):
    client = as_role("staff")
    client.get(STUDENTS)
    page = client.get(STUDENTS, {"site": site.pk}).content.decode()
    assert f'<option value="{site.pk}" selected>' in page
    assert '<option value="" selected>All sites' not in page


def test_a_teacher_given_another_site_finds_it_in_their_picker(as_role, site, teacher, other_site):
    client = as_role("teacher")
    assert "Westside Storefront" not in client.get(STUDENTS).content.decode()
    other_site.teachers.add(teacher)  # the site's history records it: a new version of the sites
    assert "Westside Storefront" in client.get(STUDENTS).content.decode()
