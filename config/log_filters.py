"""A refused request (any 4xx) logs one line, never a traceback.

`OneLineRefusals` sits on the console handler (settings.LOGGING), so it sees every record:

- a record about a 4xx response (Django's `django.request` and `django.security.*` loggers
  carry `status_code`) loses its traceback; the exception's type and message are kept on the
  same line;
- Django's generic line for a 4xx ("Forbidden: /path") is dropped when the code that refused
  the request already logged a line of its own that says why (it calls `refusal_logged`).

5xx records keep their tracebacks.
"""

from __future__ import annotations

import logging
from typing import Any

REFUSAL_LOGGED = "refusal_logged"  # an attribute set on the request


def refusal_logged(request: Any) -> None:
    """This request's refusal has its own log line: Django's generic one is not needed."""
    setattr(request, REFUSAL_LOGGED, True)


class OneLineRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if not isinstance(status, int) or not 400 <= status < 500:
            return True
        request = getattr(record, "request", None)
        if record.name == "django.request" and getattr(request, REFUSAL_LOGGED, False):
            return False
        if record.exc_info:
            exc = record.exc_info[1]
            if exc is not None:
                record.msg = f"{record.getMessage()} ({type(exc).__name__}: {exc})"
                record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
