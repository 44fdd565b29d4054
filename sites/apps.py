from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    """Sites, partners and closures: where and when the programme runs."""

    name = "sites"
    verbose_name = _("Sites")
