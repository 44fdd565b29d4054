"""Answer 503 with a plain page when the database cannot be reached, instead of a 500 with a traceback."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

# Errors that mean "the database is not answering" (a restart, a failover, a dropped connection),
# not a bug: a moment later the same request succeeds.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def database_unavailable_response() -> HttpResponse:
    """The 503 page; rendered without a request, so nothing on it needs the database."""
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection in a view into a 503 "try again in a moment" page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            # The class only: the message of a database error can quote the statement's values.
            logger.warning("Database unavailable (%s): answered 503.", exception.__class__.__name__)
            return database_unavailable_response()
        return None
