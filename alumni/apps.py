from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlumniConfig(AppConfig):
    """Alumni and their check-ins."""

    name = "alumni"
    verbose_name = _("Alumni")

    def ready(self) -> None:
        from alumni.receivers import on_student_graduated
        from students.signals import student_graduated

        student_graduated.connect(on_student_graduated, dispatch_uid="alumni_student_graduated")
