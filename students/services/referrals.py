"""Re-engagement referrals: intake, the funnel's steps, conversion into an enrollment or a waitlist entry."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from artworx.dates import shown_date, validate_date_in_range
from notifications.items import items_close, items_reassign
from notifications.models import Kind
from sites.models import Site
from students.models import (
    Enrollment,
    Referral,
    Student,
    SubjectArea,
    WaitlistEntry,
    validate_date_of_birth,
)
from students.services.enrollments import enrollment_create
from students.services.students import student_create
from students.services.waitlist import waitlist_add

# What intake records and staff may correct: the referral form shows these (credits held by subject
# are typed in their own inputs), the admin saves them through `referral_update`.
REFERRAL_FIELDS = (
    "source",
    "first_name",
    "last_name",
    "date_of_birth",
    "district_id",
    "phone",
    "email",
    "last_school",
    "out_of_school",
    "credits_held",
    "recommended_option",
    "counselor",
    "notes",
)


def _credits_total(credits_held: dict) -> Decimal:
    """Check credits held by subject area (known areas, none negative, 0..300 in all) and add them up."""
    total = Decimal(0)
    for area, credits in (credits_held or {}).items():
        if area not in SubjectArea.values:
            raise ValidationError(_("Unknown subject area: %(area)s.") % {"area": area}, code="credits")
        try:
            value = Decimal(str(credits))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError(_("Credits must be numbers."), code="credits") from exc
        if value < 0:
            raise ValidationError(_("Credits cannot be negative."), code="credits")
        total += value
    if total > Referral.MAX_CREDITS:
        raise ValidationError(
            _("Credits held add up to %(total)s: at most 300.") % {"total": total}, code="credits"
        )
    return total


def _save_referral(referral: Referral) -> Referral:
    referral.credits_held = {k: str(Decimal(str(v))) for k, v in (referral.credits_held or {}).items() if v}
    referral.credits_total = _credits_total(referral.credits_held)
    referral.full_clean()
    referral.save()
    return referral


@transaction.atomic
def referral_create(*, received_on: date, **fields) -> Referral:
    """Record a new referral, received on a date."""
    validate_date_in_range(received_on)
    if received_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    return _save_referral(Referral(received_on=received_on, **fields))


@transaction.atomic
def referral_update(*, referral: Referral, **fields) -> Referral:
    """Correct a referral's intake details and credit assessment (not its funnel status)."""
    # Lock the referral: a correction and a step or a conversion of the same referral queue here.
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    for name, value in fields.items():
        if name not in REFERRAL_FIELDS:
            raise TypeError(name)
        setattr(referral, name, value)
    referral = _save_referral(referral)
    # Reassigning the counselor moves the referral's open items to them.
    items_reassign(responsibility=f"referral-{referral.pk}:counselor", to=referral.counselor)
    return referral


# Where a referral may go next by hand; "enrolled" is reached only by converting it.
REFERRAL_NEXT = {
    Referral.Status.RECEIVED: (
        Referral.Status.CONTACTED,
        Referral.Status.DECLINED,
        Referral.Status.UNREACHABLE,
    ),
    Referral.Status.CONTACTED: (
        Referral.Status.ASSESSED,
        Referral.Status.DECLINED,
        Referral.Status.UNREACHABLE,
    ),
    Referral.Status.ASSESSED: (Referral.Status.DECLINED, Referral.Status.UNREACHABLE),
}


