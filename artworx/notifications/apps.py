from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """The notification outbox, reminder sweeps and people's email preferences."""

    name = "artworx.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
