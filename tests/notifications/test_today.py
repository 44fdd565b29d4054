"""The Today page, open items (snooze, "not mine"), reading in the reader's language, and the digest."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from artworx import roles
from notifications.items import item_hand_back, item_text
from notifications.models import DigestSchedule, Kind, Notification, ReminderSettings
from notifications.services import digests_write, notification_enqueue, notifications_deliver_pending
from notifications.sweeps import dedupe_key, run_sweeps
from sites.models import Site
from tests.factories import UserFactory
from tests.matrix import matrix

pytestmark = pytest.mark.django_db

TODAY = reverse("notifications:today")


@pytest.fixture
def item(contract):
    """`item(user, kind=..., occasion=...)`: an open item about `contract` for a user, at the site."""

    def make(user, kind=Kind.CONTRACT_EXPIRED, occasion="x", responsibility=""):
        notification, _ = notification_enqueue(
            kind=kind,
            dedupe_key=dedupe_key(kind, contract, occasion, f"user-{user.pk}"),
            subject=contract,
            context={
                "student_name": "Dani García",
                "site_name": contract.site.name,
                "teacher_name": "Ana",
                "due_on": contract.due_on,
                "days_left": 3,
                "credits_done": 5,
                "credits_planned": 10,
                "audience": "staff",
                "recipient_name": user.first_name or user.username,
            },
            recipient=user,
            language=user.language,
            link_url=reverse("students:contract_detail", args=[contract.pk]),
        )
        Notification.objects.filter(pk=notification.pk).update(
            site_ref=contract.site_id, responsibility=responsibility
        )
        notification.refresh_from_db()
        return notification

    return make


@pytest.mark.parametrize(("role", "status"), matrix(default=200))
def test_every_role_opens_its_own_today_page(as_role, users, role, status):
    assert as_role(role).get(TODAY).status_code == status


def test_today_lists_the_users_open_items_by_kind_most_urgent_first(as_role, users, item):
    expired = item(users["teacher"])
    due = item(users["teacher"], kind=Kind.CONTRACT_DUE_SOON)
    item(users["staff"], occasion="theirs")
    closed = item(users["teacher"], occasion="done")
    Notification.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    response = as_role("teacher").get(TODAY)
    groups = response.context["groups"]
    assert [g.kind for g in groups] == [Kind.CONTRACT_EXPIRED, Kind.CONTRACT_DUE_SOON]
    assert [[i.pk for i in g.items] for g in groups] == [[expired.pk], [due.pk]]
    body = response.content.decode()
    assert f'href="{expired.link_url}">Review the contract</a>' in body
    assert "Contract expired: Dani García" in body


def test_today_reads_in_the_readers_current_language(as_role, users, item):
    item(users["teacher"])  # written while the teacher read English
    users["teacher"].language = "es"
    users["teacher"].save(update_fields=["language"])
    body = as_role("teacher").get(TODAY).content.decode()
    assert "Contrato vencido: Dani García" in body
    with translation.override("en"):
        assert item_text(Notification.objects.get())[0] == "Contract expired: Dani García"


def test_the_today_page_takes_the_same_queries_for_few_or_many_items(
    as_role, users, item, django_assert_max_num_queries, django_assert_num_queries
):
    client = as_role("teacher")
    item(users["teacher"])
    # session, user, groups (roles), the open items, the bell's count: well under the 15 allowed
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_max_num_queries(15) as few:
        client.get(TODAY)
    for n in range(30):
        item(users["teacher"], kind=Kind.CONTRACT_DUE_SOON, occasion=f"o{n}")
    cache.clear()  # a cold page: the session, roles, bell and pickers read afresh
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(TODAY)


def test_a_snoozed_item_comes_back_on_its_day(as_role, users, item):
    mine = item(users["teacher"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = as_role("teacher").post(reverse("notifications:snooze", args=[mine.pk]), {"until": tomorrow})
    assert response.status_code == 302 and response.url == TODAY
    assert not as_role("teacher").get(TODAY).context["groups"]
    assert Notification.objects.open(today=tomorrow).filter(pk=mine.pk).exists()


@pytest.mark.parametrize("until", ["", "yesterday", "2026-13-45", "2099-01-01"])
def test_a_bad_snooze_date_is_refused_and_changes_nothing(as_role, users, item, until):
    mine = item(users["teacher"])
    if until == "yesterday":
        until = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = as_role("teacher").post(
        reverse("notifications:snooze", args=[mine.pk]), {"until": until}, follow=True
    )
    assert response.status_code == 200
    assert response.context["messages"]
    mine.refresh_from_db()
    assert mine.snoozed_until is None


def test_not_mine_hands_the_item_back_to_the_site_lead(as_role, users, item, contract):
    Site.objects.filter(pk=contract.site_id).update(lead=users["staff"])
    mine = item(users["teacher"])
    response = as_role("teacher").post(reverse("notifications:not_mine", args=[mine.pk]), follow=True)
    assert "Handed back to" in response.content.decode()
    mine.refresh_from_db()
    assert mine.recipient == users["staff"] and mine.responsibility == f"site-{contract.site_id}:lead"


def test_not_mine_without_a_site_lead_says_so_and_keeps_the_item(as_role, users, item):
    mine = item(users["teacher"])
    response = as_role("teacher").post(reverse("notifications:not_mine", args=[mine.pk]), follow=True)
    assert "no site lead" in response.content.decode()
    mine.refresh_from_db()
    assert mine.recipient == users["teacher"]


def test_the_lead_cannot_hand_an_item_back_to_themselves(as_role, users, item, contract):
    Site.objects.filter(pk=contract.site_id).update(lead=users["staff"])
    theirs = item(users["staff"])
    as_role("staff").post(reverse("notifications:not_mine", args=[theirs.pk]))
    theirs.refresh_from_db()
    assert theirs.recipient == users["staff"] and theirs.closed_at is None


def test_no_one_snoozes_or_hands_back_someone_elses_item(as_role, users, item):
    theirs = item(users["staff"])
    client = as_role("teacher")
    assert client.post(reverse("notifications:not_mine", args=[theirs.pk])).status_code == 404
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert (
        client.post(reverse("notifications:snooze", args=[theirs.pk]), {"until": tomorrow}).status_code == 404
    )


def test_reading_news_closes_it_but_reading_a_condition_does_not(as_role, users, item):
    condition = item(users["teacher"])
    as_role("teacher").post(reverse("notifications:read", args=[condition.pk]))
    condition.refresh_from_db()
    assert condition.read_at is not None and condition.closed_at is None


# The digest ---------------------------------------------------------------------------------------


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Los Angeles, `day_offset` days from the suite's day."""
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def test_one_digest_a_day_at_the_persons_hour_however_often_the_sweep_runs(users, item):
    teacher = users["teacher"]
    DigestSchedule.objects.create(user=teacher, hour=7)
    item(teacher)
    with time_machine.travel(local(1, 6, 59)):
        assert digests_write(now=timezone.now()) == 0  # not yet
    with time_machine.travel(local(1, 7, 0)):
        assert digests_write(now=timezone.now()) == 1
        notifications_deliver_pending()
    for minute in (15, 30, 45):
        with time_machine.travel(local(1, 7, minute)):
            assert digests_write(now=timezone.now()) == 0
            notifications_deliver_pending()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [teacher.email]
    assert "Contract expired: Dani García" in mail.outbox[0].body
    with time_machine.travel(local(2, 8, 0)):  # the next day: the next digest
        assert digests_write(now=timezone.now()) == 1


