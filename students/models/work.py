"""Work product on a contract and what the teacher makes of it (EC 51747.5, 5 CCR 11703): assignments, the
attendance-credit register they add up to, and the review that missed assignments open."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from artworx.models import TimeStampedModel


class AssignmentQuerySet(models.QuerySet):
    """Queries over assignments."""

    def evaluated(self) -> "AssignmentQuerySet":
        """Work a teacher has evaluated: the only work that earns attendance credit."""
        return self.filter(evaluated_at__isnull=False)

    def missed(self, *, today) -> "AssignmentQuerySet":
        """Work past its due date and not handed in."""
        return self.filter(handed_in_on__isnull=True, due_on__lt=today)


class Assignment(TimeStampedModel):
    """One piece of work product on a contract course, with its dates, evaluation and time value."""

    contract = models.ForeignKey(
        "students.Contract", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("contract")
    )
    course = models.ForeignKey(
        "students.ContractCourse",
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("course"),
    )
    title = models.CharField(_("assignment"), max_length=200)
    assigned_on = models.DateField(_("assigned on"))
    due_on = models.DateField(_("due on"))
    handed_in_on = models.DateField(_("handed in on"), null=True, blank=True)
    evaluation = models.CharField(_("evaluation (grade or mark)"), max_length=20, blank=True)
    # The time value the teacher credits, in instructional days (hours are converted when entered).
    credited_days = models.DecimalField(
        _("time value credited (days)"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluated_assignments",
        verbose_name=_("evaluated by"),
    )
    evaluated_at = models.DateTimeField(_("evaluated at"), null=True, blank=True)
    # The review these missed assignments opened: each missed assignment counts toward one review only.
    review = models.ForeignKey(
        "students.Review",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="missed_assignments",
        verbose_name=_("review"),
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["contract", "due_on", "pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("assigned_on")),
                name="students_assignment_due_after_assigned",
                violation_error_message=_("An assignment is due on or after the day it is assigned."),
            ),
            models.CheckConstraint(
                condition=Q(handed_in_on__isnull=True) | Q(handed_in_on__gte=F("assigned_on")),
                name="students_assignment_handed_in_after_assigned",
                violation_error_message=_("Work is handed in on or after the day it is assigned."),
            ),
            # Only work evaluated by a teacher earns credit: an evaluation has its teacher, its time, a
            # mark, a time value and work handed in; without one there is no credit.
            models.CheckConstraint(
                condition=Q(
                    evaluated_at__isnull=True,
                    evaluated_by__isnull=True,
                    credited_days__isnull=True,
                    evaluation="",
                )
                | (
                    Q(
                        evaluated_at__isnull=False,
                        evaluated_by__isnull=False,
                        credited_days__gte=0,
                        handed_in_on__isnull=False,
                    )
                    & ~Q(evaluation="")
                ),
                name="students_assignment_credit_only_when_evaluated",
                violation_error_message=_(
                    "Only work handed in and evaluated by a teacher, with a mark, is credited time."
                ),
            ),
        ]
        indexes = [models.Index(fields=["contract", "handed_in_on", "due_on"])]  # the missed-work sweep

    def __str__(self) -> str:
        return self.title

    @property
    def is_evaluated(self) -> bool:
        return self.evaluated_at is not None


class Review(TimeStampedModel):
    """The teacher's evaluation, after the policy's number of missed assignments, of whether independent
    study is still in the student's best interest (EC 51747(a)(4)); a record kept three years."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DECIDED = "decided", _("Decided")

    contract = models.ForeignKey(
        "students.Contract", on_delete=models.PROTECT, related_name="reviews", verbose_name=_("contract")
    )
    opened_on = models.DateField(_("opened on"))
    missed_count = models.PositiveSmallIntegerField(_("missed assignments"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    best_interest = models.BooleanField(
        _("independent study is still in the student's best interest"), null=True
    )
    findings = models.TextField(_("findings"), blank=True)
    changes = models.TextField(_("changes to the agreement or supports"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract_reviews",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    keep_until = models.DateField(_("kept until"))

    history = HistoricalRecords()  # the record as decided, and the dashboard's version of the data

    class Meta:
        ordering = ["contract", "-opened_on", "-pk"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(status="open"),
                name="students_review_one_open_per_contract",
                violation_error_message=_("This contract already has an open review."),
            ),
            models.CheckConstraint(
                condition=Q(status="open", decided_at__isnull=True, best_interest__isnull=True)
                | (
                    Q(status="decided", decided_at__isnull=False, decided_by__isnull=False)
                    & Q(best_interest__isnull=False)
                    & ~Q(findings="")
                ),
                name="students_review_decided_has_findings",
                violation_error_message=_(
                    "A decided review has its decision, written findings, who and when."
                ),
            ),
            models.CheckConstraint(
                condition=Q(keep_until__gt=F("opened_on")),
                name="students_review_kept_after_opening",
                violation_error_message=_("A review is kept after the day it opened."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.opened_on} ({self.get_status_display()})"
