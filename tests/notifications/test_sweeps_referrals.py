"""Seat-open and referral-waiting reminders: once, to the right people, in constant queries."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from artworx import roles
from notifications import services, sweeps
from notifications.models import Kind, Notification, ReminderSettings
from notifications.sweeps import run_sweeps
from students.models import WaitlistEntry
from students.reminders import referrals_waiting, seats_open
from students.services import referral_advance, referral_update, waitlist_skip
from tests.factories import (
    EnrollmentFactory,
    ReferralFactory,
    SiteFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from tests.notifications.conftest import read

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 16)


def moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(9)))


def recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def full_site(teacher, users):
    site = SiteFactory(name="Watts Classroom", capacity=1, teachers=[teacher], lead=users["staff"])
    EnrollmentFactory(site=site, teacher=teacher)
    return site


def test_a_freed_seat_tells_the_site_lead_once_per_head_of_the_list(full_site, users):
    UserFactory(username="other-staff", role=roles.PROGRAM_STAFF)  # not this site's lead: nothing
    first = WaitlistEntryFactory(site=full_site, added_on=DAY - timedelta(days=5))
    WaitlistEntryFactory(site=full_site, added_on=DAY)
    assert seats_open(now=moment(DAY)) == 0  # full: nothing to say
    full_site.enrollments.update(ended_on=DAY, exit_reason="moved")
    assert seats_open(now=moment(DAY)) == 1
    assert recipients(Kind.SEAT_OPEN) == {"staff"}
    note = Notification.objects.get(kind=Kind.SEAT_OPEN)
    title, body = read(note)
    assert first.student.display_name in body and "Watts Classroom" in title
    assert note.link_url.endswith(f"/students/waitlists/{full_site.pk}/")
    assert seats_open(now=moment(DAY + timedelta(days=1))) == 0  # same head: told once
    waitlist_skip(entry=first, reason="Found a job", on=DAY)
    assert seats_open(now=moment(DAY + timedelta(days=1))) == 1  # a new head is news


def test_sites_without_a_waitlist_or_inactive_say_nothing(site, full_site, users):
    closed = SiteFactory(is_active=False, capacity=5)
    WaitlistEntryFactory(site=closed)
    assert seats_open(now=moment(DAY)) == 0


def test_the_seat_sweep_queries_do_not_grow_with_sites(full_site, users, teacher):
    def add_sites(n):
        for _ in range(n):
            WaitlistEntryFactory(site=SiteFactory(capacity=3, lead=users["staff"]))

    add_sites(1)
    # Django caches content types per process: warm, as in a worker that has run before, whatever test
    # ran before this one.
    ContentType.objects.get_for_model(WaitlistEntry)
    with CaptureQueriesContext(connection) as first:
        seats_open(now=moment(DAY))
    add_sites(6)
    with CaptureQueriesContext(connection) as second:
        assert seats_open(now=moment(DAY)) == 6
    assert len(second.captured_queries) == len(first.captured_queries)


def test_a_referral_with_no_contact_reminds_its_counselor_once(users):
    referral = ReferralFactory(received_on=DAY, counselor=users["counselor"])
    assert referrals_waiting(now=moment(DAY + timedelta(days=2))) == 0
    assert referrals_waiting(now=moment(DAY + timedelta(days=3))) == 1
    assert recipients(Kind.REFERRAL_WAITING) == {"counselor"}
    note = Notification.objects.get(kind=Kind.REFERRAL_WAITING)
    title, body = read(note)
    assert referral.first_name in title and "3 days" in body
    assert referrals_waiting(now=moment(DAY + timedelta(days=9))) == 0


def test_a_contacted_referral_or_one_without_counselor_is_left_alone(users):
    contacted = ReferralFactory(received_on=DAY, counselor=users["counselor"])
    with time_machine.travel(moment(DAY + timedelta(days=1))):  # contacted that day, not later
        referral_advance(referral=contacted, status="contacted", on=DAY + timedelta(days=1))
    ReferralFactory(received_on=DAY, counselor=None)
    assert referrals_waiting(now=moment(DAY + timedelta(days=5))) == 0


def test_the_no_contact_days_come_from_the_reminder_settings(users):
    ReminderSettings.objects.update_or_create(
        pk=ReminderSettings.SINGLETON_PK, defaults={"referral_no_contact_days": 7}
    )
    ReferralFactory(received_on=DAY, counselor=users["counselor"])
    assert referrals_waiting(now=moment(DAY + timedelta(days=6))) == 0
    assert referrals_waiting(now=moment(DAY + timedelta(days=7))) == 1


def test_the_reminders_speak_spanish_to_a_spanish_speaker(full_site, users):
    users["staff"].language = "es"
    users["staff"].save()
    users["counselor"].language = "es"
    users["counselor"].save()
    WaitlistEntryFactory(site=full_site)
    full_site.enrollments.update(ended_on=DAY, exit_reason="moved")
    ReferralFactory(received_on=DAY, counselor=users["counselor"], first_name="Tomás")
    seats_open(now=moment(DAY + timedelta(days=3)))
    referrals_waiting(now=moment(DAY + timedelta(days=3)))
    seat = Notification.objects.get(kind=Kind.SEAT_OPEN)
    title, body = read(seat)
    assert title == "Plaza libre en Watts Classroom" and "1 plaza libre" in body
    title, body = read(Notification.objects.get(kind=Kind.REFERRAL_WAITING))
    assert title.startswith("Referido en espera de contacto: Tomás") and "3 días sin contacto" in body


def test_the_seat_item_closes_once_the_head_is_enrolled_or_the_site_full_again(full_site, users, teacher):
    WaitlistEntryFactory(site=full_site, added_on=DAY)
    full_site.enrollments.update(ended_on=DAY, exit_reason="moved")
    seats_open(now=moment(DAY))
    assert Notification.objects.filter(kind=Kind.SEAT_OPEN, closed_at__isnull=True).count() == 1
    EnrollmentFactory(site=full_site, teacher=teacher)  # someone else took the seat
    run_sweeps(now=moment(DAY + timedelta(days=1)))
    assert not Notification.objects.filter(kind=Kind.SEAT_OPEN, closed_at__isnull=True).exists()


def test_a_referral_contacted_closes_its_item_whoever_contacted(users):
    referral = ReferralFactory(received_on=DAY - timedelta(days=5), counselor=users["counselor"])
    referrals_waiting(now=moment(DAY))
    with time_machine.travel(moment(DAY)):
        referral_advance(referral=referral, status="contacted", on=DAY)
    assert Notification.objects.get(kind=Kind.REFERRAL_WAITING).closed_at is not None


def test_reassigning_a_referral_moves_its_open_item(users):
    referral = ReferralFactory(received_on=DAY, counselor=users["counselor"])
    referrals_waiting(now=moment(DAY + timedelta(days=3)))
    other = UserFactory(username="other-counselor", role=roles.COUNSELOR)
    referral_update(referral=referral, counselor=other)
    assert recipients(Kind.REFERRAL_WAITING) == {"other-counselor"}
    assert referrals_waiting(now=moment(DAY + timedelta(days=4))) == 0


def test_a_sweep_stopped_after_its_first_batch_resumes_where_it_stopped(users, monkeypatch):
    for _ in range(5):
        ReferralFactory(received_on=DAY, counselor=users["counselor"])
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    write = Notification.objects.bulk_create
    batches = []

    def write_then_die(rows, **kwargs):
        if batches:
            raise SystemExit("worker killed")  # after the first batch is in the database
        batches.append(len(rows))
        return write(rows, **kwargs)

    monkeypatch.setattr(Notification.objects, "bulk_create", write_then_die)
    with pytest.raises(SystemExit):
        referrals_waiting(now=moment(DAY + timedelta(days=3)))
    assert Notification.objects.filter(kind=Kind.REFERRAL_WAITING).count() == 2
    monkeypatch.setattr(Notification.objects, "bulk_create", write)

    drafted = []
    draft = sweeps.user_draft

    def counted(*args, **kwargs):
        drafted.append(kwargs["subject"].pk)
        return draft(*args, **kwargs)

    monkeypatch.setattr(sweeps, "user_draft", counted)
    assert referrals_waiting(now=moment(DAY + timedelta(days=3))) == 3  # the rest, not all five again
    assert len(drafted) == 3
    assert Notification.objects.filter(kind=Kind.REFERRAL_WAITING).count() == 5
