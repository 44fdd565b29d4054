"""How families answer what students tell them (students.signals); found at start-up by ArtworxConfig."""

import hashlib

from django.dispatch import receiver
from django.utils import timezone

from families.models import FamilyNotice
from families.notices import family_notice_add, family_notices_compose
from students.signals import review_opened, signature_link_ready


@receiver(signature_link_ready, dispatch_uid="families_signature_link_ready")
def on_signature_link_ready(sender, *, version, guardian, url: str, **kwargs) -> bool:
    """Text a guardian who agreed to texts their signing link, in the day's one text: now, unless
    today's text already went out (then tomorrow's). True when the guardian will get it."""
    # Each sending is a new link: a resent link is news, the same link twice is not.
    link = hashlib.sha256(url.encode()).hexdigest()[:16]
    told = family_notice_add(
        student=guardian.student,
        kind=FamilyNotice.Kind.SIGNATURE_NEEDED,
        occasion=f"agreement-{version.pk}-{link}",
        details={"link": url},
        guardian=guardian,
    )
    if told:
        family_notices_compose(now=timezone.now(), guardian=guardian)
    return bool(told)


@receiver(review_opened, dispatch_uid="families_review_opened")
def on_review_opened(sender, *, review, **kwargs) -> None:
    """Tell the guardians who agreed to texts that the teacher is reviewing missed work (the next
    sweep sends it in the day's text)."""
    family_notice_add(
        student=review.contract.student,
        kind=FamilyNotice.Kind.REVIEW_OPENED,
        occasion=f"review-{review.pk}",
        details={},
    )
