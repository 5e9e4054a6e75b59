"""How a raffle is drawn, chosen before it opens: the method (`hmac-sha256-rejection-v1` or
`lottery-digits-v1`), the lottery fallback, the prizes and their descriptions; the official
lottery results staff enter; and the one function that computes any draw record's winners.

The method and fallback are fixed once the raffle is activated: they are published on its
public page from the start. Prize descriptions may change until the draw.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.translation import gettext as _

from raffles import draw_lottery, draw_method
from raffles.audit import EventKind
from raffles.draw_models import DrawRecord
from raffles.exceptions import AlreadyDrawn, InvalidInput, InvalidRaffleState
from raffles.models import Draw, Raffle
from raffles.services.actors import ActorLike
from raffles.services.events import log_event

METHODS = (draw_method.METHOD, draw_lottery.METHOD)
MAX_PRIZE_NAMES = 50
MAX_PRIZE_NAME = 120
MAX_SOURCE = 120
MAX_URL = 300


def clean_method(method: Any, fallback: Any) -> tuple[str, str]:
    """A known method and, for the lottery method, a known fallback ("" for the other)."""
    method = str(method or draw_method.METHOD)
    if method not in METHODS:
        raise InvalidInput(_("Unknown draw method %(method)s") % {"method": method}, field="method")
    if method != draw_lottery.METHOD:
        return method, ""
    fallback = str(fallback or draw_lottery.NEXT_PRIZE)
    if fallback not in draw_lottery.FALLBACKS:
        raise InvalidInput(
            _("Choose what happens when the lottery number was not sold"), field="fallback"
        )
    return method, fallback


def clean_prize_names(names: Any) -> list[str]:
    """Prize descriptions in prize order (first prize first): trimmed, none empty."""
    if names is None:
        return []
    if isinstance(names, str):
        names = names.splitlines()
    cleaned = [str(name).strip() for name in names if str(name).strip()]
    if len(cleaned) > MAX_PRIZE_NAMES or any(len(n) > MAX_PRIZE_NAME for n in cleaned):
        raise InvalidInput(
            _("At most %(count)s prizes, each described in at most %(length)s characters")
            % {"count": MAX_PRIZE_NAMES, "length": MAX_PRIZE_NAME},
            field="prize_names",
        )
    return cleaned


def new_record_fields(method: str, fallback: str) -> dict[str, str]:
    """A fresh record's method fields: a secret seed and its commitment for the HMAC method,
    the fallback for the lottery method."""
    if method == draw_lottery.METHOD:
        return {"method": method, "fallback": fallback, "seed": "", "commitment": ""}
    seed = draw_method.new_seed()
    return {
        "method": method,
        "fallback": "",
        "seed": seed,
        "commitment": draw_method.commitment_for(seed),
    }


def set_draw_setup(
    raffle: Raffle,
    *,
    method: str | None = None,
    fallback: str | None = None,
    prize_names: Any = None,
    by: ActorLike = None,
) -> Draw:
    """Choose the draw method and fallback (while the raffle is a draft) and the prizes'
    descriptions (until the draw). `None` keeps what was there."""
    with transaction.atomic():
        fresh = Raffle.objects.get(pk=raffle.pk)
        draw = Draw.objects.select_for_update().filter(raffle_id=fresh.pk).first()
        if draw is not None and draw.is_drawn:
            raise AlreadyDrawn(draw.external_value, draw.prizes or 0)
        changes: dict[str, Any] = {}
        if method is not None or fallback is not None:
            current = (draw.method, draw.fallback) if draw else (draw_method.METHOD, "")
            wanted = clean_method(
                method if method is not None else current[0],
                fallback if fallback is not None else current[1],
            )
            if wanted != current or draw is None:
                if fresh.status != Raffle.Status.DRAFT and (draw is not None or wanted != current):
                    raise InvalidRaffleState("change the draw method of", fresh.status)
                changes.update(new_record_fields(*wanted))
        if prize_names is not None:
            changes["prize_names"] = clean_prize_names(prize_names)
        if draw is None:
            fields = new_record_fields(draw_method.METHOD, "")
            fields.update(changes)
            draw = Draw.objects.create(raffle=fresh, **fields)
        elif changes:
            for name, value in changes.items():
                setattr(draw, name, value)
            draw.save(update_fields=list(changes))
        if changes:
            log_event(
                kind=EventKind.DRAW_SETUP_CHANGED,
                by=by,
                raffle=fresh,
                method=draw.method,
                fallback=draw.fallback,
                commitment=draw.commitment,
                prize_names=list(draw.prize_names),
            )
    return draw


# --- Lottery results ------------------------------------------------------------------------


@dataclass(frozen=True)
class LotteryResult:
    numbers: tuple[str, ...]  # prize numbers, 1st first
    source: str
    url: str
    date: dt.date

    def as_json(self) -> dict[str, Any]:
        return {
            "numbers": list(self.numbers),
            "source": self.source,
            "url": self.url,
            "date": self.date.isoformat(),
        }


def _one_line(value: Any, limit: int, field: str, label: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text or len(text) > limit or any(not ch.isprintable() for ch in text):
        raise InvalidInput(
            _("%(label)s: one line of at most %(limit)s characters")
            % {"label": label, "limit": limit},
            field=field,
        )
    return text


def clean_lottery_result(value: Any, width: int) -> LotteryResult:
    """An official result as staff enter it: prize numbers (digits, at least the raffle's
    digits each), the source's name and http(s) address, and the lottery's draw date."""
    if not isinstance(value, dict):
        raise InvalidInput(
            _("Enter the official lottery result"),
            field="lottery_numbers",
            conflicts_with=["method"],
        )
    raw = value.get("numbers")
    if isinstance(raw, str):
        raw = raw.replace(",", " ").split()
    numbers = tuple(str(n).strip() for n in raw or [])
    if not 1 <= len(numbers) <= draw_lottery.MAX_PRIZES_PER_RESULT or not all(
        n.isascii() and n.isdigit() and width <= len(n) <= draw_lottery.MAX_DIGITS for n in numbers
    ):
        raise InvalidInput(
            _(
                "Enter the lottery's prize numbers in order (1st, 2nd, …), digits only, each"
                " with at least %(width)s digits"
            )
            % {"width": width},
            field="lottery_numbers",
            conflicts_with=["max_number"],
        )
    source = _one_line(value.get("source"), MAX_SOURCE, "lottery_source", _("Source"))
    url = _one_line(value.get("url"), MAX_URL, "lottery_url", _("Source address"))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidInput(_("The source address must start with https://"), field="lottery_url")
    date = value.get("date")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date.strip())
        except ValueError:
            date = None
    if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
        raise InvalidInput(_("Enter the lottery's draw date"), field="lottery_date")
    return LotteryResult(numbers, source, url, date)


def result_numbers(record: DrawRecord) -> list[list[str]]:
    return [list(item["numbers"]) for item in record.lottery_results or []]


@dataclass(frozen=True)
class Computed:
    winners: list[str]
    complete: bool
    steps: tuple[draw_lottery.Step, ...] = ()


def compute_winners(record: DrawRecord, prizes: int) -> Computed:
    """The winners of a frozen record from its public inputs, by its method. Raises
    ValueError on inputs the method cannot use (an unknown method)."""
    if record.method == draw_method.METHOD:
        winners = draw_method.pick_winners(
            record.seed, record.external_value, record.entries, prizes
        )
        return Computed(winners, True)
    if record.method == draw_lottery.METHOD:
        outcome = draw_lottery.pick_winners(
            result_numbers(record), record.entries, prizes, record.fallback
        )
        return Computed(list(outcome.winners), outcome.complete, outcome.steps)
    raise ValueError(f"unknown draw method {record.method!r}")
