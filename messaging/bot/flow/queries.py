"""The database side of `snapshots.Queries`: snapshots of raffles and one buyer's orders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from messaging.bot import support_hours
from messaging.bot.flow.intents import FaqView
from messaging.bot.flow.snapshots import (
    ClaimView,
    OrderView,
    RaffleView,
    ResultView,
    TicketsView,
)
from messaging.models import FaqEntry
from raffles import selectors
from raffles.models import Buyer, Order, Raffle, WinnerClaim
from raffles.payments.setup import pix_code_for
from raffles.public.memo import Memo

MAX_LIVE = 10
MAX_RESULTS = 5
_views = Memo(0, size=256)  # each entry kept for WHATSAPP_RAFFLE_VIEW_SECONDS


def kept[T](key: str, read: Callable[[], T]) -> T:
    """A raffle view kept by this process for WHATSAPP_RAFFLE_VIEW_SECONDS (0: never kept).

    A launch crowd's every "hi" lists the same raffles with the same numbers left; reading and
    counting them once a moment instead of once a message keeps the count of a big raffle's
    sold numbers off the hot path. What the bot shows may be that many seconds old; what it
    does (a reservation, a payment) reads the database, never these."""
    seconds = float(getattr(settings, "WHATSAPP_RAFFLE_VIEW_SECONDS", 0))
    if seconds <= 0:
        return read()
    found: tuple[T] | None = _views.get(key)
    if found is None:
        found = (read(),)  # in a tuple: a raffle that is not there is kept too
        _views.set(key, found, seconds)
    return found[0]


def raffle_view(raffle: Raffle, now: datetime | None = None) -> RaffleView:
    selling = raffle.is_active
    summary = selectors.draw_summary(raffle)
    left = selectors.raffle_counts(raffle, now).available if selling else 0
    return RaffleView(
        id=raffle.pk,
        title=raffle.title,
        price=raffle.ticket_price,
        currency=raffle.currency,
        min_number=raffle.min_number,
        max_number=raffle.max_number,
        left=left,
        selling=selling,
        max_per_order=raffle.max_tickets_per_order,
        prize=raffle.prize,
        description=raffle.description,
        sales_close_at=raffle.sales_close_at,
        draw_at=raffle.draw_at,
        reservation_minutes=raffle.reservation_minutes,
        commitment=summary.commitment if summary is not None else "",
        draw_url=summary.public_url if summary is not None else "",
        draw_method=summary.method if summary is not None else "",
        draw_fallback=summary.fallback if summary is not None else "",
        draw_prizes=(summary.prizes or len(summary.prize_names) or 1) if summary else 1,
        lottery_source=lottery_source(summary),
        prize_names=summary.prize_names if summary is not None else (),
        status=raffle.status,
        has_photo=bool(raffle.prize_photo),
        public_url=summary.public_url if summary is not None else "",
        tiers=raffle.tiers,
        early_bird_price=raffle.early_bird_price,
        early_bird_until=raffle.early_bird_until,
    )


def lottery_source(summary: selectors.DrawSummary | None) -> str:
    """The official source of a lottery draw's first result entered, "" before any."""
    if summary is None or not summary.is_lottery or not summary.lottery_results:
        return ""
    return str(summary.lottery_results[0].get("source") or "")


def claim_view(claim: WinnerClaim, now: datetime) -> ClaimView:
    return ClaimView(
        id=claim.pk,
        raffle_title=claim.raffle.title,
        numbers=tuple(claim.numbers),
        status=claim.effective_status(now),
        deadline=claim.deadline,
        claimed_name=claim.claimed_name,
    )


def order_view(order: Order) -> OrderView:
    raffle = order.raffle
    numbers = order.numbers()
    return OrderView(
        code=order.code,
        raffle_id=raffle.pk,
        raffle_title=raffle.title,
        status=order.status,
        numbers=tuple(raffle.format_number(n) for n in numbers),
        raw_numbers=tuple(numbers),
        total=order.total_amount,
        currency=raffle.currency,
        expires_at=order.expires_at,
        proof_received=order.proof_received,
        payment_instructions=raffle.payment_instructions,
        created_at=order.created_at,
        pays_by_link=selectors.takes_payment_links(order),
        pix_code=pix_code_for(order),
        list_total=order.list_amount,
        discount=order.discount_amount,
        coupon_code=order.coupon_code,
        coupon_discount=order.coupon_discount,
    )


def result_view(raffle: Raffle, buyer: Buyer | None = None) -> ResultView:
    summary = selectors.draw_summary(raffle)
    if summary is None or not summary.is_drawn:
        return ResultView(raffle_title=raffle.title, drawn_at=raffle.closed_at)
    return ResultView(
        raffle_title=raffle.title,
        drawn_at=summary.drawn_at,
        winners=tuple(w.label for w in summary.winners),
        url=summary.public_url,
        mine=tuple(w.label for w in summary.winners_of(buyer)) if buyer is not None else (),
    )


