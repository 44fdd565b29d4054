"""Anonymisation: a student's (or a lone referral's) identifying values replaced in every table and history.

Set-based: one UPDATE per table for a batch of students, the batch in one transaction, so each student
is anonymised entirely or not at all, and a run killed at any row resumes where it stopped (students
with an Anonymisation row are done; the rest are untouched).
"""

import contextlib
import logging
import os
import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import partial
from itertools import islice

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce, TruncYear
from django.utils import timezone

from families.models import Message
from notifications.models import Notification
from retention.dates import months_before
from retention.graph import (
    ANONYMISED,
    BIRTH_DATES,
    DELETED,
    FLAGS,
    PSEUDONYM,
    REPLACED,
    history_model,
    owned_models,
    text_fields,
)
from retention.models import Anonymisation, DistrictRelease, RetentionPolicy
from retention.selectors import (
    protected_students,
    students_not_anonymised,
)
from students.models import RecordRead, Referral, RosterImport, Student

log = logging.getLogger(__name__)

BATCH_SIZE = 500
# Files kept about a student live in this folder of the default storage; anonymisation deletes it.
MEDIA_FOLDER = "students/{pk}"
NOBODYS_NUMBER = "+12025550100"  # 555-0100 to 555-0199 are set aside for fiction: no one's phone
NOT_SENT = "Not sent: the records it was about were anonymised."


def batched(values: Iterable[int], size: int):
    """Tuples of `size` values in order (itertools.batched is Python 3.12)."""
    values = iter(values)
    while chunk := tuple(islice(values, size)):
        yield chunk


def new_pseudonym() -> str:
    """A random pseudonymous id: says nothing of the person, unique in practice (2^40 values)."""
    return f"P-{secrets.token_hex(5).upper()}"


def _blank(field):
    """The value a text column takes when anonymised: null, empty, or a placeholder when it may not be."""
    if isinstance(field, models.JSONField):
        return None if field.null else field.get_default()
    if field.null:
        return None
    if field.blank:
        return ""
    return ANONYMISED[: field.max_length or None]


def _values(model, *, label: str, pseudonym) -> dict:
    """Column → replacement for one table (the tracked model's label, also for its history table)."""
    replaced = REPLACED.get(label, {})
    values = {}
    for field in text_fields(model, label=label):
        value = replaced.get(field.name, _blank(field))
        values[field.name] = pseudonym if value is PSEUDONYM else value
    if label in BIRTH_DATES:
        values[BIRTH_DATES[label]] = TruncYear(BIRTH_DATES[label])
    for flag in FLAGS.get(label, ()):
        values[flag] = False
    return values


def _pseudonym(*, key: str, by: str) -> Coalesce:
    """The pseudonym of the row's student (by="student") or referral (by="referral"), read in the UPDATE."""
    mine = Anonymisation.objects.filter(**{by: OuterRef(key)}).values("pseudonym")[:1]
    return Coalesce(Subquery(mine), Value(ANONYMISED))


def _scrub(*, label: str, model, rows: models.QuerySet, extra_history: Q, by: str) -> None:
    """Replace the identifying columns of `rows` and of every history version of them."""
    if by == "student" and label != "students.Student":
        key_live = key_history = "student"  # a referral takes its student's pseudonym
    else:
        key_live, key_history = "pk", "id"
    values = _values(model, label=label, pseudonym=_pseudonym(key=key_live, by=by))
    if values:
        model.objects.filter(pk__in=rows.values("pk")).update(**values)
    history = history_model(model)
    if history is None:
        return
    versions = history.objects.filter(Q(id__in=rows.values("pk")) | extra_history)
    values = _values(history, label=label, pseudonym=_pseudonym(key=key_history, by=by))
    if not values:
        # Nothing identifying in the table itself (attendance marks): only a change reason someone
        # wrote, on the few versions that have one; not a rewrite of every version.
        versions = versions.filter(history_change_reason__isnull=False)
    values["history_change_reason"] = None
    versions.update(**values)


