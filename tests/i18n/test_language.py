"""The language switch remembers the choice; each signed-in person reads their own language."""

from datetime import date

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SWITCH = reverse("set_language")


def test_switching_saves_the_choice_on_the_account(as_role, users, client):
    as_role("teaching_artist")
    response = client.post(SWITCH, {"language": "es", "next": "/programs/sessions/"})
    assert response.status_code == 302 and response.url == "/programs/sessions/"
    users["teaching_artist"].refresh_from_db()
    assert users["teaching_artist"].language == "es"
    assert response.cookies["django_language"].value == "es"


def test_the_saved_language_follows_the_person_to_a_new_phone(users, client):
    users["teacher"].language = "es"
    users["teacher"].save()
    client.force_login(users["teacher"])  # a browser that never used the switch, set to English
    body = client.get(reverse("home"), headers={"Accept-Language": "en-US"}).content.decode()
    assert 'lang="es"' in body


def test_the_switch_on_this_browser_wins_over_the_account(users, client):
    users["teacher"].language = "es"
    users["teacher"].save()
    client.force_login(users["teacher"])
    client.cookies["django_language"] = "en"
    assert 'lang="en"' in client.get(reverse("home")).content.decode()


def test_the_sign_in_page_offers_the_switch_and_it_sets_only_the_browser(client, users):
    assert 'value="es"' in client.get(reverse("login")).content.decode()
    response = client.post(SWITCH, {"language": "es", "next": reverse("login")})
    assert response.cookies["django_language"].value == "es"
    assert 'lang="es"' in client.get(reverse("login")).content.decode()
    assert {u.language for u in users.values()} == {"en"}


@pytest.mark.parametrize("data", [{"language": "fr"}, {"language": ""}, {}])
def test_an_unknown_language_changes_nothing(as_role, users, client, data):
    as_role("staff")
    response = client.post(SWITCH, {**data, "next": "/"})
    assert response.status_code == 302
    users["staff"].refresh_from_db()
    assert users["staff"].language == "en"
    assert "django_language" not in response.cookies


def test_the_switch_ignores_addresses_off_the_site(as_role, client):
    as_role("staff")
    response = client.post(SWITCH, {"language": "es", "next": "https://evil.example/"})
    assert response.url == "/"


def test_the_switch_answers_only_posts(client):
    assert client.get(SWITCH).status_code == 405


def test_dates_and_numbers_follow_the_language(as_role, users, client, student, open_contract):
    contract = open_contract(student, started_on=date(2026, 9, 14), credits=[2.5, 5])
    as_role("staff")
    url = reverse("students:contract_detail", args=[contract.pk])
    english = client.get(url).content.decode()
    client.cookies["django_language"] = "es"
    spanish = client.get(url).content.decode()
    assert "09/14/2026" in english and "14/09/2026" in spanish
    assert "7.5" in english and "7,5" in spanish


def test_numbers_for_assistive_technology_stay_machine_readable(as_role, client, student):
    student.prior_credits = 7.5
    student.save()
    as_role("staff")
    client.cookies["django_language"] = "es"
    body = client.get(reverse("students:detail", args=[student.pk])).content.decode()
    assert 'aria-valuenow="7.5' in body  # "7,5" is no number to a screen reader (axe: aria-valid-attr-value)
