"""Writes on alumni: graduation into an alumni record, check-ins and the cadence that follows them."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alumni.models import HORIZONS, Alumnus, CheckIn, Outcome
from alumni.selectors import staff_contacts
from artworx.dates import validate_date_in_range
from notifications.items import items_close, items_reassign
from notifications.models import Kind


def next_check_in_date(*, graduated_on: date, after: date) -> date:
    """Monthly in the first year after graduation, quarterly after that (both are settings)."""
    first_year = after < graduated_on + timedelta(days=365)
    step = settings.ARTWORX_ALUMNI_FIRST_YEAR_DAYS if first_year else settings.ARTWORX_ALUMNI_LATER_DAYS
    return after + timedelta(days=step)


def _least_loaded_staff_contact():
    """The active program staff member or counselor who carries the fewest alumni."""
    return staff_contacts().annotate(carried=Count("alumni", distinct=True)).order_by("carried", "pk").first()


def alumnus_create_for_graduate(*, student, graduated_on: date, diploma: str, plans: str = "") -> Alumnus:
    """Open the alumni record of a student who graduated (called inside the exit's transaction)."""
    if Alumnus.objects.filter(student=student).exists():
        raise ValidationError(_("This student already has an alumni record."), code="already_alumnus")
    if diploma not in Alumnus.Diploma.values:
        raise ValidationError(_("Choose the diploma or equivalency earned."), code="diploma")
    return Alumnus.objects.create(
        student=student,
        graduated_on=graduated_on,
        diploma=diploma,
        plans=plans,
        phone=student.phone,
        email=student.email,
        address=student.address,
        language=student.language,
        staff_contact=_least_loaded_staff_contact(),
        next_check_in_on=next_check_in_date(graduated_on=graduated_on, after=graduated_on),
    )


@transaction.atomic
def check_in_record(
    *,
    alumnus: Alumnus,
    date: date,
    staff,
    method: str,
    reached: bool,
    outcome: str,
    notes: str = "",
    next_due_on: date | None = None,
) -> CheckIn:
    """Record a follow-up; the alumnus's current outcome and next due date follow the latest one."""
    # Lock the alumnus: two check-ins saved at once both count, and the later date sets the next due.
    alumnus = Alumnus.objects.select_for_update().get(pk=alumnus.pk)
    if date > timezone.localdate():
        raise ValidationError(_("A check-in cannot be in the future."), code="future")
    if date < alumnus.graduated_on:
        raise ValidationError(
            _("A check-in cannot be before graduation (%(date)s).") % {"date": alumnus.graduated_on},
            code="before_graduation",
        )
    if not reached:
        outcome = Outcome.UNKNOWN
    next_due_on = next_due_on or next_check_in_date(graduated_on=alumnus.graduated_on, after=date)
    validate_date_in_range(next_due_on)
    if next_due_on <= date:
        raise ValidationError(_("The next check-in is due after this one."), code="next_due")
    check_in = CheckIn.objects.create(
        alumnus=alumnus,
        date=date,
        staff=staff,
        method=method,
        reached=reached,
        outcome=outcome,
        notes=notes,
        next_due_on=next_due_on,
    )
    latest = alumnus.check_ins.order_by("-date", "-pk").first()
    alumnus.next_check_in_on = latest.next_due_on
    # A check-in may be recorded late: the outcomes now and at each horizon are worked out again.
    alumnus.follow_outcomes(
        list(alumnus.check_ins.filter(reached=True).order_by("date", "pk").values_list("date", "outcome"))
    )
    alumnus.save(
        update_fields=[
            "next_check_in_on",
            "current_outcome",
            *(f"outcome_at_{months}_months" for months in HORIZONS),
            "updated_at",
        ]
    )
    if alumnus.next_check_in_on > timezone.localdate():
        items_close(kind=Kind.ALUMNI_CHECK_IN_DUE, subject_ids=[alumnus.pk], subject_model=Alumnus)
    return check_in


@transaction.atomic
def alumnus_save(*, alumnus: Alumnus) -> Alumnus:
    """Save an alumnus's contact details, consent, plans and staff contact (the page and the admin).

    The staff contact is a program staff member or a counselor; a new one takes over the alumnus's open
    check-in item (DESIGN.md, responsibility)."""
    if (
        alumnus.staff_contact is not None
        and not staff_contacts().filter(pk=alumnus.staff_contact_id).exists()
    ):
        raise ValidationError(
            _("%(name)s cannot be an alumni contact: only active program staff and counselors can.")
            % {"name": alumnus.staff_contact},
            code="not_a_contact",
        )
    alumnus.full_clean()
    alumnus.save()
    items_reassign(responsibility=f"alumnus-{alumnus.pk}:contact", to=alumnus.staff_contact)
    if not alumnus.consents_to_contact:
        items_close(kind=Kind.ALUMNI_CHECK_IN_DUE, subject_ids=[alumnus.pk], subject_model=Alumnus)
    return alumnus


def alumni_due(*, staff, today: date):
    """A staff member's consenting alumni whose check-in is overdue or due within a week."""
    return (
        Alumnus.objects.filter(staff_contact=staff, consents_to_contact=True)
        .filter(Q(next_check_in_on__lte=today + timedelta(days=7)))
        .select_related("student")
        .order_by("next_check_in_on")
    )