@transaction.atomic
def referral_advance(*, referral: Referral, status: str, on: date) -> Referral:
    """Move a referral one step through the funnel on a date; dates only go forward."""
    validate_date_in_range(on)
    # Lock the referral: two clicks on the same step (or a step and a conversion) cannot both pass.
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if status not in REFERRAL_NEXT.get(referral.status, ()):
        raise ValidationError(
            _("A referral that is %(status)s cannot become %(next)s.")
            % {
                "status": referral.get_status_display().lower(),
                "next": Referral.Status(status).label.lower() if status in Referral.Status.values else status,
            },
            code="bad_step",
        )
    if on < referral.last_step_on:
        raise ValidationError(
            _("The date cannot be before the referral's last step (%(date)s).")
            % {"date": shown_date(referral.last_step_on)},
            code="date_backwards",
        )
    if on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")
    referral.status = status
    setattr(referral, Referral.STEP_DATES.get(status, "closed_on"), on)
    referral.save()
    # No longer waiting for a first contact, whoever made it.
    items_close(kind=Kind.REFERRAL_WAITING, subject_ids=[referral.pk], subject_model=Referral)
    return referral


def referral_matches(*, referral: Referral) -> list[Student]:
    """Students who may be this youth already: same district id, or same name and date of birth."""
    same_person = Q(
        first_name__iexact=referral.first_name.strip(),
        last_name__iexact=referral.last_name.strip(),
        date_of_birth=referral.date_of_birth,
    )
    if referral.district_id:
        same_person |= Q(district_id=referral.district_id)
    return list(Student.objects.filter(same_person).order_by("pk")[:5])


@transaction.atomic
def referral_convert(
    *,
    referral: Referral,
    site: Site,
    teacher,
    on: date,
    grade: int | None = None,
    student: Student | None = None,
    create_new: bool = False,
) -> Enrollment | WaitlistEntry:
    """Turn a referral into a student enrolled at a site, or on its waitlist when the site is full.

    A youth who is a student already is matched rather than duplicated: when matches exist the
    counselor passes the confirmed `student`, or `create_new=True` to confirm it is someone else.
    """
    # The referral row first: two conversions of one referral queue here and the second refuses.
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.student_id is not None:
        raise ValidationError(_("This referral was already converted."), code="already_converted")
    if referral.status in (Referral.Status.DECLINED, Referral.Status.UNREACHABLE):
        raise ValidationError(
            _("A %(status)s referral cannot be converted.")
            % {"status": referral.get_status_display().lower()},
            code="referral_closed",
        )
    if on < referral.last_step_on:
        raise ValidationError(
            _("The date cannot be before the referral's last step (%(date)s).")
            % {"date": shown_date(referral.last_step_on)},
            code="date_backwards",
        )
    matches = referral_matches(referral=referral)
    if student is not None:
        if student.pk not in {m.pk for m in matches}:
            raise ValidationError(_("That student does not match this referral."), code="not_a_match")
    else:
        if matches and not create_new:
            raise ValidationError(
                _("This youth may already be a student: choose the match, or confirm a new student."),
                code="confirm_match",
            )
        if grade is None:
            raise ValidationError(_("Give the grade to create the student."), code="grade")
        # Said here, not by student_create's full_clean: its error names a field this page lacks.
        validate_date_of_birth(referral.date_of_birth)
        student = student_create(
            first_name=referral.first_name,
            last_name=referral.last_name,
            date_of_birth=referral.date_of_birth,
            district_id=referral.district_id,
            grade=grade,
            phone=referral.phone,
            email=referral.email,
            prior_credits=referral.credits_total,
        )
    try:
        placed = enrollment_create(student=student, site=site, teacher=teacher, started_on=on)
    except ValidationError as error:
        if error.code != "site_full":
            raise
        # DESIGN.md rule 4: a full site offers its waitlist; the enrollment's savepoint rolled back.
        placed = waitlist_add(student=student, site=site, on=on)
    referral.student = student
    if referral.status == Referral.Status.RECEIVED:
        referral.contacted_on = referral.contacted_on or on
    if referral.status in (Referral.Status.RECEIVED, Referral.Status.CONTACTED):
        referral.assessed_on = referral.assessed_on or on
        referral.status = Referral.Status.ASSESSED
    if isinstance(placed, Enrollment):
        referral.status, referral.enrolled_on = Referral.Status.ENROLLED, on
    referral.save()
    return placed
