"""The nightly run of the retention policy (beat, `manage.py anonymise`): one function for both."""

from datetime import date

from retention.models import DistrictRelease, RetentionPolicy
from retention.selectors import anonymisation_plan, referrals_due, students_due
from retention.services.anonymise import (
    BATCH_SIZE,
    media_delete,
    media_leftovers,
    messages_expire,
    referrals_anonymise,
    roster_imports_expire,
    students_anonymise,
)
from retention.services.releases import release_carry_out, release_exports_expire


def retention_run(*, today: date, dry_run: bool = False, batch_size: int = BATCH_SIZE) -> dict:
    """The nightly run: students and lone referrals past the policy, anonymised (or, dry, counted)."""
    policy = RetentionPolicy.current()
    student_ids = list(students_due(today=today, policy=policy).values_list("pk", flat=True))
    referral_ids = list(referrals_due(today=today, policy=policy).values_list("pk", flat=True))
    if dry_run:
        plan = anonymisation_plan(student_ids=student_ids)
        if referral_ids:
            plan["referrals that never enrolled"] = len(referral_ids)
        return plan
    # Releases approved by two administrators whose task was lost (Redis down): carried out here.
    for release_id in DistrictRelease.objects.filter(status=DistrictRelease.Status.APPROVED).values_list(
        "pk", flat=True
    ):
        release_carry_out(release_id=release_id)
    release_exports_expire()
    done = students_anonymise(student_ids=student_ids, batch_size=batch_size)
    referrals = referrals_anonymise(referral_ids=referral_ids)
    messages = messages_expire(today=today, policy=policy)
    roster_imports_expire()
    # Files of students done in an earlier run that died between its commit and the deletion.
    leftover = media_leftovers()
    media_delete(leftover)
    return {"students": len(done), "referrals": referrals, "message texts erased": messages}
