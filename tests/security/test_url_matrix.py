"""Every named URL, requested by anonymous and each role, answers the status in url_table.py."""

from http.cookies import SimpleCookie

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.url_table import GET, POST, URLS
from tests.security.world import ROLES

# A sweep of the whole application for one property: untraced when coverage is measured (README, "Coverage").
pytestmark = pytest.mark.untraced

# Responses that set their own Cache-Control: the service worker is checked for updates (no-cache).
OWN_CACHE_HEADERS = {"service_worker"}

# The admin console has its own tests (tests/artworx/test_admin.py and each app's test_admin.py).
SKIPPED_NAMESPACES = {"admin"}


def named_urls(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    """Every named pattern in the URL configuration, as `namespace:name`."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= named_urls(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def request(client: Client, method: str, url: str):
    """One request whose writes and cookies are undone, so the next check sees the same world (and login)."""
    cookies = client.cookies
    client.cookies = SimpleCookie(cookies)
    with transaction.atomic():
        response = client.generic(method, url)
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def test_it_has_a_row_for_every_named_url_and_none_for_urls_gone():
    urls = named_urls()
    assert urls - set(URLS) == set(), "add a row to tests/security/url_table.py for each new URL"
    assert set(URLS) - urls == set(), "remove the rows of URLs that no longer exist"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_status_the_table_says(world, role, settings):
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    wrong = []
    for name, row in URLS.items():
        url = reverse(name, kwargs=row.kwargs(world))
        response = request(client, row.method, url)
        status = response.status_code
        if status != row.expected[role]:
            wrong.append(f"{row.method} {name} ({url}): {status}, expected {row.expected[role]}")
        # Shared classroom computers: no page, redirect or refusal is kept by the browser.
        if name not in OWN_CACHE_HEADERS and "no-store" not in response.get("Cache-Control", ""):
            wrong.append(f"{row.method} {name} ({url}): Cache-Control {response.get('Cache-Control')!r}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.django_db
def test_a_method_a_url_does_not_take_answers_405(world):
    client = Client()
    client.force_login(world.users["admin"])
    wrong = []
    for name, row in URLS.items():
        method = next(m for m in (GET, POST, "PUT") if m not in row.allowed)
        url = reverse(name, kwargs=row.kwargs(world))
        status = request(client, method, url).status_code
        if status != 405:
            wrong.append(f"{method} {name}: {status}")
    assert wrong == [], "\n".join(wrong)


def test_the_matrix_covers_every_url_for_every_role(capsys):
    checks = len(URLS) * len(ROLES)
    with capsys.disabled():
        print(
            f"\nURL matrix: {len(URLS)} URLs × {len(ROLES)} roles = {checks} checks, "
            f"plus {len(URLS)} wrong-method checks"
        )
    assert checks >= 70 * 9
