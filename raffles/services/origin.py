"""Where a person's action came from (address and browser), for the audit log.

The web layer sets it once per request (`portal.middleware.RequestOriginMiddleware`); the
audit builder reads it for staff and API actions, so no service or call site passes it on.
Tasks, the bot and the command line have no origin.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

USER_AGENT_MAX = 300


@dataclass(frozen=True)
class Origin:
    ip: str
    user_agent: str = ""

    def as_details(self) -> dict[str, str]:
        return {"ip": self.ip, "user_agent": self.user_agent[:USER_AGENT_MAX]}


_current: ContextVar[Origin | None] = ContextVar("audit_origin", default=None)


def current_origin() -> Origin | None:
    return _current.get()


@contextmanager
def acting_from(origin: Origin | None) -> Iterator[None]:
    """Everything audited inside the block (by staff or an API key) came from `origin`."""
    token = _current.set(origin)
    try:
        yield
    finally:
        _current.reset(token)
