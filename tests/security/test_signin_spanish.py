"""The sign-in pages read in Spanish: allauth's own catalogue and ours together leave nothing in English."""

import pytest
from django.test import Client
from django.urls import reverse

from artworx import roles
from artworx.models import User
from tests.factories import UserFactory
from tests.i18n.marking import bare_text, spanish_marked

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def assert_spanish(response) -> None:
    names = [value for user in User.objects.all() for value in (user.username, user.get_full_name())]
    leftovers = bare_text(response.content.decode(), names)
    assert leftovers == [], f"untranslated text: {leftovers}"


def spanish_client() -> Client:
    client = Client()
    client.cookies["django_language"] = "es"
    return client


def test_the_lock_page_reads_in_spanish():
    UserFactory(username="lucia", role=roles.TEACHER)
    client = spanish_client()
    with spanish_marked():
        for _ in range(5):
            response = client.post(reverse("login"), {"login": "lucia", "password": "nope-nope-nope"})
        assert response.status_code == 429
        assert_spanish(response)


def test_the_reset_pages_read_in_spanish():
    client = spanish_client()
    with spanish_marked():
        assert_spanish(client.get(reverse("account_reset_password")))
        response = client.post(reverse("account_reset_password"), {"email": "x@school.example"}, follow=True)
        assert_spanish(response)


def test_the_second_factor_pages_read_in_spanish():
    UserFactory(username="pat", role=roles.COUNSELOR)
    client = spanish_client()
    with spanish_marked():
        client.post(reverse("login"), {"login": "pat", "password": PASSWORD})
        assert_spanish(client.get(reverse("mfa_authenticate")))
    teacher = UserFactory(username="lucia", role=roles.TEACHER)
    client = spanish_client()
    client.force_login(teacher)
    with spanish_marked():
        assert_spanish(client.get(reverse("mfa_index")))
        response = client.get(reverse("mfa_activate_totp"), follow=True)  # the password again, first
        assert_spanish(response)