def early_result_view(
    summary: selectors.DrawSummary, buyer: Buyer | None, title: str
) -> ResultView:
    """A drawn early-bird draw's result for one buyer, with its public live page."""
    return ResultView(
        raffle_title=title,
        drawn_at=summary.drawn_at,
        winners=tuple(w.label for w in summary.winners),
        url=settings.PUBLIC_BASE_URL + summary.live_url,
        mine=tuple(w.label for w in summary.winners_of(buyer)) if buyer is not None else (),
        draw_title=summary.title,
    )


class DbQueries:
    """Reads for one buyer, cached for the length of one inbound message."""

    def __init__(
        self,
        buyer: Buyer,
        *,
        name: str = "",
        now: datetime | None = None,
        known: Sequence[OrderView] = (),
    ) -> None:
        """`known`: views of this buyer's orders read in this transaction already (the order
        a reservation just made), not read again."""
        self.buyer = buyer
        self.buyer_name = name or buyer.name
        self.now = now or timezone.now()
        self._raffles: dict[int, RaffleView | None] = {}
        self._faqs: list[FaqView] | None = None
        self._selling: dict[tuple[int, int], tuple[Sequence[RaffleView], int]] = {}
        self._live: list[OrderView] | None = None
        self._known: dict[str, OrderView | None] = {view.code: view for view in known}

    def selling_raffles(self, offset: int, limit: int) -> tuple[Sequence[RaffleView], int]:
        if (offset, limit) not in self._selling:  # a welcome asks more than once
            views, total = kept(
                f"selling:{offset}:{limit}", lambda: self._read_selling(offset, limit)
            )
            for view in views:
                self._raffles[view.id] = view
            self._selling[offset, limit] = (views, total)
        return self._selling[offset, limit]

    def _read_selling(self, offset: int, limit: int) -> tuple[Sequence[RaffleView], int]:
        """One read: a page of the raffles on sale, and how many there are in all (counted
        only when the page may not hold them all)."""
        raffles = list(selectors.selling_raffles()[offset : offset + limit + 1])
        if len(raffles) <= limit and (offset == 0 or raffles):
            total = offset + len(raffles)
        else:
            total = selectors.selling_raffles().count()
        return tuple(raffle_view(r, self.now) for r in raffles[:limit]), total

    def raffle(self, raffle_id: int) -> RaffleView | None:
        if raffle_id not in self._raffles:
            self._raffles[raffle_id] = kept(f"raffle:{raffle_id}", lambda: self._read(raffle_id))
        return self._raffles[raffle_id]

    def _read(self, raffle_id: int) -> RaffleView | None:
        raffle = Raffle.objects.filter(pk=raffle_id).first()
        return raffle_view(raffle, self.now) if raffle else None

    def order(self, code: str) -> OrderView | None:
        code = (code or "").strip().upper()
        if code not in self._known:  # a turn asks for the order it is about more than once
            order = (
                Order.objects.filter(buyer=self.buyer, code=code)
                .select_related("raffle", "raffle__payment_setup")
                .first()
            )
            self._known[code] = order_view(order) if order else None
        return self._known[code]

    def live_orders(self) -> Sequence[OrderView]:
        if self._live is None:
            # Most buyers who write have none (every new one): a narrow read says so, and
            # only the orders found are read with their raffles.
            found = selectors.waiting_order_codes(self.buyer.pk, MAX_LIVE)
            unknown = [pk for pk, code in found if self._known.get(code) is None]
            orders = (
                Order.objects.filter(pk__in=unknown)
                .waiting_payment()
                .select_related("raffle", "raffle__payment_setup")
                if unknown
                else []
            )
            read = {o.code: order_view(o) for o in orders}
            views = (self._known.get(code) or read.get(code) for _pk, code in found)
            self._live = [view for view in views if view is not None]  # None: paid meanwhile
        return self._live

    def unconfirmed_orders(self, raffle_id: int) -> Sequence[OrderView]:
        orders = selectors.unconfirmed_orders(self.buyer, raffle_id, self.now)[:MAX_LIVE]
        return [order_view(o) for o in orders]

    def paid_tickets(self) -> Sequence[TicketsView]:
        return [
            TicketsView(raffle.title, tuple(raffle.format_number(n) for n in numbers))
            for raffle, numbers in selectors.buyer_paid_numbers(self.buyer).items()
        ]

    @property
    def support_opens_at(self) -> datetime | None:
        return support_hours.opens_at(self.now)

    def claims(self) -> Sequence[ClaimView]:
        claims = selectors.buyer_claims(self.buyer)[:MAX_RESULTS]
        return [claim_view(c, self.now) for c in claims]

    def faqs(self) -> Sequence[FaqView]:
        if self._faqs is None:
            self._faqs = [
                FaqView(id=f.pk, keywords=f.keywords(), answers=f.answers())
                for f in FaqEntry.objects.filter(active=True)
            ]
        return self._faqs

    def results(self) -> Sequence[ResultView]:
        drawn = (
            Raffle.objects.listed().filter(status=Raffle.Status.DRAWN).order_by("-closed_at", "-id")
        )
        return [result_view(r, self.buyer) for r in drawn[:MAX_RESULTS]]