def _subjects(ids: list[int]) -> list[tuple[ContentType, models.QuerySet]]:
    """(content type, ids of rows) of everything that is the student's, for outbox items and admin logs."""
    return [
        (ContentType.objects.get_for_model(model), model.objects.filter(**{f"{path}__in": ids}).values("pk"))
        for _label, model, path in owned_models()
    ]


def _scrub_students(ids: list[int]) -> None:
    """Every table, history, outbox item and admin log line of these students (inside the caller's atomic)."""
    for label, model, path in owned_models():
        rows = model.objects.filter(**{f"{path}__in": ids})
        # Versions of rows since deleted (a guardian removed) still name the student they belonged to.
        extra = Q(student__in=ids) if path == "student" else Q(pk__in=[])
        _scrub(label=label, model=model, rows=rows, extra_history=extra, by="student")
    for label, path in DELETED.items():
        apps.get_model(label).objects.filter(**{f"{path}__in": ids}).delete()
    _scrub_mentions(_subjects(ids))


def _scrub_mentions(subjects: list[tuple[ContentType, models.QuerySet]]) -> None:
    """Outbox items about these rows, and the admin console's log lines of them."""
    about = Q(pk__in=[])
    logged = Q(pk__in=[])
    for content_type, pks in subjects:
        about |= Q(subject_type=content_type, subject_id__in=pks)
        logged |= Q(
            content_type=content_type, object_id__in=pks.annotate(text=Cast("pk", CharField())).values("text")
        )
    values = {field.name: _blank(field) for field in text_fields(Notification)}
    # A notification goes to a user, an address or a number, and a text to a number (constraints): one
    # to a family keeps a placeholder address and number that reach nobody, and one not sent yet is
    # never sent.
    values["recipient_email"] = Case(
        When(recipient__isnull=True, then=Value("anonymised@anonymised.invalid")), default=Value("")
    )
    values["recipient_phone"] = Case(When(by_text=True, then=Value(NOBODYS_NUMBER)), default=Value(""))
    values["status"] = Case(
        When(status__in=[Notification.Status.PENDING, Notification.Status.SENDING], then=Value("failed")),
        default=F("status"),
    )
    values["last_error"] = Case(
        When(status__in=[Notification.Status.PENDING, Notification.Status.SENDING], then=Value(NOT_SENT)),
        default=Value(""),
    )
    Notification.objects.filter(about).update(**values)
    LogEntry.objects.filter(logged).update(object_repr=ANONYMISED, change_message="")


def media_delete(ids: Iterable[int]) -> None:
    """Delete the files kept about these students (after the commit: a rollback must not lose them)."""
    for pk in ids:
        _folder_delete(MEDIA_FOLDER.format(pk=pk))


def _folder_delete(folder: str) -> None:
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        default_storage.delete(f"{folder}/{name}")
    for name in folders:
        _folder_delete(f"{folder}/{name}")
    # FileSystemStorage leaves empty folders: remove the student's own so not even its id is left.
    path = getattr(default_storage, "path", None)
    if path:
        with contextlib.suppress(OSError):
            os.rmdir(path(folder))


