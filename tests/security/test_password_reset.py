"""A forgotten password is reset by email: the link works once and expires, and the form tells no
one who has an account."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from artworx import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW = "mural-teal-ladder-42"


def ask_for_reset(client: Client, email: str):
    return client.post(reverse("account_reset_password"), {"email": email}, REMOTE_ADDR="10.2.0.1")


def emailed_link() -> str:
    (message,) = mail.outbox
    return re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body).group(1)


def use_link(client: Client, link: str, password: str = NEW):
    """Open the link as a browser would (it moves the key out of the address), then set the password."""
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    return response, client.post(form_url, {"password1": password, "password2": password})


def test_a_reset_link_sets_a_new_password_once():
    user = UserFactory(username="ana", email="ana@school.example", role=roles.TEACHER)
    client = Client()
    response = ask_for_reset(client, "ANA@school.example")
    assert response.status_code == 302 and response.url == reverse("account_reset_password_done")
    link = emailed_link()
    assert mail.outbox[0].to == ["ana@school.example"]
    page, done = use_link(client, link)
    assert page.status_code == 200 and not page.context.get("token_fail")
    assert done.status_code == 302 and done.url == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password(NEW)
    # The same link again, in another browser: refused, and the password stays.
    page, again = use_link(Client(), link, password="another-long-one-77")
    assert page.context["token_fail"]
    assert again.status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_a_reset_link_expires():
    user = UserFactory(username="ana", email="ana@school.example", role=roles.TEACHER)
    with time_machine.travel(timezone.now()) as clock:
        ask_for_reset(Client(), "ana@school.example")
        link = emailed_link()
        clock.shift(timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1))
        page, _ = use_link(Client(), link)
    assert page.context["token_fail"]
    user.refresh_from_db()
    assert not user.check_password(NEW)
    assert settings.PASSWORD_RESET_TIMEOUT == 60 * 60


def test_after_a_reset_signing_in_still_asks_for_the_second_factor():
    UserFactory(username="pat", email="pat@school.example", role=roles.COUNSELOR)
    client = Client()
    ask_for_reset(client, "pat@school.example")
    use_link(client, emailed_link())
    assert "_auth_user_id" not in client.session  # not signed in by the reset
    response = client.post(reverse("login"), {"login": "pat", "password": NEW}, REMOTE_ADDR="10.2.0.2")
    assert response.url == reverse("mfa_authenticate")


@pytest.mark.parametrize("email", ["nobody@school.example", "gone@school.example", "not an email", "x" * 500])
def test_unknown_inactive_or_malformed_addresses_get_the_same_answer_and_no_mail(email):
    UserFactory(username="gone", email="gone@school.example", is_active=False)
    response = ask_for_reset(Client(), email)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert response.url == reverse("account_reset_password_done")
    assert mail.outbox == []


def test_a_tampered_link_is_refused_without_an_error():
    UserFactory(username="ana", email="ana@school.example")
    for link in ("/accounts/password/reset/key/zz-nonsense/", "/accounts/password/reset/key/1-%00/"):
        response = Client().get(link, follow=True)
        assert response.status_code in (200, 404)
