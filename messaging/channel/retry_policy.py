"""What the outbox retries, for how long, and what it stops trying.

- A transient error (HTTP 429 and 5xx, network errors, Meta's throttling and "try again"
  codes) is retried with capped exponential backoff (see `sending.backoff_delay`) for
  `WHATSAPP_SEND_RETRY_HOURS` (24) from when the row was queued or re-sent by staff, and at
  most `WHATSAPP_MAX_SEND_ATTEMPTS` times when that is set (0: no count limit). Then the row
  is failed; staff can re-send it (messaging.channel.resend).
- A read receipt (with its typing indicator) older than a minute is dropped: it means
  nothing to the buyer any more.
- A free-form message (anything but a template) cannot be sent once the contact's 24-hour
  customer-service window has closed while it waited: a notification falls back to its own
  template when approved (`template_fallback`, see messaging.channel.templates), else to the
  generic template (WHATSAPP_TEMPLATE_NAME); anything else is undeliverable, with the reason.

Every judgement reads the outbox's clock (messaging.channel.clock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from messaging.channel import payloads, templates
from messaging.models import OutboundMessage

Kind = OutboundMessage.Kind
S = OutboundMessage.Status

READ_RECEIPT_MAX_AGE = timedelta(minutes=1)
FREE_FORM_KINDS = frozenset(
    {Kind.TEXT, Kind.BUTTONS, Kind.LINK, Kind.LIST, Kind.IMAGE, Kind.DOCUMENT}
)


@dataclass(frozen=True)
class Stop:
    """Finish the row without sending it."""

    status: str
    reason: str


@dataclass(frozen=True)
class Rewrite:
    """Send the row as this instead (a notification's template fallback)."""

    kind: str
    payload: dict[str, Any]


def retry_period() -> timedelta:
    return timedelta(hours=float(getattr(settings, "WHATSAPP_SEND_RETRY_HOURS", 24)))


def max_attempts() -> int:
    """0: no limit on the count, only on the time (retry_period)."""
    return int(getattr(settings, "WHATSAPP_MAX_SEND_ATTEMPTS", 0))


def _window_closed(row: OutboundMessage, now: datetime) -> bool:
    """The window was open when the row was queued and has closed while it waited. (A row
    queued when the window was already closed is Meta's to judge: it answers 131047.)"""
    closes = row.contact.window_closes_at
    return closes is not None and row.created_at < closes <= now


def _window_shut(row: OutboundMessage, now: datetime) -> bool:
    """The window is not open now (a notification with its own template is sent as that
    template, also when staff re-send it after the template was approved)."""
    closes = row.contact.window_closes_at
    return closes is None or closes <= now


def before_attempt(row: OutboundMessage, now: datetime) -> Stop | Rewrite | None:
    """Whether the row still makes sense to send now, and as what."""
    limit = max_attempts()
    if limit and row.attempts > limit:
        return Stop(
            S.FAILED,
            _("Gave up after %(n)d attempts. %(error)s") % {"n": limit, "error": row.last_error},
        )
    if row.kind == Kind.READ:
        if now - row.created_at > READ_RECEIPT_MAX_AGE:
            return Stop(
                S.DROPPED,
                _("Read receipt older than a minute: dropped, not retried. %(error)s")
                % {"error": row.last_error},
            )
        return None
    if row.kind not in FREE_FORM_KINDS:
        return None
    if row.notification and row.template_fallback and _window_shut(row, now):
        name, language = templates.template_of(row.template_fallback)
        if templates.is_approved(name, language):
            return Rewrite(Kind.TEMPLATE, row.template_fallback)
        return Stop(S.UNDELIVERABLE, templates.not_approved_reason(name, language))
    if not _window_closed(row, now):
        return None
    template = settings.WHATSAPP_TEMPLATE_NAME
    text = _text_of(row)
    if row.notification and template and text:
        return Rewrite(
            Kind.TEMPLATE,
            payloads.template(row.to, template, settings.WHATSAPP_TEMPLATE_LANGUAGE, [text]),
        )
    if row.notification and not template:
        from messaging.channel.outbox import NO_TEMPLATE_ERROR

        return Stop(S.UNDELIVERABLE, NO_TEMPLATE_ERROR)
    return Stop(
        S.UNDELIVERABLE,
        _(
            "The 24-hour customer-service window closed before this message could be sent: "
            "not sent. %(error)s"
        )
        % {"error": row.last_error},
    )


def give_up_reason(row: OutboundMessage, now: datetime, error: str) -> str | None:
    """After a transient error: the reason to stop retrying, or None to try again later."""
    limit = max_attempts()
    if limit and row.attempts >= limit:
        return _("Gave up after %(n)d attempts: %(error)s") % {"n": limit, "error": error}
    started = row.resent_at or row.created_at
    if now - started >= retry_period():
        return _("Gave up after retrying for %(hours)s hours (%(n)d attempts): %(error)s") % {
            "hours": f"{retry_period().total_seconds() / 3600:g}",
            "n": row.attempts,
            "error": error,
        }
    return None


def _text_of(row: OutboundMessage) -> str:
    payload = row.payload if isinstance(row.payload, dict) else {}
    if row.kind in (Kind.BUTTONS, Kind.LINK):
        body = (payload.get("interactive") or {}).get("body") or {}
        return str(body.get("text", "")) if isinstance(body, dict) else ""
    if row.kind != Kind.TEXT:
        return ""
    text = payload.get("text")
    return str(text.get("body", "")) if isinstance(text, dict) else ""
