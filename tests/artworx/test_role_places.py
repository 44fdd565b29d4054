"""A place bound to a role — a site's teacher, a cohort's teaching artist — holds only that role's people.

The pickers (staff forms and the admin console) list only them, and the service refuses anyone else on
every path, the admin console and the shell included.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.views.defaults import permission_denied

from artworx import roles
from programs.services import cohort_save
from sites.models import Site
from sites.services import site_save
from tests.factories import CohortFactory, SiteFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_site_service_refuses_a_teacher_who_is_not_one(users, teacher):
    site = SiteFactory()
    with pytest.raises(ValidationError) as refusal:
        site_save(site=site, teachers=[teacher, users["teaching_artist"], users["counselor"]])
    assert refusal.value.code == "not_a_teacher"
    assert str(users["teaching_artist"]) in refusal.value.messages[0]
    assert str(users["counselor"]) in refusal.value.messages[0]
    assert str(teacher) not in refusal.value.messages[0]
    assert not site.teachers.exists()


def test_an_inactive_teacher_cannot_be_given_a_site(teacher):
    teacher.is_active = False
    teacher.save()
    with pytest.raises(ValidationError):
        site_save(site=SiteFactory(), teachers=[teacher])


def test_the_cohort_service_refuses_a_teaching_artist_who_is_not_one(users, site):
    cohort = CohortFactory(site=site)
    with pytest.raises(ValidationError) as refusal:
        cohort_save(cohort=cohort, teaching_artists=[users["teacher"]])
    assert refusal.value.code == "not_artist"
    assert not cohort.teaching_artists.exists()


@pytest.mark.parametrize(
    ("url_name", "field", "role"),
    [
        ("admin:sites_site_add", "teachers", roles.TEACHER),
        ("admin:programs_cohort_add", "teaching_artists", roles.TEACHING_ARTIST),
    ],
)
def test_admin_pickers_list_only_the_role_the_place_needs(as_role, users, url_name, field, role):
    users.made()
    UserFactory(username="gone", role=role, is_active=False)
    choices = as_role("admin").get(reverse(url_name)).context["adminform"].form.fields[field].queryset
    assert set(choices) == set(roles.people_with(role))
    assert set(choices) and all(roles.rules.is_group_member(role).test(user) for user in choices)
    assert all(user.is_active for user in choices)


def test_the_admin_refuses_an_artist_as_a_sites_teacher_and_writes_nothing(as_role, users):
    data = {
        "name": "Harbor Storefront",
        "address": "1 Harbor Way",
        "phone": "",
        "capacity": "30",
        "teachers": [users["teaching_artist"].pk],
        "notes": "",
        "is_active": "on",
        "closures-TOTAL_FORMS": "0",
        "closures-INITIAL_FORMS": "0",
    }
    response = as_role("admin").post(reverse("admin:sites_site_add"), data)
    assert response.status_code == 200
    assert "teachers" in response.context["adminform"].form.errors
    assert not Site.objects.filter(name="Harbor Storefront").exists()


@pytest.mark.parametrize(
    ("role", "advice"),
    [
        ("admin", "No role may do this"),
        ("staff", "ask an administrator"),
        ("teacher", "ask program staff"),
        ("teaching_artist", "ask program staff"),
    ],
)
def test_the_refusal_page_gives_advice_that_fits_the_role(rf, users, role, advice):
    request = rf.get("/")
    request.user = users[role]
    page = permission_denied(request, PermissionDenied()).content.decode()
    assert advice in page
    assert ("ask program staff" in page) is (advice == "ask program staff")
