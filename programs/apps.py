from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    """Sequential arts programs, cohorts, sessions and attendance."""

    name = "programs"
    verbose_name = _("Arts programs")

    def ready(self):
        from programs import receivers  # noqa: F401 - connects the signal receivers
