"""Reads of the retention app: which students and referrals are past their time, and what would change."""

from collections import Counter
from datetime import date

from django.apps import apps
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, TruncDate

from alumni.models import Alumnus
from retention.dates import months_before
from retention.graph import DELETED, changed_columns, history_model, owned_models
from retention.models import Anonymisation, LegalHold, RetentionPolicy
from students.models import Enrollment, Referral, Student

HistoricalAlumnus = history_model(Alumnus)


def protected_students() -> Q:
    """Students never anonymised: enrolled now, under a legal hold, or an alumnus who still consents."""
    return Q(Exists(Enrollment.objects.open().filter(student=OuterRef("pk")))) | Q(
        Exists(LegalHold.objects.filter(student=OuterRef("pk")))
        | Exists(Alumnus.objects.filter(student=OuterRef("pk"), consents_to_contact=True))
    )


def students_not_anonymised() -> QuerySet[Student]:
    return Student.objects.exclude(Exists(Anonymisation.objects.filter(student=OuterRef("pk"))))


def students_due(*, today: date, policy: RetentionPolicy | None = None) -> QuerySet[Student]:
    """Students past the retention policy and anonymisable now (DESIGN.md: RetentionPolicy), by id."""
    policy = policy or RetentionPolicy.current()
    left_before = months_before(today, policy.student_months)
    consent_before = months_before(today, policy.alumnus_months)
    # When the student left: their last enrollment's end, or the day the record was made if they never
    # enrolled. Students enrolled now are left out by `protected_students`.
    last_left = (
        Enrollment.objects.filter(student=OuterRef("pk"))
        .order_by()
        .values("student")
        .annotate(last=Max("ended_on"))
        .values("last")
    )
    ended_consent = Alumnus.objects.filter(student=OuterRef("pk"), consents_to_contact=False).annotate(
        ended=TruncDate(Subquery(_consent_end()))
    )
    return (
        students_not_anonymised()
        .exclude(protected_students())
        .annotate(left_on=Coalesce(Subquery(last_left), TruncDate("created_at")))
        .filter(left_on__lt=left_before)
        .filter(
            ~Exists(Alumnus.objects.filter(student=OuterRef("pk")))
            | Exists(ended_consent.filter(Q(ended__lt=consent_before) | Q(ended__isnull=True)))
        )
        .order_by("pk")
    )


def _consent_end() -> QuerySet:
    """For an alumnus row (OuterRef "pk"), the time of their first version without consent after the last
    version with it. None when history holds no version (an alumnus from before history): treated as ended
    long ago, as consent is withdrawn on the row itself."""
    last_with = (
        HistoricalAlumnus.objects.filter(id=OuterRef(OuterRef("pk")), consents_to_contact=True)
        .order_by("-history_date")
        .values("history_date")[:1]
    )
    return (
        HistoricalAlumnus.objects.filter(id=OuterRef("pk"), consents_to_contact=False)
        .filter(Q(history_date__gt=Subquery(last_with)) | ~Exists(last_with))
        .order_by("history_date")
        .values("history_date")[:1]
    )


def referrals_due(*, today: date, policy: RetentionPolicy | None = None) -> QuerySet[Referral]:
    """Referrals closed without enrolling longer ago than the policy, not yet anonymised."""
    policy = policy or RetentionPolicy.current()
    return (
        Referral.objects.filter(
            student__isnull=True, closed_on__lt=months_before(today, policy.referral_months)
        )
        .exclude(Exists(Anonymisation.objects.filter(referral=OuterRef("pk"))))
        .order_by("pk")
    )


def anonymisation_plan(*, student_ids: list[int]) -> dict[str, int]:
    """What anonymising these students would change: rows by kind of record (live and history), and count.

    The dry run of the nightly task, the command and a district release: one count query per table.
    """
    counts: Counter = Counter()
    counts["students"] = len(student_ids)
    for label, model, path in owned_models():
        if not changed_columns(model, label=label):
            continue  # attendance marks: kept as they are, nothing in them names anyone
        rows = model.objects.filter(**{f"{path}__in": student_ids}).values("pk").distinct()
        name = str(model._meta.verbose_name_plural)
        if label != "students.Student":
            counts[name] += rows.count()
        history = history_model(model)
        if history is not None:
            counts[f"{name} (history)"] += history.objects.filter(id__in=rows).count()
    for label, path in DELETED.items():
        model = apps.get_model(label)
        counts[str(model._meta.verbose_name_plural)] += model.objects.filter(
            **{f"{path}__in": student_ids}
        ).count()
    return {kind: count for kind, count in counts.items() if count}
