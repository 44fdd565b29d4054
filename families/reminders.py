"""Family sweeps: absences once the roll is logged, absences in a row, contract dates; then the day's texts.

Registered with the outbox (notifications.sweeps) and run by beat every few minutes and by
`manage.py send_reminders`: the attendance logging service (programs) knows nothing of families, and
a roll logged at 15:00 is told to the family at the next sweep, the same school day.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from families.models import FamilyNotice
from families.notices import family_notices_compose, family_notices_write
from notifications.sweeps import sweep
from programs.models import Attendance, Mark, Participation, Session
from programs.selectors import attendance_figures
from sites.calendar import calendars_for_sites
from sites.models import Site
from students.models import Channel, Contract, Guardian

DUE_SOON_DAYS = 5
ONE_DAY = timedelta(days=1)


def _guardians_by_student(student_ids, *, texts_only: bool = False) -> dict[int, list[Guardian]]:
    """The guardians who accept texts (or email, unless `texts_only`), per student, in one query."""
    guardians: dict[int, list[Guardian]] = {}
    students = Guardian.objects.filter(student_id__in=set(student_ids))
    for guardian in students.reachable_by(Channel.SMS) if texts_only else students.reachable():
        guardians.setdefault(guardian.student_id, []).append(guardian)
    return guardians


def absence_notices(*, now: datetime) -> list[FamilyNotice]:
    """Today's absences from logged sessions (unexcused; excused too with the setting), and runs of three."""
    today = timezone.localdate(now)
    marks = [Mark.UNEXCUSED, *([Mark.EXCUSED] if settings.ARTWORX_FAMILY_TEXT_EXCUSED else [])]
    absent = list(
        Attendance.objects.filter(
            session__date=today, session__status=Session.Status.LOGGED, mark__in=marks
        ).values_list("pk", "participation_id", "participation__student_id", "session__cohort__program__name")
    )
    guardians = _guardians_by_student(row[2] for row in absent)
    notices = [
        FamilyNotice(
            guardian=guardian,
            student_id=student_id,
            kind=FamilyNotice.Kind.ABSENCE,
            occasion=f"attendance-{attendance_id}",
            on=today,
            details={"program": program},
        )
        for attendance_id, _participation, student_id, program in absent
        for guardian in guardians.get(student_id, [])
    ]
    # Three in a row: the participations absent today whose run reaches the threshold.
    absent_any = Attendance.objects.filter(
        session__date=today, session__status=Session.Status.LOGGED, mark__in=[Mark.EXCUSED, Mark.UNEXCUSED]
    ).values("participation_id")
    participations = dict(Participation.objects.filter(pk__in=absent_any).values_list("pk", "student_id"))
    figures = attendance_figures(participations)
    run_guardians = _guardians_by_student(participations.values())
    for participation_id, student_id in participations.items():
        flags = figures.get(participation_id)
        if flags is None or not flags.absent_in_a_row:
            continue
        for guardian in run_guardians.get(student_id, []):
            notices.append(
                FamilyNotice(
                    guardian=guardian,
                    student_id=student_id,
                    kind=FamilyNotice.Kind.IN_A_ROW,
                    occasion=f"run-{participation_id}-from-{flags.streak_since:%Y-%m-%d}",
                    on=today,
                    details={"count": flags.absences_in_a_row},
                )
            )
    return notices


def contract_notices(*, now: datetime) -> list[FamilyNotice]:
    """Active contracts due in 5 instructional days, or today."""
    today = timezone.localdate(now)
    tomorrow = today + ONE_DAY
    calendars = calendars_for_sites(Site.objects.values_list("pk", flat=True))
    if not calendars:
        return []
    horizon = max(calendar.nth_day(tomorrow, DUE_SOON_DAYS) for calendar in calendars.values())
    contracts = list(
        Contract.objects.active()
        .filter(due_on__gte=today, due_on__lte=horizon)
        .values_list("pk", "student_id", "site_id", "due_on")
    )
    # By text only: a family that reads email has the contract reminders' own emails.
    guardians = _guardians_by_student((row[1] for row in contracts), texts_only=True)
    notices = []
    for contract_id, student_id, site_id, due_on in contracts:
        calendar = calendars.get(site_id) or calendars[None]
        if due_on == today:
            kind, details = FamilyNotice.Kind.CONTRACT_DUE_TODAY, {"due_on": due_on.isoformat()}
        elif calendar.count(tomorrow, due_on) == DUE_SOON_DAYS:
            kind, details = (
                FamilyNotice.Kind.CONTRACT_DUE_SOON,
                {"due_on": due_on.isoformat(), "days": DUE_SOON_DAYS},
            )
        else:
            continue
        for guardian in guardians.get(student_id, []):
            notices.append(
                FamilyNotice(
                    guardian=guardian,
                    student_id=student_id,
                    kind=kind,
                    occasion=f"contract-{contract_id}-due-{due_on:%Y-%m-%d}-{kind}",
                    on=today,
                    details=details,
                )
            )
    return notices


@sweep
def family_notices(*, now: datetime) -> int:
    """Write what families are to be told today, then queue each guardian's one text for the day."""
    family_notices_write([*absence_notices(now=now), *contract_notices(now=now)])
    return family_notices_compose(now=now)
