from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    """Students, guardians, support profiles and enrollments."""

    name = "students"
    verbose_name = _("Students")
