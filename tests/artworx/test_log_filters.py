"""A refused request is one line in the log; a server error keeps its traceback."""

import logging

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import log_response

from artworx.log_filters import RefusalWithoutTraceback


class Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(RefusalWithoutTraceback())
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def logged(status: int) -> str:
    handler = Kept()
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        try:
            raise PermissionDenied
        except PermissionDenied as error:
            response = HttpResponse(status=status)
            log_response(
                "Refused: %s", "/x/", response=response, request=RequestFactory().get("/x/"), exception=error
            )
    finally:
        logger.removeHandler(handler)
    return "\n".join(handler.lines)


def test_a_403_is_logged_in_one_line_without_a_traceback():
    assert logged(403) == "Refused: /x/"


def test_a_500_keeps_its_traceback():
    assert "Traceback" in logged(500)
