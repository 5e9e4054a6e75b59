"""Understanding typed text: commands, numbers, ranges and "random N", in English, Spanish and
Portuguese.

Pure and forgiving about form, strict about meaning: case, accents, punctuation and emojis do
not matter ("Menú!!" is "menu"), but a text is read as numbers only when it holds nothing but
numbers, ranges and a few filler words, so "I paid 500 at 3pm" never reserves 500 and 3.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from messaging.bot.flow.vocabulary import (
    COMMANDS,
    COUPON_WORDS,
    FILLER,
    GREETINGS,
    LANGUAGE_CODES,
    LANGUAGE_COMMANDS,
    NUMBER_WORDS,
    QTY_WORDS,
    RANDOM_WORDS,
    RANGE_WORDS,
    SEPARATOR_WORDS,
    Command,
)

MAX_TEXT = 600  # longer texts are not read as commands or numbers
MAX_REQUESTED = 1000  # a range that expands past this is refused before it is built
# The vocabulary is re-exported: callers read `buyer_text.Command`, `buyer_text.COMMANDS`...
__all__ = [
    "COMMANDS",
    "FILLER",
    "GREETINGS",
    "LANGUAGE_CODES",
    "LANGUAGE_COMMANDS",
    "NUMBER_WORDS",
    "QTY_WORDS",
    "RANDOM_WORDS",
    "RANGE_WORDS",
    "SEPARATOR_WORDS",
    "Command",
]


_TOKEN = re.compile(r"\d+|[a-z]+|-")
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−~"), "-")


def fold(text: str) -> str:
    """Lower case, no accents ("Menú" → "menu", "Español" → "espanol"), dashes unified."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return plain.casefold().translate(_DASHES)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def words(text: str) -> str:
    """The text as plain words, for matching commands: "¡Mis Números! 🎟" → "mis numeros"."""
    return " ".join(t for t in tokens(text) if t != "-")


def is_blank(text: str) -> bool:
    """Nothing readable: empty, spaces, or only emojis and punctuation."""
    return not any(ch.isalnum() for ch in text or "")


# --- What a text asks for ------------------------------------------------------------------


@dataclass(frozen=True)
class NumbersRequest:
    numbers: tuple[int, ...]  # in the order typed, duplicates kept (to tell the buyer)
    # A range was read ("10-15"): it may also mean two numbers, so the buyer confirms.
    ranged: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class RandomRequest:
    qty: int | None  # None: "random" without a quantity


@dataclass(frozen=True)
class QuantityOrNumber:
    """ "3 tickets": three random numbers, or number 3? The bot asks."""

    value: int


@dataclass(frozen=True)
class TooMany:
    count: int


@dataclass(frozen=True)
class CouponRequest:
    """ "coupon SAVE10": apply that code to the order waiting for payment."""

    code: str  # upper case


Request = Command | NumbersRequest | RandomRequest | QuantityOrNumber | TooMany | CouponRequest

_COUPON = re.compile(r"^\W*([a-z]+)\W*\s*[:\s]\s*([a-z0-9]{1,32})\W*$")


def _coupon(text: str) -> CouponRequest | None:
    found = _COUPON.match(fold(text).strip())
    if found is None or found.group(1) not in COUPON_WORDS:
        return None
    return CouponRequest(found.group(2).upper())


def parse(text: str) -> Request | None:
    """What a typed text asks for, or None when it is not understood."""
    if len(text or "") > MAX_TEXT:
        return None
    phrase = words(text)
    if phrase in COMMANDS:
        return COMMANDS[phrase]
    coupon = _coupon(text)
    if coupon is not None:
        return coupon
    toks = tokens(text)
    if not toks:
        return None
    if toks[0] in GREETINGS and not any(t.isdigit() for t in toks):
        return Command.MENU  # "hola buenas tardes", "hi there"
    if any(t in RANDOM_WORDS for t in toks):
        return _random(toks)
    if len(toks) == 2 and toks[0].isdigit() and toks[1] in QTY_WORDS:
        return QuantityOrNumber(int(toks[0]))
    return _numbers(toks)


def _quantity(tok: str) -> int | None:
    if tok.isdigit():
        return int(tok)
    return NUMBER_WORDS.get(tok)


def _random(toks: list[str]) -> RandomRequest | None:
    rest = [t for t in toks if t not in RANDOM_WORDS and t not in FILLER and t not in QTY_WORDS]
    if not rest:
        return RandomRequest(None)
    if len(rest) == 1:
        qty = _quantity(rest[0])
        if qty is not None:
            return RandomRequest(min(qty, 10**6))
    return None


