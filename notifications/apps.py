from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The notification outbox, reminder sweeps and people's email preferences."""

    name = "notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Each app's reminders.py registers its sweeps (notifications.sweeps.sweep).
        autodiscover_modules("reminders")
