"""Project middleware."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

DRAIN_MAX_BYTES = 16 * 1024 * 1024
CHUNK = 64 * 1024


class DrainRequestBodyMiddleware:
    """Read what is left of a request body the view did not read (a 413, a 401 before the
    body was parsed) before answering, up to DRAIN_MAX_BYTES.

    A server that closes a connection with unread data in it sends a TCP reset, and a client
    that is still sending, or reads only after sending, loses the answer (it sees "connection
    reset" instead of the 413). A body larger than the bound is not read: the connection is
    closed, and such a client may see the reset."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared <= 0:
            return response
        if declared > DRAIN_MAX_BYTES:
            response["Connection"] = "close"
            return response
        try:
            while request.read(CHUNK):
                pass
        except Exception:  # the client went away: nothing to drain
            logger.debug("request body drain stopped", exc_info=True)
        return response
