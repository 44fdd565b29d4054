from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    """Sites, partners and closures: where and when the programme runs."""

    name = "sites"
    verbose_name = _("Sites")

    def ready(self) -> None:
        from notifications.items import register_site_lead
        from sites.services import site_lead

        # "Not mine" on an item hands it back to its site's lead; the outbox asks the sites for them.
        register_site_lead(site_lead)
