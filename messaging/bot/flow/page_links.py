"""The message a raffle's public page prefills in WhatsApp ("Hi! I want numbers 0012, 0345
in raffle #moto-2026", raffles/public/links.py) read as the tap it stands for: take these
numbers of that raffle, N at random, or open the raffle. Pure: the runner passes the look-up
from a raffle's `#name` to its id.

The page (or a seller's personal link) may add a seller's code, `#S-ANA` ("(seller #S-ANA)"):
`seller_code` reads it, and it is left out when reading the rest (docs/sellers.md).

A message that names no raffle with `#`, or holds anything besides the page's words, numbers
and quantities, is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from messaging.bot.flow import buyer_text
from messaging.bot.flow.events import InboundEvent, Kind

REF = re.compile(r"#([A-Za-z0-9_-]{1,50})")
# A seller's code: `#S-` then 2 to 12 letters or digits (raffles.seller_models.CODE_PATTERN),
# in any case: buyers type it, and phones lower-case what they type.
SELLER = re.compile(r"#[Ss]-([A-Za-z0-9]{2,12})(?![A-Za-z0-9_-])")
# The page's words in en, es and pt-BR (folded), besides buyer_text's filler words.
PAGE_WORDS = frozenset({"hi", "hello", "hola", "ola", "oi", "in", "en", "na", "no", "raffle"})
PAGE_WORDS |= frozenset({"rifa", "sorteio", "of", "seller", "vendedor", "vendedora"})
JOIN_WORDS = frozenset({"to", "take", "part", "participar", "join"})


@dataclass(frozen=True)
class PageLink:
    ref: str
    numbers: tuple[int, ...] = ()
    qty: int | None = None  # at random; None with no numbers: just the raffle
    random: bool = False


def seller_code(text: str) -> str | None:
    """The seller's code a message carries ("#S-ANA" → "ANA"), or None."""
    if len(text or "") > buyer_text.MAX_TEXT:
        return None
    found = SELLER.findall(text or "")
    return found[-1].upper() if found else None


def without_seller(text: str) -> str:
    return SELLER.sub(" ", text or "")


def parse(text: str) -> PageLink | None:
    """The page's request in `text`, or None when it is not one."""
    if len(text or "") > buyer_text.MAX_TEXT:
        return None
    text = without_seller(text)
    refs = REF.findall(text or "")
    if len(refs) != 1:
        return None
    rest = [t for t in buyer_text.tokens(REF.sub(" ", text)) if t not in PAGE_WORDS]
    if all(t in JOIN_WORDS or t in buyer_text.FILLER for t in rest):
        return PageLink(refs[0])
    request = buyer_text.parse(" ".join(rest))
    if isinstance(request, buyer_text.NumbersRequest):
        return PageLink(refs[0], numbers=request.numbers)
    if isinstance(request, buyer_text.RandomRequest):
        return PageLink(refs[0], qty=request.qty, random=True)
    return None


def reply_id(link: PageLink, raffle_id: int) -> str:
    """The button id that does what the page's message asks (see buyer_text.parse_reply_id)."""
    if link.numbers:
        return f"take:{raffle_id}:{buyer_text.encode_numbers(link.numbers)}"
    if link.random and link.qty:
        return f"random:{raffle_id}:{link.qty}"
    if link.random:
        return f"qty:{raffle_id}"
    return f"raffle:{raffle_id}"


def read(
    event: InboundEvent,
    raffle_id_for: Callable[[str], int | None],
    current_raffle: int | None = None,
) -> InboundEvent:
    """A text from the public page as the tap it stands for; any other event as it is. A
    `#name` no raffle has keeps only the request, so the bot asks which raffle. A seller's
    code is left out; a message with nothing else opens the raffle the conversation is
    about (`current_raffle`), else the menu."""
    if event.kind != Kind.TEXT:
        return event
    link = parse(event.text)
    if link is None:
        if not SELLER.search(event.text or ""):
            return event
        rest = without_seller(event.text).strip()
        if not buyer_text.is_blank(rest):
            return InboundEvent.text_message(rest)
        if current_raffle is not None:
            return InboundEvent(
                Kind.BUTTON, text=event.text, reply_id=f"raffle:{current_raffle}", type="text"
            )
        return InboundEvent.text_message("menu")
    raffle_id = raffle_id_for(link.ref)
    if raffle_id is None:
        return InboundEvent.text_message(REF.sub(" ", event.text))
    return InboundEvent(
        Kind.BUTTON, text=event.text, reply_id=reply_id(link, raffle_id), type="text"
    )
