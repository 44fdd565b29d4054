"""Notification pages: everyone sees their own list only, marks read by POST, picks email per kind."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from notifications.models import DigestSchedule, Kind, Notification, NotificationPreference
from notifications.services import notification_enqueue
from notifications.sweeps import dedupe_key
from tests.matrix import ROLES, matrix
from tests.notifications.conftest import read

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
PREFERENCES = reverse("notifications:preferences")


@pytest.fixture
def notify(contract):
    """`notify(user, n=1)`: n unread in-app notifications about `contract` for a user."""

    def make(user, n=1, prefix="x"):
        made = []
        for i in range(n):
            notification, _ = notification_enqueue(
                kind=Kind.CONTRACT_EXPIRED,
                dedupe_key=dedupe_key(Kind.CONTRACT_EXPIRED, contract, f"{prefix}{i}", f"user-{user.pk}"),
                subject=contract,
                context={"student_name": f"Student {i}", "due_on": contract.due_on, "audience": "staff"},
                recipient=user,
                link_url=reverse("students:contract_detail", args=[contract.pk]),
            )
            made.append(notification)
        return made

    return make


@pytest.mark.parametrize(("role", "status"), matrix(default=200))
def test_every_role_opens_its_own_notification_list(as_role, users, notify, role, status):
    response = as_role(role).get(LIST)
    assert response.status_code == status
    if role == "anonymous":
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("role", "status"), matrix(default=200))
def test_every_role_opens_its_preferences(as_role, role, status):
    assert as_role(role).get(PREFERENCES).status_code == status


def test_the_list_shows_only_the_users_own_notifications(as_role, users, notify):
    mine = notify(users["teacher"], 2)
    notify(users["staff"], 3, prefix="s")
    response = as_role("teacher").get(LIST)
    assert [n.pk for n in response.context["page"]] == [n.pk for n in reversed(mine)]
    body = response.content.decode()
    assert read(mine[0])[0] in body
    assert f'href="{mine[0].link_url}"' in body


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("anonymous", "staff")])
def test_someone_elses_notification_is_not_found(as_role, users, notify, role):
    [theirs] = notify(users["staff"])
    response = as_role(role).post(reverse("notifications:read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_an_unknown_notification_is_not_found(as_role):
    assert as_role("teacher").post(reverse("notifications:read", args=[999999])).status_code == 404


def test_anonymous_mark_read_goes_to_login(client, users, notify):
    [mine] = notify(users["teacher"])
    response = client.post(reverse("notifications:read", args=[mine.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_user_marks_their_notification_read_and_comes_back(as_role, users, notify):
    [mine] = notify(users["teacher"])
    response = as_role("teacher").post(
        reverse("notifications:read", args=[mine.pk]), {"next": f"{LIST}?page=1"}
    )
    assert response.status_code == 302 and response.url == f"{LIST}?page=1"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_mark_read_ignores_a_next_address_on_another_site(as_role, users, notify):
    [mine] = notify(users["teacher"])
    response = as_role("teacher").post(
        reverse("notifications:read", args=[mine.pk]), {"next": "https://evil.example/steal"}
    )
    assert response.status_code == 302 and response.url == LIST


def test_mark_all_read_touches_only_the_users_own(as_role, users, notify):
    notify(users["teacher"], 3)
    [theirs] = notify(users["staff"], prefix="s")
    response = as_role("teacher").post(reverse("notifications:read_all"), follow=True)
    assert "3 notifications marked read." in response.content.decode()
    assert not Notification.objects.filter(recipient=users["teacher"], read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_pages_refuse_other_methods(as_role, users, notify):
    [mine] = notify(users["teacher"])
    client = as_role("teacher")
    assert client.post(LIST).status_code == 405
    assert client.get(reverse("notifications:read", args=[mine.pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405
    assert client.put(PREFERENCES).status_code == 405


def test_the_bell_counts_the_users_open_items(as_role, users, notify):
    notify(users["teacher"], 4)
    notify(users["staff"], 2, prefix="s")
    Notification.objects.filter(pk=Notification.objects.filter(recipient=users["teacher"]).first().pk).update(
        closed_at="2026-11-18T10:00:00Z"
    )
    body = as_role("teacher").get(reverse("home")).content.decode()
    badge = '<span class="badge rounded-pill bg-danger">3<span class="visually-hidden"> open items</span>'
    assert badge in body


def test_the_bell_shows_no_badge_without_unread_notifications(as_role, users):
    body = as_role("teacher").get(reverse("home")).content.decode()
    assert reverse("notifications:today") in body
    assert "badge rounded-pill bg-danger" not in body


def test_a_bad_page_number_shows_the_last_page(as_role, users, notify):
    notify(users["teacher"], 2)
    response = as_role("teacher").get(LIST, {"page": "abc"})
    assert response.status_code == 200
    assert as_role("teacher").get(LIST, {"page": "9999"}).status_code == 200


def test_list_queries_do_not_grow_with_notifications(as_role, users, notify, django_assert_num_queries):
    client = as_role("teacher")
    notify(users["teacher"], 2)
    # session, user, groups (role predicates), the bell's unread count, count for the paginator,
    # the page of notifications
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(6):
        client.get(LIST)
    notify(users["teacher"], 20, prefix="more")
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(6):
        client.get(LIST)


DIGEST_FIELDS = {"digest_enabled", "digest_hour"}


def test_a_teacher_chooses_the_digest_hour_and_family_replies_by_email(as_role, users):
    client = as_role("teacher")
    form = client.get(PREFERENCES).context["form"]
    assert set(form.fields) == DIGEST_FIELDS | {Kind.FAMILY_REPLY}
    assert form.initial["digest_hour"] == 7 and form.initial["digest_enabled"] is True
    data = {Kind.FAMILY_REPLY: "on", "digest_enabled": "on", "digest_hour": "6"}
    response = client.post(PREFERENCES, data)
    assert response.status_code == 302 and response.url == PREFERENCES
    rows = dict(NotificationPreference.objects.filter(user=users["teacher"]).values_list("kind", "by_email"))
    assert rows == {kind: kind == Kind.FAMILY_REPLY for kind in Kind.values}
    schedule = DigestSchedule.objects.get(user=users["teacher"])
    assert (schedule.hour, schedule.enabled) == (6, True)
    assert client.get(PREFERENCES).context["form"].initial == {
        Kind.FAMILY_REPLY: True, "digest_enabled": True, "digest_hour": 6,
    }  # fmt: skip


def test_a_bad_digest_hour_is_refused_and_nothing_saved(as_role, users):
    response = as_role("teacher").post(PREFERENCES, {"digest_enabled": "on", "digest_hour": "25"})
    assert response.status_code == 200 and response.context["form"].errors["digest_hour"]
    assert not DigestSchedule.objects.exists() and not NotificationPreference.objects.exists()


def test_program_staff_may_have_only_the_urgent_kinds_at_once(as_role):
    form = as_role("staff").get(PREFERENCES).context["form"]
    assert set(form.fields) == DIGEST_FIELDS | {Kind.ATTENDANCE_NOT_LOGGED, Kind.SEAT_OPEN}


def test_a_teaching_artist_chooses_about_unlogged_sessions_only(as_role):
    form = as_role("teaching_artist").get(PREFERENCES).context["form"]
    assert set(form.fields) == DIGEST_FIELDS | {Kind.ATTENDANCE_NOT_LOGGED}


def test_a_user_without_a_role_chooses_the_digest_only(as_role):
    response = as_role("no_role").get(PREFERENCES)
    assert set(response.context["form"].fields) == DIGEST_FIELDS
    assert "Nothing of your role can come at once by email" in response.content.decode()


def test_preferences_ignore_unknown_fields(as_role, users):
    data = {"lottery_win": "on", Kind.CONTRACT_DUE_SOON: "on", "digest_hour": "7"}
    response = as_role("staff").post(PREFERENCES, data)
    assert response.status_code == 302
    rows = dict(NotificationPreference.objects.filter(user=users["staff"]).values_list("kind", "by_email"))
    # Staff are not offered "due soon": a forged field for it is not saved as a wish for email.
    assert rows[Kind.CONTRACT_DUE_SOON] is False
    assert not any(rows.values())


def test_the_list_reads_in_spanish(as_role, users, notify, client):
    notify(users["teacher"])
    client = as_role("teacher")
    client.cookies["django_language"] = "es"
    body = client.get(LIST).content.decode()
    assert "Notificaciones" in body and "Marcar como leída" in body
