from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    """Families in the loop: text messages and email to guardians, in their language, with consent."""

    name = "families"
    verbose_name = _("Family messages")

    def ready(self) -> None:
        # The outbox sends texts through this app's sender (notifications.channels).
        from families.delivery import message_send
        from notifications.channels import register_text_sender

        register_text_sender(message_send)
