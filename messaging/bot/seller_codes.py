"""A seller's code in a buyer's message (`#S-ANA`, from a seller's personal link or typed)
remembers that seller for the buyer: for the raffle the message names, else the raffle the
conversation is about, else any raffle (raffles.services.sellers: last touch; the buyer's
next orders are credited when they are created)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from messaging.bot.flow import page_links
from raffles.models import Buyer
from raffles.services import sellers


def remember(
    buyer: Buyer,
    text: str,
    context: Mapping[str, Any] | None,
    raffle_id_for: Callable[[str], int | None],
) -> None:
    code = page_links.seller_code(text)
    if code is None:
        return
    link = page_links.parse(text)
    raffle_id = raffle_id_for(link.ref) if link is not None else None
    if raffle_id is None:
        current = (context or {}).get("raffle")
        raffle_id = current if isinstance(current, int) else None
    sellers.record_referral(buyer=buyer, code=code, raffle_id=raffle_id)
