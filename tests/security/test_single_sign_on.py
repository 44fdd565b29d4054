"""Single sign-on with Google Workspace and Microsoft (OpenID Connect), through allauth's real client
against a provider this test starts on 127.0.0.1 (tests/security/oidc_provider.py).

It signs in the active account whose email the provider verified, and nobody else: accounts are made
by administrators, never by a sign-in.
"""

from urllib.parse import urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from artworx import roles
from tests.factories import UserFactory
from tests.security.oidc_provider import Provider

pytestmark = pytest.mark.django_db

PROVIDERS = ("google", "microsoft")


@pytest.fixture(scope="module")
def providers():
    started = {name: Provider(name).start() for name in PROVIDERS}
    yield started
    for provider in started.values():
        provider.stop()


@pytest.fixture
def sso(settings, providers):
    """Both providers configured, as the environment variables would (config/settings.py)."""
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [provider.app_settings() for provider in providers.values()],
        }
    }
    return providers


def sign_in_with(client: Client, provider: Provider, **identity):
    """Press the provider's button, let the provider answer, bring its answer back to artworx."""
    provider.identity = {"sub": "subject-1", "email_verified": True, **identity}
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": provider.name}))
    assert start.status_code == 302 and start.url.startswith(f"{provider.url}/authorize?")
    answer = requests.get(start.url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    callback = urlsplit(answer.headers["Location"])
    assert callback.path == reverse("openid_connect_callback", kwargs={"provider_id": provider.name})
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_user(client: Client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def refusal(client: Client, response) -> str:
    assert response.status_code == 302 and response.url == reverse("login")
    assert signed_in_user(client) is None
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize("name", PROVIDERS)
def test_it_signs_in_the_active_account_with_the_verified_email(sso, name):
    user = UserFactory(username="ana", email="ana.rivera@school.example", role=roles.TEACHER)
    client = Client()
    response = sign_in_with(client, sso[name], email="Ana.Rivera@School.example")
    assert response.status_code == 302 and response.url == reverse("home")
    assert signed_in_user(client) == user
    assert client.get(reverse("home")).status_code == 200
    assert SocialAccount.objects.get(user=user).provider == name
    # The next time, the connected account signs in again.
    again = Client()
    assert sign_in_with(again, sso[name], email="ana.rivera@school.example").url == reverse("home")
    assert signed_in_user(again) == user


@pytest.mark.parametrize("name", PROVIDERS)
def test_it_refuses_an_email_no_account_has(sso, name):
    UserFactory(username="ana", email="ana@school.example", role=roles.TEACHER)
    client = Client()
    message = refusal(client, sign_in_with(client, sso[name], email="stranger@school.example"))
    assert "No artworx account uses the email address" in message
    assert get_user_model().objects.count() == 1  # no account made
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize("name", PROVIDERS)
def test_it_refuses_an_unverified_email(sso, name):
    UserFactory(username="ana", email="ana@school.example", role=roles.TEACHER)
    client = Client()
    response = sign_in_with(client, sso[name], email="ana@school.example", email_verified=False)
    assert "did not confirm a verified email address" in refusal(client, response)
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize("name", PROVIDERS)
def test_it_refuses_an_inactive_account(sso, name):
    UserFactory(username="ana", email="ana@school.example", role=roles.TEACHER, is_active=False)
    client = Client()
    response = sign_in_with(client, sso[name], email="ana@school.example")
    assert "no longer active" in refusal(client, response)


def test_a_connected_account_deactivated_later_is_refused(sso):
    user = UserFactory(username="ana", email="ana@school.example", role=roles.TEACHER)
    assert sign_in_with(Client(), sso["google"], email="ana@school.example").url == reverse("home")
    user.is_active = False
    user.save()
    client = Client()
    assert "no longer active" in refusal(
        client, sign_in_with(client, sso["google"], email="ana@school.example")
    )


def test_a_connected_account_whose_email_moved_to_someone_else_is_refused(sso):
    ana = UserFactory(username="ana", email="ana@school.example", role=roles.TEACHER)
    sign_in_with(Client(), sso["google"], email="ana@school.example")
    ana.email = "ana.new@school.example"
    ana.save()
    UserFactory(username="bo", email="ana@school.example", role=roles.TEACHER)
    client = Client()
    message = refusal(client, sign_in_with(client, sso["google"], email="ana@school.example"))
    assert "connected to another artworx account" in message


def test_staff_signing_in_with_sso_still_give_their_second_factor(sso):
    UserFactory(username="pat", email="pat@school.example", role=roles.COUNSELOR)
    client = Client()
    response = sign_in_with(client, sso["microsoft"], email="pat@school.example")
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    assert client.get(reverse("students:list")).url.startswith(reverse("login"))


def test_the_sign_in_page_offers_each_configured_provider(sso):
    page = Client().get(reverse("login")).content.decode()
    for name in PROVIDERS:
        assert reverse("openid_connect_login", kwargs={"provider_id": name}) in page
    assert "Log in with Google" in page and "Log in with Microsoft" in page


def test_without_configuration_there_is_no_button_and_no_route(settings):
    assert settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] == []  # the environment sets none
    page = Client().get(reverse("login")).content.decode()
    assert "data-sso" not in page and "/accounts/oidc/" not in page
    for name in PROVIDERS:
        for view in ("openid_connect_login", "openid_connect_callback"):
            url = reverse(view, kwargs={"provider_id": name})
            assert Client().post(url).status_code == 404
            assert Client().get(url + "?code=x&state=y").status_code == 404


def test_a_forged_callback_signs_no_one_in(sso):
    UserFactory(username="ana", email="ana@school.example", role=roles.TEACHER)
    client = Client()
    url = reverse("openid_connect_callback", kwargs={"provider_id": "google"})
    for query in ("", "?code=abc&state=forged", "?error=access_denied&state=x", "?code=%00&state=%00"):
        response = client.get(url + query)
        assert response.status_code in (200, 302, 400, 401), query
        assert signed_in_user(client) is None
