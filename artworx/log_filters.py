"""Logging filters named in settings.LOGGING."""

import logging


class RefusalWithoutTraceback(logging.Filter):
    """A refused request (403, 404 and other 4xx) is logged as one line: its traceback is Django's
    own raise of PermissionDenied or Http404, which tells an operator nothing and floods the console."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
