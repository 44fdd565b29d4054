from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    """Students, guardians, support profiles and enrollments."""

    name = "students"
    verbose_name = _("Students")

    def ready(self) -> None:
        from notifications.channels import register_contact_address
        from students.selectors import contact_email_now

        # Consent and the address of a student or guardian are read when an email is sent, not when
        # the reminder was written.
        register_contact_address(contact_email_now)
