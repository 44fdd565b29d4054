"""App configuration for the artworx project package and its admin console."""

from django.apps import AppConfig, apps
from django.contrib.admin.apps import AdminConfig
from django.core import checks
from django.db.models import Field, ForeignObject
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules

from artworx.form_guards import refuse_overflowing_ids
from artworx.history import keep_history_managers
from artworx.lookups import AnyOf
from artworx.roles import sync_role_permissions
from artworx.uploads import check_xml_parser


class ArtworxConfig(AppConfig):
    """The project app: users, roles and cross-app pages."""

    name = "artworx"
    verbose_name = "artworx"

    def ready(self) -> None:
        Field.register_lookup(AnyOf)
        ForeignObject.register_lookup(AnyOf)  # a relation's lookups are its own (ids here)
        refuse_overflowing_ids()
        keep_history_managers(apps.get_models())
        checks.register(check_xml_parser, checks.Tags.security)
        # Each app's downloads and page sections register themselves (artworx.exports, artworx.sections),
        # and its receivers connect to the signals of the apps below it (<app>/receivers.py).
        autodiscover_modules("exports", "sections", "receivers")

        post_migrate.connect(sync_role_permissions, dispatch_uid="artworx_sync_role_permissions")


class ArtworxAdminConfig(AdminConfig):
    """The admin console, open to administrators only."""

    default_site = "artworx.console.ArtworxAdminSite"
