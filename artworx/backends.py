"""Authentication backends."""

from django.contrib.auth.backends import ModelBackend

from artworx.roles import is_administrator


class AdminConsoleBackend(ModelBackend):
    """Django's model permissions, consulted for administrators only.

    Model permissions are granted to the Administrator group alone and serve the admin console;
    every other question is answered by the rules in artworx.roles. Answering False at once for
    everyone else spares each of their pages two permission queries.
    """

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if not user_obj.is_active or not is_administrator(user_obj):
            return False
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        if not user_obj.is_active or not is_administrator(user_obj):
            return False
        return super().has_module_perms(user_obj, app_label)
