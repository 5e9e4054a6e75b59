"""Read-only snapshots the pure core works with, and the interface it reads them through.

The runner gives the machine a `Queries` backed by the database (`flow.queries`); tests give
it an in-memory one. The machine never touches the ORM. What an order's status means (live,
holding, accepts a proof, expired) comes from raffles: `OrderView` has `raffles.rules`'s
`OrderRules`, the same methods as the `Order` model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from raffles import draw_lottery
from raffles.pricing import PriceTier, Quote, quote
from raffles.rules import OrderRules

if TYPE_CHECKING:
    from messaging.bot.flow.intents import FaqView


@dataclass(frozen=True)
class RaffleView:
    id: int
    title: str
    price: Decimal
    currency: str
    min_number: int
    max_number: int
    left: int  # numbers a buyer can take now
    selling: bool  # active, numbers generated, before the sales close time
    max_per_order: int
    prize: str = ""
    description: str = ""
    sales_close_at: datetime | None = None
    draw_at: datetime | None = None
    reservation_minutes: int = 30
    commitment: str = ""  # the draw commitment hash, once raffles has one
    draw_url: str = ""  # the public page where anyone can verify the draw
    draw_method: str = ""  # raffles' draw method ("" before the raffle has a draw)
    draw_fallback: str = ""  # lottery method: next-prize, next-sold or redraw
    draw_prizes: int = 1  # how many winners, when the draw says (prizes or their names)
    prize_names: tuple[str, ...] = ()  # each prize's description, first prize first
    lottery_source: str = ""  # lottery method: the official source, once a result is in
    status: str = "active"
    has_photo: bool = False  # a prize photo to show with the details
    public_url: str = ""  # the raffle's public page, when it has one
    tiers: tuple[PriceTier, ...] = ()  # bundles ("3 for 25"), smallest first
    early_bird_price: Decimal | None = None
    early_bird_until: datetime | None = None

    def quote(self, qty: int, at: datetime) -> Quote:
        """What `qty` numbers cost at `at`: the one price rule, `raffles.pricing.quote`."""
        return quote(
            qty,
            ticket_price=self.price,
            tiers=self.tiers,
            early_bird_price=self.early_bird_price,
            early_bird_until=self.early_bird_until,
            at=at,
        )

    @property
    def is_lottery(self) -> bool:
        """Drawn by the last digits of an official lottery's prizes (`raffles.draw_lottery`)."""
        return self.draw_method == draw_lottery.METHOD

    @property
    def width(self) -> int:
        return len(str(self.max_number))

    def fmt(self, number: int) -> str:
        return str(number).zfill(self.width)


@dataclass(frozen=True)
class OrderView(OrderRules):
    code: str
    raffle_id: int
    raffle_title: str
    status: str
    numbers: tuple[str, ...]  # zero-padded, sorted
    total: Decimal
    currency: str
    expires_at: datetime | None = None
    proof_received: bool = False
    payment_instructions: str = ""
    raw_numbers: tuple[int, ...] = ()
    created_at: datetime | None = None
    pays_by_link: bool = False  # the raffle takes payment links (a button opens one)
    pix_code: str = ""  # the Pix copy-and-paste code, when the raffle takes Pix
    list_total: Decimal | None = None  # before bundles, early bird and coupon
    discount: Decimal = Decimal("0.00")  # all of them
    coupon_code: str = ""
    coupon_discount: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class TicketsView:
    raffle_title: str
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class ResultView:
    raffle_title: str
    drawn_at: datetime | None
    winners: tuple[str, ...] = ()  # zero-padded, first prize first
    url: str = ""  # the public page where anyone can verify the draw
    mine: tuple[str, ...] = ()  # this buyer's winning numbers
    draw_title: str = ""  # an early-bird draw's title ("" for the raffle's main draw)


@dataclass(frozen=True)
class ClaimView:
    """A prize this buyer won: `status` is the effective one (open, claimed, delivered,
    expired: `WinnerClaim.effective_status`)."""

    id: int
    raffle_title: str
    numbers: tuple[str, ...]
    status: str
    deadline: datetime
    claimed_name: str = ""


class Queries(Protocol):
    """Reads the machine may make, all about one buyer."""

    now: datetime
    buyer_name: str

    def selling_raffles(self, offset: int, limit: int) -> tuple[Sequence[RaffleView], int]:
        """A page of the raffles selling now, and how many there are in all."""
        ...

    def raffle(self, raffle_id: int) -> RaffleView | None: ...

    def order(self, code: str) -> OrderView | None:
        """One of this buyer's orders by its code (None for another buyer's)."""
        ...

    def live_orders(self) -> Sequence[OrderView]:
        """This buyer's orders waiting for payment, newest first."""
        ...

    def unconfirmed_orders(self, raffle_id: int) -> Sequence[OrderView]:
        """This buyer's unconfirmed orders in one raffle (`Order.is_unconfirmed`), newest
        first."""
        ...

    def paid_tickets(self) -> Sequence[TicketsView]: ...

    def results(self) -> Sequence[ResultView]: ...

    def claims(self) -> Sequence[ClaimView]:
        """This buyer's prize claims, newest draw first."""
        ...

    def faqs(self) -> Sequence[FaqView]:
        """The active FAQ entries staff answer in the portal."""
        ...

    @property
    def support_opens_at(self) -> datetime | None:
        """When a person next answers, if nobody does now (settings.SUPPORT_HOURS)."""
        ...
