"""Sites, partner organisations and closures."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from artworx.dates import CLOSURE_MONTHS, EARLIEST, LATEST, in_range, validate_length
from artworx.models import TimeStampedModel
from artworx.roles import sees_all


class Partner(TimeStampedModel):
    """An outside organisation we work with."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("Community organisation")
        CULTURAL = "cultural", _("Cultural partner")
        COLLEGE = "college", _("College")
        EMPLOYER = "employer", _("Employer")
        UNION = "union", _("Union house")
        YOUTH_CENTRE = "youth_centre", _("Youth centre")
        DISTRICT = "district", _("School district")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self) -> str:
        return self.name


class SiteQuerySet(models.QuerySet):
    """Queries over sites."""

    def active(self) -> "SiteQuerySet":
        return self.filter(is_active=True)

    def visible_to(self, user) -> "SiteQuerySet":
        """Sites the user may see: all for staff roles, their own for teachers, none otherwise."""
        if not user.is_authenticated:
            return self.none()
        if sees_all(user):
            return self.all()
        return self.filter(teachers=user)


class Site(TimeStampedModel):
    """A storefront alternative-education classroom."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_sites",
        verbose_name=_("host organisation"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        validators=[MinValueValidator(1), MaxValueValidator(settings.ARTWORX_MAX_SITE_CAPACITY)],
        help_text=_("Students the site can hold at once (1 to 50)."),
    )
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teaching_sites", verbose_name=_("teachers")
    )
    # Responsibility (DESIGN.md): who answers for the site's reminders. The lead gets its escalations,
    # absences in a row, expired contracts and open seats; the counselor chronic absence and reviews.
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sites_led",
        verbose_name=_("lead program staff member"),
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sites_counseled",
        verbose_name=_("site counselor"),
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = SiteQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[teachers])

    class Meta:
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=50),
                name="sites_site_capacity_1_to_50",
                violation_error_message=_("A site holds between 1 and 50 students."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClosureQuerySet(models.QuerySet):
    """Queries over closures."""

    def for_site(self, site: Site) -> "ClosureQuerySet":
        """Closures that apply at a site: the organisation's and the site's own."""
        return self.filter(Q(site__isnull=True) | Q(site=site))


class Closure(TimeStampedModel):
    """A non-instructional day or range, for the whole organisation or one site."""

    name = models.CharField(_("name"), max_length=200)
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("site"),
        help_text=_("Leave empty for a closure of the whole organisation."),
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    objects = ClosureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="sites_closure_ends_after_start",
                violation_error_message=_("A closure cannot end before it starts."),
            ),
            # Every instructional-day count walks the closures' days: one dated 9999 would break
            # them all, whichever path wrote it (artworx.dates has the same bound for forms).
            models.CheckConstraint(
                condition=Q(starts_on__gte=EARLIEST) & Q(ends_on__lte=LATEST),
                name="sites_closure_years_1900_to_2100",
                violation_error_message=_("A closure lies between 1900 and 2100."),
            ),
        ]
        indexes = [models.Index(fields=["site", "starts_on"])]  # instructional-day counts per site

    def __str__(self) -> str:
        where = self.site or _("all sites")
        starts, ends = (date_format(day, "SHORT_DATE_FORMAT") for day in (self.starts_on, self.ends_on))
        return f"{self.name} ({starts}–{ends}, {where})"

    def clean(self):
        """A closure lasts at most a year: every instructional-day count walks its days."""
        if in_range(self.ends_on):
            try:
                validate_length(
                    self.starts_on,
                    self.ends_on,
                    months=CLOSURE_MONTHS,
                    message=_("A closure lasts at most a year: it ends %(date)s at the latest."),
                    code="closure_too_long",
                )
            except ValidationError as error:
                raise ValidationError({"ends_on": error}) from error


class CalendarVersion(models.Model):
    """How often the closures that apply at a site have changed: a closure of the site added, moved in
    or out, re-dated or removed, or one of the whole organisation's. Kept by database triggers on the
    closures (sites/calendar_versions.py), so whatever writes a closure moves it; a site whose closures
    never changed has no row (version 0). What was worked out from a site's calendar is kept with the
    version it was worked out under, and is stale once the version moved on (students.pace_turns)."""

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, primary_key=True, related_name="calendar_version"
    )
    version = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("calendar version")
        verbose_name_plural = _("calendar versions")

    def __str__(self) -> str:
        return f"{self.site_id}: {self.version}"
