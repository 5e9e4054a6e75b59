"""Template helpers of the portal: nav badge, money, relative times."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import dateformat, formats, timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from portal.numbers import format_decimal, format_integer
from portal.roles import Perm, user_can
from raffles.selectors import proof_queue
from raffles.statement_models import RESULT_WORDS, reason_words

register = template.Library()


@register.simple_tag
def pending_proofs() -> int:
    return proof_queue().count()


@register.filter
def can(user: Any, permission: str) -> bool:
    """{% if user|can:"payments.review" %}: does the user's role hold that permission?"""
    try:
        return user_can(user, Perm(permission))
    except ValueError:
        return False


@register.filter
def money(value: Decimal | int | float | None, currency: str = "") -> str:
    """'USD 1,500.00' (en) / 'USD 1.500,00' (es, pt-br): the active language's format."""
    text = format_decimal(Decimal(str(value or 0)))
    return f"{currency} {text}".strip()


@register.filter
def count(value: int | None) -> str:
    """A whole number grouped in the active language's format: '1,500' / '1.500'."""
    return format_integer(int(value or 0))


@register.filter
def percent(part: int | None, whole: int | None) -> int:
    if not whole:
        return 0
    return max(0, min(100, round(100 * (part or 0) / whole)))


@register.filter
def time_left(until: datetime | None) -> str:
    """'1 h 5 min', '4 min', or '' when past."""
    if until is None:
        return ""
    seconds = int((until - timezone.now()).total_seconds())
    if seconds <= 0:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes = max(1, rest // 60) if hours == 0 else rest // 60
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


@register.filter
def when(value: datetime | None, style: str = "") -> str:
    """A date and time in the active language's format (Django's DATETIME_FORMAT, or
    SHORT_DATETIME_FORMAT with "short"), in the current time zone, followed by the zone."""
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    name = "SHORT_DATETIME_FORMAT" if style == "short" else "DATETIME_FORMAT"
    return f"{formats.date_format(local, name)} {dateformat.format(local, 'T')}"


@register.filter
def get(mapping: dict[str, Any] | None, key: str) -> Any:
    return (mapping or {}).get(key, "")


@register.filter
def num(raffle: Any, number: int | None) -> str:
    """A raffle's number, zero-padded: {{ raffle|num:7 }} → '0007'."""
    if number is None or raffle is None:
        return ""
    formatted: str = raffle.format_number(int(number))
    return formatted


@register.filter
def duration(value: Any) -> str:
    """A timedelta as '3 h 12 min' / '5 min'."""
    if value is None:
        return ""
    seconds = max(0, int(value.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours:
        return f"{hours} h {minutes} min"
    return f"{max(minutes, 1)} min"


_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])")


@register.filter
def wa(text: str | None) -> str:
    """WhatsApp's formatting (*bold*, _italic_, ~strike~) on escaped text."""
    html: str = escape(text or "")
    html = _BOLD.sub(r"<b>\1</b>", html)
    html = _ITALIC.sub(r"<i>\1</i>", html)
    html = _STRIKE.sub(r"<s>\1</s>", html)
    return mark_safe(html)  # noqa: S308 - escaped above; only our own tags added


@register.filter
def statement_result(status: str) -> str:
    """An import line's result in words."""
    return str(RESULT_WORDS.get(status, status))


@register.filter
def statement_reason(code: str) -> str:
    """A statement line's flag reason in words."""
    return reason_words(code)
