"""allauth's pages that artworx uses, each answering GET and POST only (405 otherwise).

Left out: sign-up pages stay (they say sign-up is closed), but managing email addresses and
connecting further single sign-on accounts are not offered: administrators keep the email that
single sign-on matches (artworx.signin.adapters).
"""

from allauth import urls as allauth_urls
from django.urls import URLPattern, URLResolver
from django.views.decorators.http import require_http_methods

LEFT_OUT = {
    "account_email",
    "account_confirm_email",
    "account_email_verification_sent",
    "socialaccount_connections",
}
get_or_post = require_http_methods(["GET", "POST"])


def _kept(patterns) -> list:
    kept = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = _kept(pattern.url_patterns)
            if inner:
                kept.append(
                    URLResolver(
                        pattern.pattern, inner, pattern.default_kwargs, pattern.app_name, pattern.namespace
                    )
                )
        elif pattern.name and pattern.name not in LEFT_OUT:
            # Old unnamed redirects (allauth's "DEPRECATED" block) are not kept either.
            kept.append(
                URLPattern(pattern.pattern, get_or_post(pattern.callback), pattern.default_args, pattern.name)
            )
    return kept


urlpatterns = _kept(allauth_urls.urlpatterns)
