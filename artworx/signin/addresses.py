"""The client's address, as the lockout and the rate limits count it."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """REMOTE_ADDR, or behind ARTWORX_TRUSTED_PROXIES proxies the address the outermost one saw.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so the
    N-th entry from the right is the one the outermost trusted proxy wrote; anything to its left was
    written by the client and is never read. A header shorter than N entries (the request skipped a
    proxy) gives its leftmost entry, which a trusted proxy wrote too. An address that does not parse
    falls back to REMOTE_ADDR, so no header can make the request fail.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 - a key, never bound
    proxies = settings.ARTWORX_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    entries = [entry for entry in forwarded.split(",") if entry.strip()]
    if not entries:
        return remote
    chosen = entries[-proxies] if len(entries) >= proxies else entries[0]
    return _valid(chosen) or remote
