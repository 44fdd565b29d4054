"""Targets the nonprofit reports against; data, so program staff edit them in the admin console."""

from collections.abc import Iterable

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from artworx.cache import kept_for_generations


class Target(models.Model):
    """One outcome figure's target, as a percentage."""

    class Key(models.TextChoices):
        ATTENDANCE = "attendance", _("Attendance")
        CHRONIC_ABSENCE = "chronic_absence", _("Chronic absence")
        CONTRACTS_ON_TIME = "contracts_on_time", _("Contracts completed on time")
        PATHWAY_COMPLETION = "pathway_completion", _("Pathway completion")
        PATHWAY_GRADUATION = "pathway_graduation", _("Graduation of pathway students")
        PATHWAY_CERTIFICATION = "pathway_certification", _("Certification of pathway students")

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", _("at least")
        AT_MOST = "at_most", _("at most")

    key = models.CharField(_("figure"), max_length=30, choices=Key.choices, unique=True)
    percent = models.PositiveSmallIntegerField(
        _("target (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    direction = models.CharField(
        _("direction"), max_length=8, choices=Direction.choices, default=Direction.AT_LEAST
    )

    history = HistoricalRecords()  # who changed a target, and the dashboard cache's signal

    class Meta:
        ordering = ["key"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="dashboard_target_percent_0_to_100",
                violation_error_message=_("A target is a percentage between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_key_display()}: {self.wording}"

    @property
    def wording(self) -> str:
        """The target as a reader says it: "at least 95 %", but "all (100 %)" rather than "at least 100 %"."""
        if self.direction == self.Direction.AT_LEAST and self.percent == 100:
            return str(_("all (100 %)"))
        if self.direction == self.Direction.AT_MOST and self.percent == 0:
            return str(_("none (0 %)"))
        return _("%(direction)s %(percent)s %%") % {
            "direction": self.get_direction_display(),
            "percent": self.percent,
        }

    def mark(self, value: float | None) -> str:
        """green when the figure meets the target, amber within 5 points, red beyond; grey without data."""
        if value is None:
            return "none"
        gap = value - self.percent if self.direction == self.Direction.AT_LEAST else self.percent - value
        if gap >= 0:
            return "green"
        return "amber" if gap >= -5 else "red"


# The defaults a fresh database starts with (migration 0002) and falls back to.
DEFAULT_TARGETS = {
    Target.Key.PATHWAY_COMPLETION: (95, Target.Direction.AT_LEAST),
    Target.Key.PATHWAY_GRADUATION: (100, Target.Direction.AT_LEAST),
    Target.Key.PATHWAY_CERTIFICATION: (95, Target.Direction.AT_LEAST),
    Target.Key.ATTENDANCE: (90, Target.Direction.AT_LEAST),
    Target.Key.CHRONIC_ABSENCE: (10, Target.Direction.AT_MOST),
    Target.Key.CONTRACTS_ON_TIME: (85, Target.Direction.AT_LEAST),
}


# A change of any target (reports/receivers.py) starts a new generation: the kept targets are let go.
TARGETS = "targets"


def targets() -> dict[str, Target]:
    """Every target, as saved by program staff or else its default: one query once per change of them."""
    return kept_for_generations("targets", TARGETS, compute=_saved_targets)


def _saved_targets() -> dict[str, Target]:
    return with_defaults(Target.objects.all())


def with_defaults(saved: Iterable[Target]) -> dict[str, Target]:
    """Every target: as saved, or else its default."""
    saved = {t.key: t for t in saved}
    return {
        key: saved.get(key) or Target(key=key, percent=percent, direction=direction)
        for key, (percent, direction) in DEFAULT_TARGETS.items()
    }
