"""What the bot answers, channel-agnostic. The runner turns these into outbox rows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    body: str


@dataclass(frozen=True)
class Button:
    id: str
    title: str


@dataclass(frozen=True)
class Buttons:
    """One to three reply buttons under a body text."""

    body: str
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class List:
    """A list message: a body, a button that opens the list, up to ten rows in sections."""

    body: str
    button: str
    sections: tuple[Section, ...]

    @property
    def rows(self) -> tuple[Row, ...]:
        return tuple(row for section in self.sections for row in section.rows)


@dataclass(frozen=True)
class Picture:
    """A picture the runner renders or reads (`messaging.bot.pictures`): `what` is "board"
    (the raffle's board, the block around `around`, else the first with free numbers) or
    "prize" (the raffle's prize photo, skipped when it has none) or "pix" (a QR code of
    `text`, an order's Pix code). Always followed by a text
    reply that says the same in words."""

    what: str
    raffle_id: int
    around: int | None = None
    text: str = ""  # "pix": the code the QR image holds

    @property
    def body(self) -> str:
        return ""


@dataclass(frozen=True)
class PayLink:
    """A button that opens the order's payment link: the runner asks raffles for the link
    (made once per order) and sends `body` with it; nothing when no link can be made."""

    order_code: str
    body: str


Reply = Text | Buttons | List | Picture | PayLink


@dataclass(frozen=True)
class Greeting(Text):
    """The welcome of a first message that already asked for something: `fold` puts it in
    front of the answer that follows (one message that greets and answers)."""


def fold(replies: tuple[Reply, ...] | list[Reply]) -> tuple[Reply, ...]:
    """Each greeting joined to the reply after it (kept alone when nothing follows)."""
    from messaging.bot.flow.screens.common import lead  # screens import this module

    out: list[Reply] = []
    items = list(replies)
    i = 0
    while i < len(items):
        reply = items[i]
        if isinstance(reply, Greeting) and i + 1 < len(items):
            joined = lead(reply.body, (items[i + 1],))
            out.extend(joined)
            i += 2
            continue
        out.append(Text(reply.body) if isinstance(reply, Greeting) else reply)
        i += 1
    return tuple(out)


# WhatsApp's limits (see messaging/payloads.py, which enforces them again when queueing).
MAX_BUTTONS = 3
MAX_ROWS = 10
BUTTON_ID_MAX = 256
ROW_ID_MAX = 200
BODY_MAX = 1024  # interactive messages
TEXT_MAX = 4096
