from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """How records end: retention policy, anonymisation, a family's copy, the end of a district contract."""

    name = "retention"
    verbose_name = _("Retention")
