from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlumniConfig(AppConfig):
    """Alumni and their check-ins."""

    name = "alumni"
    verbose_name = _("Alumni")
