from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    """Students, guardians, support profiles and enrollments."""

    name = "students"
    verbose_name = _("Students")

    def ready(self) -> None:
        from sites.signals import calendar_changed, site_changing
        from students.receivers import on_calendar_changed, on_site_changing

        site_changing.connect(on_site_changing, dispatch_uid="students_site_changing")
        calendar_changed.connect(on_calendar_changed, dispatch_uid="students_calendar_changed")
