"""What every screen shares: formatting, buttons, the menu buttons, help, and the answers to
input the bot cannot read.

Every text the bot and the notifications send, built as channel-agnostic replies.

Pure: no database. Texts go through gettext, so the caller picks the language with
`translation.override(...)`. Button and row ids say what they mean on their own (see
`buyer_text.parse_reply_id`), so a tap on an old message still does the right thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from messaging.bot.flow import buyer_text
from messaging.bot.flow.replies import (
    BODY_MAX,
    BUTTON_ID_MAX,
    Button,
    Buttons,
    List,
    Reply,
)
from messaging.bot.flow.replies import Text as TextReply
from messaging.bot.flow.snapshots import RaffleView

PAGE_SIZE = 9  # when raffles do not fit in one list, nine rows and a "More…" row

MAX_SHOWN_NUMBERS = 60

QUICK_QUANTITIES = (1, 2, 3, 5, 10)

Replies = tuple[Reply, ...]


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def zone(value: datetime) -> str:
    """The zone of a local time, as buyers read it: its abbreviation ("UTC", "CET"), else its
    offset from UTC ("UTC-4", "UTC+5:30") where the zone has no abbreviation."""
    name = value.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = value.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "UTC"


# Day, month and time as each language writes them (Spanish and Portuguese months in lower case).
DATE_FORMATS = {"en": "j M Y, H:i", "es": "j b Y, H:i", "pt": "j b Y, H:i"}


def when(value: datetime) -> str:
    """A date and time in settings.TIME_ZONE with the zone, in the active language:
    "5 Dec 2025, 18:30 UTC", "5 dic 2025, 18:30 UTC-4"."""
    local = timezone.localtime(value)
    pattern = DATE_FORMATS.get((get_language() or "en")[:2], DATE_FORMATS["en"])
    return f"{formats.date_format(local, pattern)} {zone(local)}"


def clock(value: datetime) -> str:
    """A time of day in settings.TIME_ZONE with the zone: "18:30 UTC-4"."""
    local = timezone.localtime(value)
    return f"{formats.time_format(local, 'H:i')} {zone(local)}"


def minutes_left(until: datetime, now: datetime) -> int:
    return max(0, -int(-(until - now).total_seconds() // 60))


def number_list(numbers: Sequence[str]) -> str:
    shown = ", ".join(numbers[:MAX_SHOWN_NUMBERS])
    if len(numbers) > MAX_SHOWN_NUMBERS:
        more = len(numbers) - MAX_SHOWN_NUMBERS
        shown += " " + ngettext("and %(n)d more", "and %(n)d more", more) % {"n": more}
    return shown


def fmt_numbers(raffle: RaffleView | None, numbers: Sequence[int]) -> str:
    if raffle is None:
        return number_list([str(n) for n in numbers])
    return number_list([raffle.fmt(n) for n in numbers])


def snippet(text: str, limit: int = 40) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def other_language_hint() -> str:
    """Always written in the other language, so a buyer who cannot read this one finds it."""
    if (get_language() or "en").startswith(("es", "pt")):
        return "Type *english* for English."
    return "Escribe *español* para leer en español. Escreva *português* para português."


def take_id(raffle_id: int, numbers: Sequence[int]) -> str | None:
    """The id of a button that reserves these numbers, or None when it would be too long."""
    value = f"take:{raffle_id}:{buyer_text.encode_numbers(numbers)}"
    return value if len(value) <= BUTTON_ID_MAX else None


def reserve_id(
    raffle_id: int,
    numbers: Sequence[int] = (),
    qty: int = 0,
    *,
    change: str = "",
    add: bool = False,
    beside: str = "",
) -> str | None:
    """The id of a button that reserves numbers (or `qty` at random): plain, replacing the
    order `change`, or as another order (`add`) next to the hold `beside` (so that a second
    tap is known as one). None when it would be too long."""
    what = buyer_text.encode_request(list(numbers), qty)
    if change:
        value = f"change:{change}:{raffle_id}:{what}"
    elif add:
        value = f"add:{raffle_id}:{what}" + (f":{beside}" if beside else "")
    elif numbers:
        value = f"take:{raffle_id}:{what}"
    else:
        value = f"random:{raffle_id}:{qty}"
    return value if len(value) <= BUTTON_ID_MAX else None


def buttons(body: str, *items: Button | None) -> Replies:
    """A buttons message; a body too long for one goes first as a plain text."""
    chosen = tuple(b for b in items if b is not None)[:3]
    if not chosen:
        return (TextReply(body),)
    if len(body) <= BODY_MAX:
        return (Buttons(body, chosen),)
    return (TextReply(body), Buttons(_("What would you like to do?"), chosen))


def lead(text: str, replies: Replies) -> Replies:
    """Put `text` in front of the first reply's body (one message instead of two)."""
    if not text:
        return replies
    first, *rest = replies
    joined = f"{text}\n\n{first.body}"
    if isinstance(first, Buttons):
        return (*buttons(joined, *first.buttons), *rest)
    if isinstance(first, List) and len(joined) <= BODY_MAX:
        return (List(joined, first.button, first.sections), *rest)
    if isinstance(first, TextReply):
        return (TextReply(joined), *rest)
    return (TextReply(text), *replies)