def test_the_database_refuses_a_second_digest_for_the_same_person_and_day(users, item):
    item(users["teacher"])
    DigestSchedule.objects.create(user=users["teacher"], hour=0)
    digests_write(now=timezone.now())
    row = Notification.objects.get(kind=Kind.DIGEST)
    twin = Notification(
        **{f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if not f.primary_key}
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_the_digest_speaks_the_language_the_person_reads_when_it_is_sent(users, item):
    teacher = users["teacher"]
    DigestSchedule.objects.create(user=teacher, hour=0)
    item(teacher)
    digests_write(now=timezone.now())
    teacher.language = "es"
    teacher.save(update_fields=["language"])  # switched after the digest was written
    notifications_deliver_pending()
    assert "Contrato vencido: Dani García" in mail.outbox[0].body
    digest = Notification.objects.get(kind=Kind.DIGEST)
    assert digest.body == mail.outbox[0].body  # kept as sent


def test_no_digest_for_someone_with_nothing_open_or_who_turned_it_off(users, item):
    DigestSchedule.objects.create(user=users["staff"], hour=0)
    DigestSchedule.objects.create(user=users["teacher"], hour=0, enabled=False)
    item(users["teacher"])
    assert digests_write(now=timezone.now()) == 0


def test_the_digest_hour_defaults_to_the_reminder_settings(users, item):
    ReminderSettings.objects.update_or_create(pk=1, defaults={"digest_hour": 9})
    item(users["teacher"])
    with time_machine.travel(local(1, 8, 59)):
        assert digests_write(now=timezone.now()) == 0
    with time_machine.travel(local(1, 9, 0)):
        assert digests_write(now=timezone.now()) == 1


def test_a_digest_missed_at_its_hour_goes_out_later_the_same_day_once(users, item):
    # Redis (and so beat) was down from 6:50 to 10:00: the first sweep after it writes the digest.
    teacher = users["teacher"]
    DigestSchedule.objects.create(user=teacher, hour=7)
    item(teacher)
    with time_machine.travel(local(1, 10, 5)):
        run_sweeps(now=timezone.now())
        run_sweeps(now=timezone.now())
        notifications_deliver_pending()
    assert len(mail.outbox) == 1


def test_a_whole_role_never_gets_another_sites_items(users, item, contract):
    UserFactory(username="another-lead", role=roles.PROGRAM_STAFF)
    Site.objects.filter(pk=contract.site_id).update(lead=users["staff"])
    mine = item(users["teacher"])
    item_hand_back(notification=mine, user=users["teacher"])
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"staff"}