def _numbers(toks: list[str]) -> NumbersRequest | TooMany | None:
    """Numbers, ranges ("10-15", "10 a 15", "del 10 al 15") and separators, nothing else."""
    out: list[int] = []
    pending_range = False
    ranged = False
    count = 0
    for tok in toks:
        if tok.isdigit():
            if len(tok) > 9:
                return None
            value = int(tok)
            if pending_range:
                if not out:
                    return None
                start = out.pop()
                low, high = min(start, value), max(start, value)
                count += high - low
                if count > MAX_REQUESTED:
                    return TooMany(count)
                out.extend(range(low, high + 1))
                pending_range = False
                ranged = True
            else:
                count += 1
                if count > MAX_REQUESTED:
                    return TooMany(count)
                out.append(value)
        elif tok == "-" or (tok in RANGE_WORDS and out and not pending_range):
            if not out or pending_range:
                return None
            pending_range = True
        elif tok in FILLER:
            continue
        else:
            return None
    if not out or pending_range:
        return None
    return NumbersRequest(tuple(out), ranged=ranged)


def duplicates(numbers: Iterable[int]) -> list[int]:
    seen: set[int] = set()
    dup: set[int] = set()
    for n in numbers:
        (dup if n in seen else seen).add(n)
    return sorted(dup)


# --- Button and list-row ids -----------------------------------------------------------------
# Each id says what it means on its own ("raffle:12", "confirm:ABC123"), so a tap on a button
# of an old message still does what it said, or the bot explains why it no longer can.


def encode_numbers(numbers: Iterable[int]) -> str:
    """[5, 10, 11, 12] → "5.10-12" (compact, for ids with a length limit)."""
    parts: list[str] = []
    ordered = sorted(set(numbers))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ".".join(parts)


def decode_numbers(text: str) -> tuple[int, ...] | None:
    out: list[int] = []
    for part in text.split("."):
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            return None
        a, b = int(low), int(high or low)
        if b < a or len(out) + (b - a) > MAX_REQUESTED:
            return None
        out.extend(range(a, b + 1))
    return tuple(out) if out else None


@dataclass(frozen=True)
class ReplyAction:
    verb: str
    raffle_id: int | None = None
    code: str = ""
    value: int | None = None
    numbers: tuple[int, ...] = ()


SIMPLE_IDS = {
    "menu": Command.MENU,
    "help": Command.HELP,
    "back": Command.BACK,
    "tickets": Command.TICKETS,
    "agent": Command.AGENT,
    "results": Command.RESULTS,
    "raffles": Command.RAFFLES,
    "lang:en": Command.ENGLISH,
    "lang:es": Command.SPANISH,
    "lang:pt": Command.PORTUGUESE,
}


def encode_request(numbers: tuple[int, ...] | list[int], qty: int) -> str:
    """What a *Change* or *Add another order* button reserves: numbers, or "r3" at random."""
    return encode_numbers(numbers) if numbers else f"r{qty}"


def _request_action(verb: str, code: str, raffle_id: int, what: str) -> ReplyAction | None:
    if what.startswith("r") and what[1:].isdigit():
        return ReplyAction(verb, raffle_id=raffle_id, code=code, value=int(what[1:]))
    numbers = decode_numbers(what)
    if numbers is None:
        return None
    return ReplyAction(verb, raffle_id=raffle_id, code=code, numbers=numbers)


def parse_reply_id(reply_id: str) -> Command | ReplyAction | None:
    """Read a button or list-row id made by `screens`. None: not one of ours."""
    reply_id = (reply_id or "").strip()
    if reply_id in SIMPLE_IDS:
        return SIMPLE_IDS[reply_id]
    verb, _, rest = reply_id.partition(":")
    args = rest.split(":") if rest else []
    try:
        if verb == "page" and len(args) == 1:
            return ReplyAction("page", value=max(1, int(args[0])))
        if verb in {"raffle", "pick", "qty"} and len(args) == 1:
            return ReplyAction(verb, raffle_id=int(args[0]))
        if verb == "random" and len(args) == 2:
            return ReplyAction("random", raffle_id=int(args[0]), value=int(args[1]))
        if verb == "take" and len(args) == 2:
            numbers = decode_numbers(args[1])
            if numbers is None:
                return None
            return ReplyAction("take", raffle_id=int(args[0]), numbers=numbers)
        if verb in {"confirm", "cancel", "pay", "keep"} and len(args) == 1 and args[0]:
            return ReplyAction(verb, code=args[0][:12])
        if verb == "change" and len(args) == 3 and args[0]:
            return _request_action("change", args[0][:12], int(args[1]), args[2])
        if verb == "add" and len(args) in (2, 3):
            # The third part names the newest hold the button was shown beside.
            beside = args[2][:12] if len(args) == 3 else ""
            return _request_action("add", beside, int(args[0]), args[1])
    except ValueError:
        return None
    return None
