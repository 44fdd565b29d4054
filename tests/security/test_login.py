"""Login lockout (per username and address, and per address), password strength, session cookies,
headers, and deactivation signing out everywhere."""

from datetime import UTC, datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from artworx import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def login(client: Client, username: str, password: str, address: str = "10.0.0.1", **headers):
    return client.post(
        reverse("login"), {"login": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def fail(username: str, address: str = "10.0.0.1", **headers) -> int:
    return login(Client(), username, "wrong-password-1234", address, **headers).status_code


LIMIT = 5  # AXES_FAILURE_LIMIT's default, per (username, address)


def test_it_locks_a_username_at_one_address_after_repeated_failures():
    UserFactory(username="ana", role=roles.TEACHER)
    statuses = [fail("ana", address="10.0.1.1") for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert settings.AXES_FAILURE_LIMIT == LIMIT
    assert statuses == [200] * (LIMIT - 1) + [429]  # the last failure locks
    response = login(Client(), "ana", PASSWORD, address="10.0.1.1")
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


def test_a_lockout_from_other_addresses_does_not_stop_the_user_at_their_own():
    UserFactory(username="ana", role=roles.TEACHER)
    for _ in range(LIMIT):  # locked at the attacker's address...
        fail("ana", address="198.51.100.7")
    for n in range(20):  # ...and four tries each from twenty more
        for _ in range(LIMIT - 1):
            assert fail("Ana", address=f"198.51.101.{n}") == 200
    response = login(Client(), "ana", PASSWORD, address="10.0.2.1")
    assert response.status_code == 302 and response.url == reverse("home")


def test_usernames_count_in_one_case():
    UserFactory(username="ana", role=roles.TEACHER)
    statuses = [fail(name, address="10.0.1.2") for name in ("ana", "ANA", "Ana", "aNa", "anA")]
    assert statuses[-1] == 429
    assert login(Client(), "ana", PASSWORD, address="10.0.1.2").status_code == 429


def test_it_locks_an_address_trying_many_usernames_and_not_others(settings):
    settings.ARTWORX_LOCKOUT_ADDRESS_LIMIT = 12
    UserFactory(username="ana", role=roles.TEACHER)
    statuses = [fail(f"guess{n}", address="10.0.3.3") for n in range(12)]
    assert statuses == [200] * 11 + [429]
    assert login(Client(), "ana", PASSWORD, address="10.0.3.3").status_code == 429
    assert login(Client(), "ana", PASSWORD, address="10.0.4.4").status_code == 302


def test_one_typo_each_from_a_school_behind_one_address_locks_no_one():
    teachers = [UserFactory(username=f"teacher{n}", role=roles.TEACHER) for n in range(8)]
    for teacher in teachers:  # default limit per address: far above a staff room's typos
        assert fail(teacher.username, address="10.0.9.9") == 200
    for teacher in teachers:
        assert login(Client(), teacher.username, PASSWORD, address="10.0.9.9").status_code == 302
    assert settings.ARTWORX_LOCKOUT_ADDRESS_LIMIT >= 20


def test_a_success_clears_its_own_pair_but_not_the_address_count(settings):
    settings.ARTWORX_LOCKOUT_ADDRESS_LIMIT = 6
    UserFactory(username="ana", role=roles.TEACHER)
    for n in range(4):
        fail(f"guess{n}", address="10.0.5.5")
    fail("ana", address="10.0.5.5")
    assert login(Client(), "ana", PASSWORD, address="10.0.5.5").status_code == 302
    assert not AccessAttempt.objects.filter(username="ana").exists()
    # Ana's own failure went with her pair; the four guesses still count towards the address' six.
    assert fail("guess8", address="10.0.5.5") == 200
    assert fail("guess9", address="10.0.5.5") == 429


def test_allauth_login_failures_reach_the_lockout_with_the_address():
    UserFactory(username="ana", role=roles.TEACHER)
    fail("Ana", address="10.0.6.6")
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address, attempt.failures_since_start) == ("ana", "10.0.6.6", 1)


def test_x_forwarded_for_is_ignored_without_trusted_proxies():
    UserFactory(username="ana", role=roles.TEACHER)
    statuses = [fail("ana", "10.0.7.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(LIMIT)]
    assert statuses[-1] == 429  # every try came from 10.0.7.7, whatever the header claimed
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.7.7"}


def test_x_forwarded_for_is_read_through_the_trusted_proxies(settings):
    settings.ARTWORX_TRUSTED_PROXIES = 1
    UserFactory(username="ana", role=roles.TEACHER)
    balancer = "10.0.0.254"
    # The attacker writes a new address of their own in front each time: the balancer's entry counts.
    statuses = [fail("ana", balancer, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9") for n in range(LIMIT)]
    assert statuses[-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    # Ana, behind the same balancer from her own address, signs in.
    response = login(Client(), "ana", PASSWORD, balancer, HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert response.status_code == 302


@pytest.mark.parametrize("header", ["", ",,,", "not-an-address", "203.0.113.1, nonsense", "[::1]:80"])
def test_a_malformed_x_forwarded_for_never_fails_the_request(settings, header):
    settings.ARTWORX_TRUSTED_PROXIES = 2
    UserFactory(username="ana", role=roles.TEACHER)
    assert fail("ana", "10.0.8.8", HTTP_X_FORWARDED_FOR=header) == 200
    assert login(Client(), "ana", PASSWORD, "10.0.8.8", HTTP_X_FORWARDED_FOR=header).status_code == 302


def test_the_lock_page_says_when_to_try_again_in_los_angeles_time():
    UserFactory(username="ana", role=roles.TEACHER)
    # 16:00 UTC on 10 March 2026 is 9:00 in Los Angeles (daylight time began on the 8th).
    with time_machine.travel(datetime(2026, 3, 10, 16, 0, tzinfo=UTC), tick=False):
        for _ in range(LIMIT):
            fail("ana", address="10.0.1.9")
    with time_machine.travel(datetime(2026, 3, 10, 16, 5, tzinfo=UTC), tick=False):
        response = login(Client(), "ana", PASSWORD, address="10.0.1.9")
        page = response.content.decode()
        assert response.status_code == 429
        assert "Try again after 9:15 a.m. on 03/10/2026 (Los Angeles time)." in page
        assert response["Retry-After"] == str(10 * 60)
    with time_machine.travel(datetime(2026, 3, 10, 16, 15, 1, tzinfo=UTC), tick=False):
        assert login(Client(), "ana", PASSWORD, address="10.0.1.9").status_code == 302


def test_tries_during_a_lock_do_not_push_its_end_further():
    UserFactory(username="ana", role=roles.TEACHER)
    with time_machine.travel(datetime(2026, 3, 10, 16, 0, tzinfo=UTC), tick=False):
        for _ in range(LIMIT):
            fail("ana", address="10.0.1.10")
    with time_machine.travel(datetime(2026, 3, 10, 16, 14, tzinfo=UTC), tick=False):
        assert fail("ana", address="10.0.1.10") == 429
    with time_machine.travel(datetime(2026, 3, 10, 16, 15, 1, tzinfo=UTC), tick=False):
        assert login(Client(), "ana", PASSWORD, address="10.0.1.10").status_code == 302


def test_the_password_change_form_is_throttled():
    user = UserFactory(username="ana", role=roles.TEACHER)
    client = Client()
    client.force_login(user)
    guess = {
        "oldpassword": "not-it-at-all-1",
        "password1": "mural-teal-ladder-42",
        "password2": "mural-teal-ladder-42",
    }
    statuses = [client.post(reverse("password_change"), guess).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert "Too many tries" in client.post(reverse("password_change"), guess).content.decode()
    right = dict(guess, oldpassword=PASSWORD)
    assert client.post(reverse("password_change"), right).status_code == 429  # even the right one, for now
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


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