# Responsibility on the site page --------------------------------------------------------------------


def site_form(site, **overrides) -> dict:
    teachers = [t.pk for t in site.teachers.all()]
    return {"name": site.name, "capacity": "50", "is_active": "on", "teachers": teachers, **overrides}


def test_staff_name_a_sites_lead_and_counselor_and_the_open_items_follow(as_role, users, site, item):
    Site.objects.filter(pk=site.pk).update(lead=users["admin"])
    old = item(users["admin"], responsibility=f"site-{site.pk}:lead")
    form = site_form(site, lead=users["staff"].pk, counselor=users["counselor"].pk)
    response = as_role("staff").post(reverse("sites:update", args=[site.pk]), form)
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.lead, site.counselor) == (users["staff"], users["counselor"])
    assert site.history.first().lead_id == users["staff"].pk  # kept in the site's history
    old.refresh_from_db()
    assert old.recipient == users["staff"]


@pytest.mark.parametrize(("field", "role"), [("lead", "teacher"), ("counselor", "staff")])
def test_a_lead_or_counselor_without_the_role_is_refused_and_nothing_saved(as_role, users, site, field, role):
    response = as_role("staff").post(
        reverse("sites:update", args=[site.pk]), site_form(site, **{field: users[role].pk})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    site.refresh_from_db()
    assert site.lead is None and site.counselor is None


CONTEXTS = {
    Kind.ATTENDANCE_NOT_LOGGED: {"program_name": "Photo 1", "place_name": "Eastside", "escalated": False},
    Kind.CONSECUTIVE_ABSENCES: {"student_name": "Dani", "program_name": "Photo 1", "absences_in_a_row": 3},
    Kind.CHRONIC_ABSENCE: {"student_name": "Dani", "program_name": "Photo 1", "absences": 2, "sessions": 10},
    Kind.CONTRACT_DUE_SOON: {"student_name": "Dani", "days_left": 5, "audience": "staff"},
    Kind.CONTRACT_EXPIRED: {"student_name": "Dani"},
    Kind.MISSED_WORK_REVIEW: {"student_name": "Dani", "missed": 3},
    Kind.REENGAGEMENT: {"student_name": "Dani", "percent": 25, "weeks": 4},
    Kind.SEAT_OPEN: {"student_name": "Dani", "site_name": "Watts", "seats": 1},
    Kind.REFERRAL_WAITING: {"youth_name": "Dani", "source_name": "Youth centre", "days": 4},
    Kind.ALUMNI_CHECK_IN_DUE: {"alumnus_name": "Dani"},
}


@pytest.mark.parametrize("kind", list(CONTEXTS))
def test_each_kind_reads_in_the_readers_language_now(users, contract, kind):
    day = timezone.localdate()
    context = {
        "due_on": day,
        "session_date": day,
        "starts_at": time(15),
        "received_on": day,
        **CONTEXTS[kind],
    }
    notification, _ = notification_enqueue(
        kind=kind,
        dedupe_key=f"{kind}-language",
        subject=contract,
        context={**context, "audience": context.get("audience", "staff"), "recipient_name": "Ana"},
        recipient=users["teacher"],
    )
    english, spanish = item_text(notification, language="en"), item_text(notification, language="es")
    assert english[0] and spanish[0] and english[0] != spanish[0]
    assert "Hola" in spanish[1] and "Hello" in english[1]
