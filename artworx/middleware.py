"""Request middleware of artworx: each signed-in person reads the app in their own language."""

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


class UserLanguageMiddleware:
    """Activate the signed-in user's saved language unless this browser chose one with the switch.

    Runs after LocaleMiddleware (cookie, then Accept-Language) and AuthenticationMiddleware. A phone
    that never used the switch still reads the language saved on the account, whatever the phone's
    own language; the switch saves the choice on the account and in the cookie (`language_set`).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) in self.languages
        if not chosen and user is not None and user.is_authenticated and user.language in self.languages:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
