"""Reminders about alumni: a check-in has come due."""

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from alumni.models import Alumnus
from notifications.items import resolver
from notifications.models import Kind
from notifications.selectors import email_opt_ins
from notifications.services import notifications_enqueue_many
from notifications.sweeps import links, responsible_drafts, still_owed, sweep


@sweep
def alumni_check_ins_due(*, now: datetime) -> int:
    """Remind an alumnus's staff contact when a check-in is due; never for alumni without consent."""
    kind = Kind.ALUMNI_CHECK_IN_DUE
    today = timezone.localdate(now)
    due = Alumnus.objects.filter(
        consents_to_contact=True, staff_contact__is_active=True, next_check_in_on__lte=today
    )
    occasions = {pk: _occasion(day) for pk, day in due.values_list("pk", "next_check_in_on")}
    owed = still_owed(kind=kind, model=Alumnus, occasions=occasions, holders=("contact",))
    alumni = list(due.filter(pk__any=owed).select_related("student", "staff_contact").order_by("pk"))
    link = links("alumni:detail")
    opt_ins = email_opt_ins(user_ids={a.staff_contact_id for a in alumni}, kind=kind)
    drafts = [
        draft
        for alumnus in alumni
        for draft in responsible_drafts(
            [(f"alumnus-{alumnus.pk}:contact", alumnus.staff_contact)],
            kind=kind,
            subject=alumnus,
            occasion=_occasion(alumnus.next_check_in_on),
            context={
                "alumnus_name": alumnus.student.display_name,
                "due_on": alumnus.next_check_in_on,
                "graduated_on": alumnus.graduated_on,
            },
            opt_ins=opt_ins,
            link_url=link(alumnus.pk),
        )
    ]
    return notifications_enqueue_many(drafts=drafts)


def _occasion(due_on) -> str:
    """Each due date is its own occasion: recording a check-in sets the next one, a new reminder."""
    return f"due-{due_on:%Y-%m-%d}"


@resolver(Kind.ALUMNI_CHECK_IN_DUE)
def check_ins_still_due(alumnus_ids: list[int], now: datetime) -> QuerySet:
    """Alumni still consenting whose check-in is due (recording one sets the next, later)."""
    today = timezone.localdate(now)
    due = Alumnus.objects.filter(consents_to_contact=True, next_check_in_on__lte=today)
    return due.filter(pk__any=alumnus_ids).values_list("pk", flat=True)
