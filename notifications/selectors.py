"""Reads on the outbox shared by pages, sweeps and tasks, scoped by user."""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from artworx.roles import COUNSELOR, PROGRAM_STAFF, TEACHER, TEACHING_ARTIST, role_names
from notifications.models import Kind, Notification, NotificationPreference

User = get_user_model()

# A delivery task queued this long ago and still pending was lost (broker restarted, message
# dropped): the sweep queues it again. Tasks retrying with backoff wait at most 10 minutes.
REQUEUE_AFTER = timedelta(minutes=12)

# Which roles receive each kind (DESIGN.md "Reminders"): the preferences page offers those.
KIND_ROLES = {
    Kind.CONTRACT_DUE_SOON: (TEACHER,),
    Kind.CONTRACT_EXPIRED: (TEACHER, PROGRAM_STAFF),
    Kind.ATTENDANCE_NOT_LOGGED: (TEACHING_ARTIST, PROGRAM_STAFF),
    Kind.CONSECUTIVE_ABSENCES: (TEACHER, PROGRAM_STAFF),
    Kind.CHRONIC_ABSENCE: (TEACHER, PROGRAM_STAFF, COUNSELOR),
    Kind.ALUMNI_CHECK_IN_DUE: (PROGRAM_STAFF, COUNSELOR),
    Kind.SEAT_OPEN: (PROGRAM_STAFF,),
    Kind.REFERRAL_WAITING: (COUNSELOR,),
    Kind.FAMILY_REPLY: (TEACHER,),
}


def notification_rows(*, user) -> QuerySet[Notification]:
    """The user's own in-app notifications, newest first, in one query."""
    return Notification.objects.for_recipient(user).only(
        "pk", "kind", "title", "body", "link_url", "created_at", "read_at", "recipient_id"
    )


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


def program_staff() -> list:
    """Active users in the Program staff group."""
    return list(User.objects.filter(is_active=True, groups__name=PROGRAM_STAFF).distinct())


def counselors() -> list:
    """Active users in the Counselor group."""
    return list(User.objects.filter(is_active=True, groups__name=COUNSELOR).distinct())


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
