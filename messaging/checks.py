"""System checks for what the bot sends: links buyers open must use the site's public address."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, register

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0"})  # noqa: S104 - a name to refuse


@register()
def public_base_url(app_configs: Any, **kwargs: Any) -> list[Error]:
    """With DEBUG=false, PUBLIC_BASE_URL must be a public http(s) address: the bot's draw and
    verification links are built from it (`raffles.selectors.public_draw_url`)."""
    if settings.DEBUG:
        return []
    value = settings.PUBLIC_BASE_URL or ""
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    if (
        parts.scheme in {"http", "https"}
        and host
        and host not in LOOPBACK_HOSTS
        and not host.startswith("127.")
    ):
        return []
    return [
        Error(
            f"PUBLIC_BASE_URL must be the site's public address with DEBUG=false, got {value!r}: "
            "the draw links the bot sends buyers are built from it.",
            hint="Set PUBLIC_BASE_URL=https://raffles.example.com (your domain; docs/deploy.md).",
            id="messaging.E001",
        )
    ]
