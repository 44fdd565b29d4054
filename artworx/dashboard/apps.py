from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """Outcomes against targets: the staff dashboard."""

    name = "artworx.dashboard"
    label = "dashboard"
    verbose_name = _("Dashboard")
