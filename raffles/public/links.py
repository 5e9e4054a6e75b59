"""The "Buy on WhatsApp" link: wa.me with a message prefilled in the visitor's language that
names the raffle (`#` and its short link name or public id) and the numbers, or how many at
random. The bot reads exactly these messages (messaging/bot/flow/page_links.py); a test sends
each language's through the webhook."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from django.conf import settings
from django.utils.translation import gettext as _


def prefilled_text(
    ref: str, width: int, numbers: Sequence[int] = (), qty: int | None = None
) -> str:
    """The message for the active language. Numbers are zero-padded to the raffle's width."""
    if numbers:
        shown = ", ".join(str(n).zfill(width) for n in sorted(set(numbers)))
        return _("Hi! I want numbers %(numbers)s in raffle #%(ref)s") % {
            "numbers": shown,
            "ref": ref,
        }
    if qty:
        return _("Hi! I want %(qty)s random numbers in raffle #%(ref)s") % {"qty": qty, "ref": ref}
    return _("Hi! I want to take part in raffle #%(ref)s") % {"ref": ref}


def with_seller(text: str, code: str) -> str:
    """The message with a seller's code added ("… (seller #S-ANA)"); the bot reads it
    (messaging/bot/flow/page_links.py) and credits the buyer's next orders to that seller."""
    if not code:
        return text
    return _("%(message)s (seller #S-%(code)s)") % {"message": text, "code": code}


def templates(ref: str, seller: str = "") -> dict[str, str]:
    """The three messages with `{numbers}` / `{qty}` left for the page's script to fill,
    each carrying the seller's code when the page was opened with one (`?s=ANA`)."""
    plain = _templates(ref)
    return {key: with_seller(text, seller) for key, text in plain.items()}


def _templates(ref: str) -> dict[str, str]:
    return {
        "numbers": _("Hi! I want numbers %(numbers)s in raffle #%(ref)s")
        % {"numbers": "{numbers}", "ref": ref},
        "random": _("Hi! I want %(qty)s random numbers in raffle #%(ref)s")
        % {"qty": "{qty}", "ref": ref},
        "plain": _("Hi! I want to take part in raffle #%(ref)s") % {"ref": ref},
    }


def whatsapp_base() -> str:
    """https://wa.me/<number>, or "" when WHATSAPP_DISPLAY_NUMBER is not set."""
    number = settings.WHATSAPP_DISPLAY_NUMBER
    return f"https://wa.me/{number}" if number else ""


def whatsapp_url(text: str) -> str:
    base = whatsapp_base()
    return f"{base}?text={quote(text, safe='')}" if base else ""
