"""Pages that belong to no single app: the role home page, the language switch, the installable app
and the server error page."""

import sys

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from artworx.middleware import database_unavailable, database_unavailable_response


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the language for this browser and, for a signed-in person, remember it on the account."""
    response = set_language(request)  # checks the language and the `next` address, sets the cookie
    language = request.POST.get("language")
    if language not in dict(settings.LANGUAGES):
        # Django knows more languages than artworx offers: a cookie for one of those would be ignored.
        response.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        return response
    user = request.user
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


@require_GET
@cache_control(no_cache=True)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so it may keep pages of the whole site for offline use."""
    # Browsers check it for updates on every visit (no-cache); its scope is the path it is served at.
    with open(finders.find("js/sw.js"), encoding="utf-8") as script:
        return HttpResponse(script.read(), content_type="text/javascript; charset=utf-8")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask /favicon.ico of every site whatever the page says: send them to the app's icon."""
    return HttpResponsePermanentRedirect(static("icons/icon-192.png"))


@require_GET
def web_app_manifest(request: HttpRequest) -> JsonResponse:
    """What a phone needs to put artworx on its home screen, in the reader's language."""
    manifest = {
        "name": "artworx",
        "short_name": "artworx",
        "description": _("Arts programs, attendance and credit recovery"),
        "lang": request.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#212529",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(
        manifest, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 handler: a database that stopped answering inside a middleware is a 503, not a 500."""
    # Django calls this inside its except block, so the exception is still at hand.
    if database_unavailable(sys.exc_info()[1]):
        return database_unavailable_response()
    return defaults.server_error(request)
