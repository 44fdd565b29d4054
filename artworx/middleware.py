"""Request middleware of artworx: each person reads the app in their own language, no page or download is
kept by the browser, and a database that stops answering gets a plain 503 page instead of a 500 with a
traceback."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control

from artworx.cache import person_forget
from artworx.roles import keep_group_names

logger = logging.getLogger(__name__)


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


class RolesMiddleware:
    """Read the signed-in user's roles from the cache (artworx.roles.keep_group_names) before the view:
    the permission rules, the scopes and the top bar then ask the database nothing about them. After a
    request that may have changed something (any method but GET and HEAD), the top bar's values kept
    for the person (their bell) are let go, so the page they land on counts afresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            keep_group_names(user)
        response = self.get_response(request)
        if signed_in and request.method not in ("GET", "HEAD"):
            person_forget(user)
        return response


class NoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of any page or download (`Cache-Control: no-store`).

    Staff share classroom computers: a student's page left in the browser's cache would open again
    for the next person from the history or the back button, signed out or not. Static files are
    served by WhiteNoise before this runs (it sits below WhiteNoise in MIDDLEWARE) and keep their long
    cache; a response that sets its own Cache-Control (the service worker's `no-cache`) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True)
            response.setdefault("Pragma", "no-cache")  # for HTTP/1.0 proxies
        return response


def database_unavailable(exception: BaseException | None) -> bool:
    """Whether an error means "the database is not answering" (a restart, a failover, a dropped
    connection), not a bug: a moment later the same request succeeds. Django's errors, or the driver's
    own where one escapes Django's wrapping (closing the server-side cursor of a streamed download on a
    connection the server dropped raises psycopg2's)."""
    driver = connection.Database
    unavailable = (OperationalError, InterfaceError, driver.OperationalError, driver.InterfaceError)
    return isinstance(exception, unavailable)


# PostgreSQL's "lock_not_available": a row lock waited past `lock_timeout` (config/settings.py).
LOCK_NOT_AVAILABLE = "55P03"


def database_unavailable_response(*, busy: bool = False) -> HttpResponse:
    """The 503 page; rendered without a request, so nothing on it needs the database."""
    response = HttpResponse(render_to_string("503.html", {"busy": busy}), status=503)
    response["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection in a view into a 503 "try again in a moment" page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            busy = getattr(exception.__cause__ or exception, "pgcode", None) == LOCK_NOT_AVAILABLE
            # The class only: the message of a database error can quote the statement's values.
            logger.warning(
                "Database %s (%s): answered 503.",
                "lock timed out" if busy else "unavailable",
                exception.__class__.__name__,
            )
            return database_unavailable_response(busy=busy)
        return None
