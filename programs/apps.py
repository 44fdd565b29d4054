from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    """Sequential arts programs, cohorts, sessions and attendance."""

    name = "programs"
    verbose_name = _("Arts programs")