def students_anonymise(
    *,
    student_ids: Iterable[int],
    reason: str = Anonymisation.Reason.RETENTION,
    release: DistrictRelease | None = None,
    batch_size: int = BATCH_SIZE,
    now: datetime | None = None,
) -> list[int]:
    """Anonymise these students, each entirely or not at all; returns the ids done.

    Idempotent: students already anonymised are skipped, and so are those never to be touched (enrolled
    now, under a legal hold, an alumnus who still consents), checked again inside each transaction.
    """
    now = now or timezone.now()
    done: list[int] = []
    for chunk in batched(sorted(set(student_ids)), batch_size):
        with transaction.atomic():
            # Lock the batch's students in id order: two runs at once queue here instead of both
            # writing a pseudonym for the same student (the one-to-one would refuse the second anyway).
            locked = Student.objects.select_for_update().filter(pk__in=chunk).order_by("pk")
            list(locked.values_list("pk", flat=True))
            ids = list(
                students_not_anonymised()
                .exclude(protected_students())
                .filter(pk__in=chunk)
                .values_list("pk", flat=True)
            )
            if not ids:
                continue
            Anonymisation.objects.bulk_create(
                Anonymisation(
                    student_id=pk,
                    pseudonym=new_pseudonym(),
                    reason=reason,
                    release=release,
                    anonymised_at=now,
                )
                for pk in ids
            )
            _scrub_students(ids)
            transaction.on_commit(partial(media_delete, ids))
        done.extend(ids)
        log.info("anonymised %d student(s)", len(ids))
    return done


@transaction.atomic
def referrals_anonymise(*, referral_ids: Iterable[int], now: datetime | None = None) -> int:
    """Anonymise referrals that never enrolled (a referral with a student goes with the student)."""
    now = now or timezone.now()
    wanted = list(referral_ids)
    list(Referral.objects.select_for_update().filter(pk__in=wanted).values_list("pk", flat=True))
    ids = list(
        Referral.objects.filter(pk__in=wanted, student__isnull=True)
        .exclude(Exists(Anonymisation.objects.filter(referral=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    Anonymisation.objects.bulk_create(
        Anonymisation(
            referral_id=pk,
            pseudonym=new_pseudonym(),
            reason=Anonymisation.Reason.RETENTION,
            anonymised_at=now,
        )
        for pk in ids
    )
    _scrub(
        label="students.Referral",
        model=Referral,
        rows=Referral.objects.filter(pk__in=ids),
        extra_history=Q(pk__in=[]),
        by="referral",
    )
    _scrub_mentions(
        [(ContentType.objects.get_for_model(Referral), Referral.objects.filter(pk__in=ids).values("pk"))]
    )
    RecordRead.objects.filter(referral__in=ids).delete()  # who opened the referral, as for a student
    return len(ids)


def media_leftovers() -> list[int]:
    """Students anonymised whose folder of files is still there."""
    try:
        folders, _files = default_storage.listdir(MEDIA_FOLDER.format(pk="").rstrip("/"))
    except FileNotFoundError:
        return []
    pks = [int(name) for name in folders if name.isdigit()]
    return list(Anonymisation.objects.filter(student__in=pks).values_list("student_id", flat=True))


def messages_expire(*, today: date, policy: RetentionPolicy | None = None) -> int:
    """Erase the words of family texts and outbox items older than the policy; date and status stay."""
    policy = policy or RetentionPolicy.current()
    cutoff = months_before(today, policy.message_months)
    start = timezone.make_aware(datetime.combine(cutoff, datetime.min.time()))
    erased = Message.objects.filter(created_at__lt=start).exclude(body="").update(body="", error_message="")
    erased += (
        Notification.objects.filter(created_at__lt=start)
        .exclude(status__in=[Notification.Status.PENDING, Notification.Status.SENDING])
        .exclude(body="")
        .update(body="")
    )
    return erased


def roster_imports_expire(*, now: datetime | None = None) -> int:
    """Empty the rows kept from uploaded rosters (names, dates of birth, district ids of many students)
    once an import is older than ARTWORX_ROSTER_IMPORT_DAYS; its file name, status and message stay."""
    now = now or timezone.now()
    old = RosterImport.objects.filter(
        created_at__lt=now - timedelta(days=settings.ARTWORX_ROSTER_IMPORT_DAYS),
        status__in=[RosterImport.Status.PREVIEWED, RosterImport.Status.APPLIED, RosterImport.Status.FAILED],
    ).exclude(rows=[], results=[])
    return old.update(rows=[], results=[])
