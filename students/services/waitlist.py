"""Waitlists (DESIGN.md rule 4): a full site offers its list; a freed seat goes to its head."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from artworx.dates import validate_date_in_range
from sites.models import Site
from students.models import (
    Enrollment,
    Referral,
    Student,
    WaitlistEntry,
)
from students.services.enrollments import enrollment_create


@transaction.atomic
def waitlist_add(*, student: Student, site: Site, on: date) -> WaitlistEntry:
    """Put a student at the end of a site's waitlist."""
    validate_date_in_range(on)
    # Lock the site as enrollment does: an entry and an enrollment for it never cross.
    site = Site.objects.select_for_update().get(pk=site.pk)
    if Enrollment.objects.open().filter(student=student).exists():
        raise ValidationError(_("This student is already enrolled at a site."), code="already_enrolled")
    if WaitlistEntry.objects.waiting().filter(student=student, site=site).exists():
        raise ValidationError(
            _("%(student)s is already on the waitlist of %(site)s.") % {"student": student, "site": site},
            code="already_waiting",
        )
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(student=student, site=site, added_on=on)
    except IntegrityError as exc:
        raise ValidationError(
            _("%(student)s is already on the waitlist of %(site)s.") % {"student": student, "site": site},
            code="already_waiting",
        ) from exc


def _locked_waiting(entry: WaitlistEntry) -> WaitlistEntry:
    """Lock a waitlist entry still waiting: enrolling and skipping the same entry cannot both happen."""
    entry = WaitlistEntry.objects.select_for_update().select_related("student", "site").get(pk=entry.pk)
    if entry.status != WaitlistEntry.Status.WAITING:
        raise ValidationError(
            _("This waitlist entry is already %(status)s.") % {"status": entry.get_status_display().lower()},
            code="not_waiting",
        )
    return entry


@transaction.atomic
def waitlist_enroll(*, entry: WaitlistEntry, teacher, on: date) -> Enrollment:
    """Enroll a waiting student at the site through the capacity service; the entry becomes enrolled."""
    # Site row first (as in enrollment_create), then the entry: two clicks on "enroll" queue here.
    Site.objects.select_for_update().get(pk=entry.site_id)
    entry = _locked_waiting(entry)
    enrollment = enrollment_create(student=entry.student, site=entry.site, teacher=teacher, started_on=on)
    entry.status, entry.resolved_on = WaitlistEntry.Status.ENROLLED, on
    entry.save(update_fields=["status", "resolved_on", "updated_at"])
    # A referred youth waiting for this seat reaches the end of the funnel with it.
    for referral in Referral.objects.select_for_update().filter(
        student=entry.student, status=Referral.Status.ASSESSED
    ):
        referral.status, referral.enrolled_on = Referral.Status.ENROLLED, max(on, referral.received_on)
        referral.save(update_fields=["status", "enrolled_on", "updated_at"])
    return enrollment


@transaction.atomic
def waitlist_skip(*, entry: WaitlistEntry, reason: str, on: date) -> WaitlistEntry:
    """Take a student off a waitlist with a reason (found another school, not reachable…)."""
    validate_date_in_range(on)
    if not reason.strip():
        raise ValidationError(_("Give a reason for skipping this student."), code="skip_reason")
    # Lock the site, then the entry, as waitlist_enroll does: the head of the list changes in one order.
    Site.objects.select_for_update().get(pk=entry.site_id)
    entry = _locked_waiting(entry)
    entry.status, entry.resolved_on, entry.skip_reason = WaitlistEntry.Status.SKIPPED, on, reason.strip()
    entry.save(update_fields=["status", "resolved_on", "skip_reason", "updated_at"])
    return entry
