"""The read audit: one row per page view that showed a student's sensitive record, purged after a year."""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from students.models import RecordRead, Referral, Student

Part = RecordRead.Part


def record_read_create(
    *,
    request: HttpRequest,
    parts: Iterable[str],
    student: Student | None = None,
    referral: Referral | None = None,
) -> RecordRead | None:
    """Note that the user was just shown these parts of a record: one INSERT, none if nothing was shown."""
    shown = [part for part in Part.values if part in set(parts)]
    if not shown or (student is None and referral is None):
        return None
    return RecordRead.objects.create(
        user=request.user,
        # A referral's reads show on the page of the student it became, if it became one.
        student_id=student.pk if student is not None else referral.student_id,
        referral=referral,
        parts=",".join(shown),
        path=request.path[:500],
        view_name=_view_name(request),
    )


def record_reads_create_many(
    *, request: HttpRequest, student_ids: Iterable[int], parts: Iterable[str]
) -> int:
    """One row per student of a download that held their sensitive columns, in one INSERT."""
    shown = ",".join(part for part in Part.values if part in set(parts))
    now, path, view_name = timezone.now(), request.path[:500], _view_name(request)
    rows = [
        RecordRead(user=request.user, student_id=pk, parts=shown, at=now, path=path, view_name=view_name)
        for pk in student_ids
    ]
    return len(RecordRead.objects.bulk_create(rows)) if shown else 0


def record_reads_purge(*, now: datetime | None = None) -> int:
    """Delete the reads older than ARTWORX_READ_AUDIT_DAYS (one DELETE); returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ARTWORX_READ_AUDIT_DAYS)
    deleted, _ = RecordRead.objects.filter(at__lt=cutoff).delete()
    return deleted


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match else "")[:200]
