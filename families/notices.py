"""Family notices: what each guardian is to be told, merged into one text a day, in their language.

`family_notice_add` is the function other code calls to tell families something new (families.receivers
calls it with kind "signature" and the signing link in `details["link"]`, and with kind "review" when a
review of missed work opens). The sweeps in `families.reminders` call `family_notices_write` for
absences and contract dates, then `family_notices_compose`, which writes at most one text per guardian
per day through `family_text_queue` (consent, quiet hours, the outbox).

A text names the student by first (or preferred) name, the program, dates and a link: never a support
flag, a note, a credit figure or anything from the support profile (DESIGN.md rule 13).
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from families.models import FamilyNotice, Message
from families.services import LOS_ANGELES, family_email_queue, family_text_queue, quiet_hours_end
from students.models import Channel, Guardian, Student

KINDS = set(FamilyNotice.Kind.values)
# Told by text only: a family that reads email gets these in emails of their own (the contract
# reminders and the agreement's signing links), not twice.
TEXT_ONLY_KINDS = {
    FamilyNotice.Kind.CONTRACT_DUE_SOON,
    FamilyNotice.Kind.CONTRACT_DUE_TODAY,
    FamilyNotice.Kind.SIGNATURE_NEEDED,
}
ONE_DAY = timedelta(days=1)
DETAIL_KEYS = {"program", "count", "due_on", "days", "link"}  # what a text may carry, nothing else


def family_notices_write(notices: list[FamilyNotice]) -> int:
    """Write notices whose (guardian, kind, occasion) is new; returns how many were given."""
    for notice in notices:
        if notice.kind not in KINDS:
            raise ValidationError(_("Unknown kind of family notice."), code="unknown_kind")
        unknown = set(notice.details) - DETAIL_KEYS
        if unknown:
            raise ValidationError(
                _("A family notice carries only %(keys)s.") % {"keys": ", ".join(sorted(DETAIL_KEYS))},
                code="unknown_details",
            )
    FamilyNotice.objects.bulk_create(notices, ignore_conflicts=True, batch_size=1000)
    return len(notices)


def family_notice_add(
    *,
    student: Student,
    kind: str,
    occasion: str,
    details: dict,
    on: date | None = None,
    guardian: Guardian | None = None,
) -> int:
    """Tell every guardian of a student who accepts texts or email (or only `guardian`) something new,
    in the day's one text or email (by text only for TEXT_ONLY_KINDS).

    `kind` is a FamilyNotice.Kind (e.g. "signature"), `occasion` names the thing (the same occasion
    twice is written once), `details` holds plain values from DETAIL_KEYS (e.g. {"link": url}).
    Returns how many guardians will be told; the next sweep (or `family_notices_compose`) sends it.
    """
    on = on or timezone.localdate()
    guardians = Guardian.objects.filter(student=student)
    guardians = guardians.reachable_by(Channel.SMS) if kind in TEXT_ONLY_KINDS else guardians.reachable()
    if guardian is not None:
        guardians = guardians.filter(pk=guardian.pk)
    return family_notices_write(
        [
            FamilyNotice(guardian=g, student=student, kind=kind, occasion=occasion, on=on, details=details)
            for g in guardians
        ]
    )


def _day_words(day: date, send_day: date) -> str:
    return _("today") if day == send_day else _("on %(day)s") % {"day": formats.date_format(day, "l j F")}


def _sentence(notice: FamilyNotice, name: str, send_day: date) -> str:
    """One notice as one sentence, in the active language."""
    d = notice.details
    when = _day_words(notice.on, send_day)
    if notice.kind == FamilyNotice.Kind.ABSENCE:
        return _("%(name)s was not at %(program)s %(when)s.") % {
            "name": name,
            "program": d["program"],
            "when": when,
        }
    if notice.kind == FamilyNotice.Kind.IN_A_ROW:
        return _("%(name)s has missed %(count)d sessions in a row.") % {"name": name, "count": d["count"]}
    if notice.kind == FamilyNotice.Kind.CONTRACT_DUE_SOON:
        due = formats.date_format(date.fromisoformat(d["due_on"]), "l j F")
        return _("%(name)s's contract is due %(due)s, in %(days)d school days.") % {
            "name": name,
            "due": due,
            "days": d["days"],
        }
    if notice.kind == FamilyNotice.Kind.CONTRACT_DUE_TODAY:
        return _("%(name)s's contract is due today.") % {"name": name}
    if notice.kind == FamilyNotice.Kind.REVIEW_OPENED:
        return _(
            "%(name)s has missed assignments, so the teacher is reviewing how independent study is going "
            "and will contact you."
        ) % {"name": name}
    if notice.kind == FamilyNotice.Kind.SIGNATURE_NEEDED:
        return _("An agreement for %(name)s needs your signature: %(link)s") % {
            "name": name,
            "link": d.get("link", ""),
        }
    return ""


def family_text_compose(
    notices: list[FamilyNotice], *, guardian: Guardian, send_day: date, channel: str = Channel.SMS
) -> str:
    """The day's one text (or email) to a guardian: every notice due, merged, in the guardian's language."""
    student = guardian.student
    name = student.preferred_name or student.first_name
    with translation.override(guardian.language):
        sentences = [_sentence(notice, name, send_day) for notice in notices]
        if channel == Channel.SMS:
            return " ".join(
                [
                    "artworx:",
                    *[s for s in sentences if s],
                    _("Questions? Reply or call us. Reply STOP to stop texts."),
                ]
            )
        closing = _(
            "Questions? Call the student's teacher or the site. To stop these emails, tell us and we "
            "will stop them."
        )
        return "\n\n".join([*[s for s in sentences if s], closing])


def family_notices_compose(*, now: datetime, guardian: Guardian | None = None) -> int:
    """Queue one text (or, for a family that reads email and not texts, one email) for the day per
    guardian (or for `guardian` only) with notices not yet told; returns how many."""
    until = quiet_hours_end(now)
    send_day = (until or now).astimezone(LOS_ANGELES).date()
    # A notice older than yesterday is no longer news (a guardian who opted out and back in).
    reachable = Guardian.objects.reachable()
    if guardian is not None:
        reachable = reachable.filter(pk=guardian.pk)
    pending = list(
        FamilyNotice.objects.filter(message__isnull=True, on__gte=send_day - ONE_DAY, guardian__in=reachable)
        .select_related("guardian__student")
        .order_by("guardian_id", "on", "pk")
    )
    by_guardian: dict[int, list[FamilyNotice]] = defaultdict(list)
    for notice in pending:
        by_guardian[notice.guardian_id].append(notice)
    occasion = f"notices-{send_day:%Y-%m-%d}"
    # Guardians already texted for this day wait for tomorrow's text (one a day, nothing lost).
    texted = set(
        Message.objects.filter(
            guardian_id__in=list(by_guardian),
            kind=Message.Kind.NOTICE,
            notification__dedupe_key__contains=f":{occasion}:",
        ).values_list("guardian_id", flat=True)
    )
    queued = 0
    for guardian_id, notices in by_guardian.items():
        if guardian_id in texted:
            continue
        guardian = notices[0].guardian
        channel = Channel.SMS if guardian.accepts(Channel.SMS) else Channel.EMAIL
        if channel == Channel.EMAIL:
            notices = [notice for notice in notices if notice.kind not in TEXT_ONLY_KINDS]
            if not notices:
                continue
        queue = family_text_queue if channel == Channel.SMS else family_email_queue
        with transaction.atomic():
            message = queue(
                student=guardian.student,
                guardian=guardian,
                body=family_text_compose(notices, guardian=guardian, send_day=send_day, channel=channel),
                kind=Message.Kind.NOTICE,
                occasion=occasion,
                now=now,
            )
            FamilyNotice.objects.filter(pk__in=[n.pk for n in notices], message__isnull=True).update(
                message=message
            )
        queued += 1
    return queued
