from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Outcomes against targets: the staff dashboard and the funder report; reads every domain app."""

    # The label stays "dashboard" so no table is renamed.

    name = "reports"
    label = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self):
        from reports import receivers  # noqa: F401 - connects the signal receivers
