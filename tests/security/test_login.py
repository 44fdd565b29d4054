"""Login lockout, password strength, session cookies, headers, and deactivation signing out everywhere."""

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from artworx import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(username: str, address: str = "10.0.0.1") -> int:
    return login(Client(), username, "wrong-password-1234", address).status_code


def test_it_locks_a_username_after_repeated_failures_even_from_many_addresses():
    user = UserFactory(username="ana", role=roles.TEACHER)
    statuses = [fail(user.username, address=f"10.0.1.{n}") for n in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the last failure locks
    response = login(Client(), user.username, PASSWORD, address="10.0.2.1")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in Client().session


def test_it_locks_an_address_trying_many_usernames_and_not_others():
    UserFactory(username="ana", role=roles.TEACHER)
    for n in range(settings.AXES_FAILURE_LIMIT):
        fail(f"guess{n}", address="10.0.3.3")
    assert login(Client(), "ana", PASSWORD, address="10.0.3.3").status_code == 429
    assert login(Client(), "ana", PASSWORD, address="10.0.4.4").status_code == 302


def test_a_few_failures_still_let_the_right_password_in():
    UserFactory(username="ana", role=roles.TEACHER)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert fail("ana") == 200
    response = login(Client(), "ana", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")


@pytest.mark.parametrize(
    "password", ["short-pw-1", "artworx2026", "123456789012345", "password1234", "ana.rivera.1"]
)
def test_weak_passwords_are_refused(password):
    user = UserFactory.build(username="ana.rivera", first_name="Ana", last_name="Rivera")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_long_uncommon_password_is_accepted():
    validate_password("mural-teal-ladder-42", UserFactory.build(username="ana"))


def test_the_session_cookie_is_http_only_and_ends_with_the_browser_and_the_working_day():
    UserFactory(username="ana", role=roles.TEACHER)
    client = Client()
    login(client, "ana", PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and not cookie["max-age"] and not cookie["expires"]
    assert 8 * 3600 <= settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_every_page_carries_a_strict_content_security_policy(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "worker-src": "'self'",
        "manifest-src": "'self'",
    }


def test_deactivating_a_teaching_artist_signs_out_every_browser_at_once(users):
    artist = users["teaching_artist"]
    phone, laptop = Client(), Client()
    for browser, address in ((phone, "10.0.5.1"), (laptop, "10.0.5.2")):
        assert login(browser, artist.username, PASSWORD, address).status_code == 302
        assert browser.get(reverse("programs:my_sessions")).status_code == 200
    admin = Client()
    admin.force_login(users["admin"])
    response = admin.post(
        reverse("admin:artworx_user_changelist"),
        {"action": "deactivate", "_selected_action": [artist.pk]},
    )
    assert response.status_code == 302
    artist.refresh_from_db()
    assert not artist.is_active
    for browser in (phone, laptop):
        response = browser.get(reverse("programs:my_sessions"))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_deactivating_through_the_user_form_signs_out_too(users):
    artist = users["teaching_artist"]
    browser = Client()
    login(browser, artist.username, PASSWORD)
    artist.is_active = False
    artist.save()
    assert browser.get(reverse("programs:my_sessions")).status_code == 302
