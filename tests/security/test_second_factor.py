"""A second factor (authenticator app, recovery codes): required for administrators, program staff
and counselors, optional for teachers and teaching artists, and no side door through the admin console."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import reverse

from artworx import roles
from tests.factories import TOTP_SECRET, SupportProfileFactory, UserFactory
from tests.security.totp import current_code

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def clock():
    """Start each test at the beginning of an authenticator period: a code read at its end would
    already be the next one's. The clock runs on; the test is done well within the period."""
    period = 30
    start = (int(time.time()) // period + 1) * period + 1
    with time_machine.travel(datetime.fromtimestamp(start, tz=UTC), tick=True) as traveller:
        yield traveller


def set_up_authenticator(client: Client) -> str:
    """Walk the set-up: the password again, then the code of the secret shown; returns the secret."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
    response = client.post(response.url, {"password": PASSWORD})
    assert response.status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()  # the QR code, no script
    secret = page.context["form"].secret
    assert client.post(reverse("mfa_activate_totp"), {"code": "000000"}).status_code == 200
    response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    return secret


def sign_in(client: Client, username: str, address: str = "10.1.0.1"):
    return client.post(reverse("login"), {"login": username, "password": PASSWORD}, REMOTE_ADDR=address)


@pytest.mark.parametrize("role", [roles.ADMINISTRATOR, roles.PROGRAM_STAFF, roles.COUNSELOR])
def test_a_staff_role_without_an_authenticator_reaches_nothing_until_it_sets_one_up(role):
    user = UserFactory(username="pat", role=role, second_factor=False)
    student = SupportProfileFactory().student
    client = Client()
    assert sign_in(client, "pat").status_code == 302
    for url in (reverse("home"), reverse("students:list"), reverse("students:detail", args=[student.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("mfa_activate_totp"), url
    set_up_authenticator(client)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("students:detail", args=[student.pk])).status_code == 200


def test_a_staff_member_holding_an_authenticator_must_give_its_code_at_sign_in():
    UserFactory(username="pat", role=roles.PROGRAM_STAFF)
    client = Client()
    response = sign_in(client, "pat")
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    # Password alone: not signed in.
    assert client.get(reverse("students:list")).url.startswith(reverse("login"))
    assert client.post(reverse("mfa_authenticate"), {"code": "123456"}).status_code == 200
    assert client.get(reverse("students:list")).url.startswith(reverse("login"))
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get(reverse("students:list")).status_code == 200


def test_a_code_works_once():
    UserFactory(username="pat", role=roles.COUNSELOR)
    first, second = Client(), Client()
    code = current_code(TOTP_SECRET)
    sign_in(first, "pat")
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    sign_in(second, "pat", address="10.1.0.2")
    assert second.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200  # replayed
    assert second.get(reverse("students:list")).status_code == 302


@pytest.mark.parametrize("role", [roles.TEACHER, roles.TEACHING_ARTIST])
def test_teachers_and_artists_sign_in_without_one_and_may_add_one(role, clock):
    UserFactory(username="lee", role=role)
    client = Client()
    response = sign_in(client, "lee")
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("programs:my_sessions")).status_code == 200
    assert client.get(reverse("mfa_index")).status_code == 200
    secret = set_up_authenticator(client)
    client.post(reverse("logout"))
    clock.shift(timedelta(seconds=30))  # the next period: a fresh code
    response = sign_in(client, "lee")
    assert response.url == reverse("mfa_authenticate")  # having chosen one, they give its code
    assert client.post(reverse("mfa_authenticate"), {"code": current_code(secret)}).status_code == 302


def test_a_recovery_code_signs_in_once():
    user = UserFactory(username="pat", role=roles.ADMINISTRATOR)
    code = RecoveryCodes.activate(user).get_unused_codes()[0]
    first = Client()
    sign_in(first, "pat")
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert first.get(reverse("students:list")).status_code == 200
    again = Client()
    sign_in(again, "pat", address="10.1.0.3")
    assert again.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200
    assert again.get(reverse("students:list")).status_code == 302


def test_second_factor_secrets_are_stored_encrypted():
    user = UserFactory(username="pat", role=roles.COUNSELOR)
    RecoveryCodes.activate(user)
    stored = str(list(Authenticator.objects.filter(user=user).values_list("data", flat=True)))
    assert TOTP_SECRET not in stored
    assert "gAAAA" in stored  # Fernet tokens


def test_the_admin_console_login_is_no_side_door():
    response = Client().get("/admin/login/?next=/admin/artworx/user/")
    assert response.status_code == 302
    assert response.url == reverse("login") + "?next=/admin/artworx/user/"
    # The console's login form is gone: a password posted there signs no one in.
    UserFactory(username="root", role=roles.ADMINISTRATOR)
    client = Client()
    client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert client.get(reverse("admin:index")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_administrator_without_an_authenticator_cannot_open_the_console():
    admin = UserFactory(username="root", role=roles.ADMINISTRATOR, second_factor=False)
    client = Client()
    client.force_login(admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")


def test_removing_the_authenticator_sends_staff_back_to_set_one_up():
    user = UserFactory(username="pat", role=roles.PROGRAM_STAFF)
    client = Client()
    sign_in(client, "pat")
    client.post(reverse("mfa_authenticate"), {"code": current_code(TOTP_SECRET)})
    assert client.get(reverse("students:list")).status_code == 200
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))  # the password again, first
    assert client.post(response.url, {"password": PASSWORD}).status_code == 302
    assert client.post(reverse("mfa_deactivate_totp")).status_code == 302
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("students:list")).url == reverse("mfa_activate_totp")


def test_wrong_codes_are_limited_per_person():
    UserFactory(username="pat", role=roles.PROGRAM_STAFF)
    client = Client()
    sign_in(client, "pat")
    for _ in range(5):
        assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(TOTP_SECRET)})
    assert response.status_code == 200  # the right code too, until the 5 minutes have passed
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_many_wrong_passwords_elsewhere_do_not_stop_the_code_step_at_home():
    UserFactory(username="pat", role=roles.PROGRAM_STAFF)
    for n in range(30):  # allauth's own limit would have locked "pat" everywhere after 5
        Client().post(reverse("login"), {"login": "pat", "password": "guess"}, REMOTE_ADDR=f"198.51.100.{n}")
    client = Client()
    assert sign_in(client, "pat").url == reverse("mfa_authenticate")
    assert client.post(reverse("mfa_authenticate"), {"code": current_code(TOTP_SECRET)}).status_code == 302
