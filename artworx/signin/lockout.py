"""The login lockout: throttle the one guessing, not the person whose name they guess.

django-axes counts failed logins per (username, address) and per address (AXES_LOCKOUT_PARAMETERS,
in that order). A pair is locked after AXES_FAILURE_LIMIT failures, an address after the higher
ARTWORX_LOCKOUT_ADDRESS_LIMIT, each for AXES_COOLOFF_TIME after its last failure. Nothing is locked
by username alone: wrong passwords typed elsewhere never keep a person out at their own address.
"""

from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def attempted_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username tried, in one case, so "Ana" and "ana" share one count.

    allauth's form names the field "login"; its credentials reach axes as "username".
    """
    if credentials:
        name = credentials.get("username")
    else:
        data = getattr(request, "POST", {})
        name = data.get("login") or data.get("username")
    if not isinstance(name, str) or not name.strip():
        return None
    return name.strip().lower()[:255]


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def _lock_ends(attempts, limit: int) -> datetime | None:
    """When the failures still counted fall below `limit` (the oldest stop counting first)."""
    rows = sorted(attempts.values_list("attempt_time", "failures_since_start"))
    remaining = sum(failures for _, failures in rows)
    for attempt_time, failures in rows:
        if remaining < limit:
            break
        remaining -= failures
        if remaining < limit:
            return attempt_time + settings.AXES_COOLOFF_TIME
    return None


class PairAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per (username, address) pair and a higher one per address."""

    def _pair_and_address(self, request, credentials):
        pair, address = self.get_user_attempts(request, credentials)
        return pair, address

    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The pair's failures, or the pair limit itself once the address is over its own limit."""
        pair, address = self._pair_and_address(request, credentials)
        failures = _failures(pair)
        if _failures(address) >= settings.ARTWORX_LOCKOUT_ADDRESS_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """A successful login clears its own pair only: the address keeps counting other names."""
        pair, _address = self.filter_user_attempts(request, credentials)
        count, _ = pair.delete()
        return count

    def locked_until(self, request, credentials: dict | None = None) -> datetime | None:
        """When the lock on this request's pair or address ends (the later of the two)."""
        pair, address = self._pair_and_address(request, credentials)
        ends = [
            _lock_ends(pair, get_failure_limit(request, credentials)),
            _lock_ends(address, settings.ARTWORX_LOCKOUT_ADDRESS_LIMIT),
        ]
        ends = [end for end in ends if end is not None]
        return max(ends) if ends else None


def locked_out(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """The 429 page: signing in is paused here, until when (Los Angeles time), and what to do."""
    until = PairAndAddressHandler().locked_until(request, credentials)
    until = until or timezone.now() + settings.AXES_COOLOFF_TIME
    response = render(
        request,
        "registration/locked_out.html",
        {"until": timezone.localtime(until), "cooloff_minutes": settings.AXES_COOLOFF_TIME.seconds // 60},
        status=429,
    )
    response["Retry-After"] = str(max(1, int((until - timezone.now()).total_seconds())))
    return response
