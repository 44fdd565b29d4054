"""Reads on the outbox shared by pages, sweeps and tasks, scoped by user."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from artworx.roles import PROGRAM_STAFF, TEACHER, TEACHING_ARTIST, role_names
from notifications.digests import open_items
from notifications.items import item_text
from notifications.models import DigestSchedule, Kind, Notification, NotificationPreference, ReminderSettings

User = get_user_model()

# A delivery task queued (or last tried) this long ago and still pending was lost (broker restarted,
# message dropped) or has spent its retries: the every-minute requeue queues it again. Tasks retrying
# with backoff wait at most a minute between tries (notifications.tasks).
REQUEUE_AFTER = timedelta(minutes=2)

# The kinds a role may also have by email at once (the urgent ones, models.URGENT_KINDS, and a
# family's reply): the preferences page offers those. Everything else comes in the daily digest.
KIND_ROLES = {
    Kind.ATTENDANCE_NOT_LOGGED: (TEACHING_ARTIST, PROGRAM_STAFF),
    Kind.SEAT_OPEN: (PROGRAM_STAFF,),
    Kind.FAMILY_REPLY: (TEACHER,),  # a family's text reply reaches the teacher at once if they ask
}

# The one action button of each kind on the Today page: what the person does there.
ACTIONS = {
    Kind.ATTENDANCE_NOT_LOGGED: _("Log the roll"),
    Kind.ADDRESS_REFUSED: _("Fix the address"),
    Kind.CONSECUTIVE_ABSENCES: _("Call the student"),
    Kind.CHRONIC_ABSENCE: _("Open the student"),
    Kind.CONTRACT_DUE_SOON: _("Review the contract"),
    Kind.CONTRACT_EXPIRED: _("Review the contract"),
    Kind.MISSED_WORK_REVIEW: _("Start the review"),
    Kind.REENGAGEMENT: _("Review the contract"),
    Kind.SEAT_OPEN: _("Enroll from the waitlist"),
    Kind.REFERRAL_WAITING: _("Contact the referral"),
    Kind.ALUMNI_CHECK_IN_DUE: _("Record the check-in"),
    Kind.FAMILY_REPLY: _("Read the reply"),
}


@dataclass
class TodayGroup:
    """One kind's open items on the Today page, rendered in the reader's language."""

    kind: str
    label: str
    action: str
    items: list = field(default_factory=list)


def today_groups(*, user, today, render: bool = True) -> list[TodayGroup]:
    """The user's open items grouped by kind, most urgent kind first (rendered in the reader's
    language unless `render` is off, for a summary of counts); one query."""
    groups: dict[str, TodayGroup] = {}
    for item in open_items(user=user, today=today):
        group = groups.get(item.kind)
        if group is None:
            group = groups[item.kind] = TodayGroup(
                item.kind, Kind(item.kind).label, str(ACTIONS.get(item.kind, _("Open")))
            )
        if render:
            item.shown_title, item.shown_body = item_text(item)
        group.items.append(item)
    return list(groups.values())


def open_count(*, user) -> int:
    """How many open items the user has (the bell, the Today link), in one query."""
    return Notification.objects.for_recipient(user).open(today=timezone.localdate()).count()


def notification_rows(*, user) -> QuerySet[Notification]:
    """The user's own in-app notifications, newest first, in one query."""
    return Notification.objects.for_recipient(user).only(
        "pk", "kind", "title", "body", "link_url", "created_at", "read_at", "recipient_id", "context",
        "closed_at", "snoozed_until",
    )  # fmt: skip


def unread_count(*, user) -> int:
    """How many of the user's notifications are unread (the bell), in one query."""
    return Notification.objects.for_recipient(user).unread().count()


def email_opt_ins(*, user_ids, kind: str) -> set[int]:
    """Of these users, those who asked for `kind` by email too, in one query."""
    return set(
        NotificationPreference.objects.filter(
            user_id__in=set(user_ids), kind=kind, by_email=True
        ).values_list("user_id", flat=True)
    )


def kinds_for(*, user) -> list[tuple[str, str]]:
    """The kinds of notification the user's roles receive, as (value, label)."""
    roles = set(role_names(user))
    return [(kind.value, kind.label) for kind, kind_roles in KIND_ROLES.items() if roles & set(kind_roles)]


def email_preferences(*, user) -> set[str]:
    """The kinds the user receives by email too."""
    return set(NotificationPreference.objects.filter(user=user, by_email=True).values_list("kind", flat=True))


def deliveries_to_queue(*, now: datetime, limit: int = 5000) -> list[int]:
    """Ids of pending notifications whose delivery task is not (or no longer) in the broker."""
    stale = now - REQUEUE_AFTER
    return list(
        Notification.objects.filter(status=Notification.Status.PENDING)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def digest_schedule(*, user) -> DigestSchedule:
    """The user's digest hour and whether they want it (unsaved defaults from the settings if none)."""
    return DigestSchedule.objects.filter(user=user).first() or DigestSchedule(
        user=user, hour=ReminderSettings.current().digest_hour, enabled=True
    )
