"""Media ids name one Graph API object and go into the path of an authenticated request.

Meta's media ids are digits. Accepted: 1 to 128 ASCII letters, digits, '-' and '_' (the
sandbox's `sandbox-…` ids, the fake Graph API's test ids), so nothing in an id can add a path
segment (`/`, `..`), a query (`?`), a fragment (`#`), an escape (`%`) or whitespace.
"""

from __future__ import annotations

import re

from messaging.exceptions import InvalidMediaId

MEDIA_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


def check_media_id(media_id: object) -> str:
    """The id unchanged if it is safe to put in a request path; else InvalidMediaId."""
    if isinstance(media_id, str) and MEDIA_ID.fullmatch(media_id):
        return media_id
    shown = repr(media_id)[:60]
    raise InvalidMediaId(f"Not a valid WhatsApp media id: {shown}; nothing was requested")
