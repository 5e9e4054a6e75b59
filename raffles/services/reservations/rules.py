"""Who may take which tickets: what is claimable, and how many a buyer may hold."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, Sum

from raffles.exceptions import BuyerLimitExceeded, QuantityOutOfBounds
from raffles.models import Buyer, Order, Raffle, TicketNumber
from raffles.rules import claimable_q

AVAILABLE = TicketNumber.Status.AVAILABLE
RESERVED = TicketNumber.Status.RESERVED
SOLD = TicketNumber.Status.SOLD


def claimable(now: datetime) -> Q:
    """Tickets a new order may take (the rule's home: `raffles.rules.claimable_q`)."""
    return claimable_q(now)


def held_by_buyer(raffle: Raffle, buyer: Buyer, now: datetime) -> int:
    """Tickets of this raffle the buyer holds: paid, or in a live order still holding."""
    total = (
        Order.objects.filter(raffle=raffle, buyer=buyer)
        .taking_numbers(now)
        .aggregate(n=Sum("qty"))["n"]
    )
    return int(total or 0)


def check_qty(raffle: Raffle, qty: int) -> None:
    if qty < 1 or qty > raffle.max_tickets_per_order:
        raise QuantityOutOfBounds(qty, raffle.max_tickets_per_order)


def check_buyer_limit(raffle: Raffle, buyer: Buyer, qty: int, now: datetime) -> None:
    limit = raffle.max_tickets_per_buyer
    if limit is None:
        return
    # One buyer's orders take turns here, so two cannot both pass the check (PostgreSQL;
    # SQLite serialises writers). NO KEY UPDATE: inserting an order that points here still can.
    list(Buyer.objects.select_for_update(no_key=True).filter(pk=buyer.pk).values_list("pk"))
    already = held_by_buyer(raffle, buyer, now)
    if already + qty > limit:
        raise BuyerLimitExceeded(limit, already, qty)