def b_raffles() -> Button:
    return Button("raffles", _("Raffles"))


def b_tickets() -> Button:
    return Button("tickets", _("My tickets"))


def b_help() -> Button:
    return Button("help", _("Help"))


def b_menu() -> Button:
    return Button("menu", _("Menu"))


def b_agent() -> Button:
    return Button("agent", _("Talk to a person"))


def b_back() -> Button:
    return Button("back", _("Back"))


def menu_buttons(body: str) -> Replies:
    return buttons(body, b_raffles(), b_tickets(), b_help())


def help_text(state: str) -> Replies:
    step = {
        "browsing": _("Pick a raffle from the list."),
        "raffle": _("Send the numbers you want, like *5, 12* or *10-15*, or *random 3*."),
        "confirm": _(
            "Tap *Confirm* to get the payment details, or *Cancel* to release the numbers."
        ),
        "payment": _("Pay, then send a photo or a PDF of the receipt here."),
        "review": _("We are checking your payment; we'll message you here."),
    }.get(state, _("Tap *Raffles* to buy numbers."))
    commands = _(
        "You can type at any time:\n"
        "*menu* — main menu\n"
        "*raffles* — raffles on sale\n"
        "*my tickets* — your numbers and orders\n"
        "*back* — previous step\n"
        "*cancel* — cancel the order in progress\n"
        "*pay* — how to pay\n"
        "*results* — draw results\n"
        "*agent* — talk to a person"
    )
    return buttons(
        f"{step}\n\n{commands}\n\n{other_language_hint()}", b_raffles(), b_tickets(), b_agent()
    )


def language_said() -> str:
    return _("OK, I'll write in English from now on.")


def language_set() -> Replies:
    return menu_buttons(language_said())


def unknown(text: str) -> str:
    return _("Sorry, I didn't understand “%(text)s”.") % {"text": snippet(text)}


def blank(text: str) -> str:
    return "😊" if text.strip() else _("I got an empty message.")


def too_long() -> str:
    return _(
        "That is a long message! I am a bot and only understand short answers. "
        "To talk to a person, type *agent*."
    )


def stale_button() -> str:
    return _("That button is from an old message and doesn't work any more.")


def other_kind(kind: str) -> str:
    texts = {
        "audio": _("🎧 I can't listen to audio messages. Please type instead."),
        "voice": _("🎧 I can't listen to audio messages. Please type instead."),
        "video": _("🎬 I can't use videos. To send a payment receipt, send a photo or a PDF."),
        "sticker": _("😄 Nice sticker!"),
        "reaction": _("👍 Thanks!"),
        "location": _("📍 Thanks, but I don't need a location."),
        "contacts": _("👤 I can't use shared contacts."),
    }
    return texts.get(kind, _("I can't read this kind of message."))
