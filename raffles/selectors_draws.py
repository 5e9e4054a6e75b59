"""Reads about draws shared by several callers: a raffle's draw summary (staff and public),
its public pages' addresses, the raffles drawn in a window and their paid numbers. Re-exported
by `raffles.selectors`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from raffles import draw_lottery, draw_method
from raffles.draw_models import DrawRecord
from raffles.models import Buyer, Draw, EarlyDraw, Order, Raffle, TicketNumber


@dataclass(frozen=True)
class DrawWinner:
    prize: int  # 1 = first prize
    number: int
    label: str  # zero-padded, as in the frozen list
    order_code: str  # staff only: never on the public page
    buyer_id: int | None  # staff only
    prize_name: str = ""  # the prize's description, "" when none was given


@dataclass(frozen=True)
class DrawSummary:
    """A raffle's draw as the bot, the portal, the API and the public page show it.

    `stage` is "committed" (seed committed, sales open or list not frozen), "frozen" (list
    of numbers and its hash published) or "drawn". `seed`, `external_value` and `winners`
    are None / empty until the draw: the seed is never exposed before.
    """

    raffle_id: int
    public_id: str
    stage: str
    method: str
    commitment: str
    committed_at: datetime
    entries_hash: str | None
    entries_count: int | None
    excluded_numbers: tuple[int, ...]
    frozen_at: datetime | None
    seed: str | None
    external_value: str | None
    prizes: int | None
    winners: tuple[DrawWinner, ...]
    drawn_at: datetime | None
    public_url: str
    entries_url: str | None
    fallback: str = ""  # lottery method: next-prize, next-sold or redraw
    prize_names: tuple[str, ...] = ()
    lottery_results: tuple[dict[str, object], ...] = ()  # public as soon as entered
    early_id: int | None = None  # an early-bird draw's id; None for the main draw
    title: str = ""  # an early-bird draw's title
    cutoff: datetime | None = None  # an early-bird draw: numbers paid before it
    live_url: str = ""  # the public live draw page (relative)
    winners_so_far: tuple[str, ...] = ()  # a pending lottery draw's winners so far

    @property
    def is_drawn(self) -> bool:
        return self.stage == "drawn"

    @property
    def is_lottery(self) -> bool:
        return self.method == draw_lottery.METHOD

    @property
    def awaiting_result(self) -> bool:
        """A lottery draw whose results so far gave fewer winners than prizes."""
        return self.is_lottery and bool(self.lottery_results) and not self.is_drawn

    @property
    def recipe(self) -> str:
        """The published program, with the values filled in once drawn."""
        if self.is_lottery:
            if not self.lottery_results:
                return draw_lottery.RECIPE.replace(
                    'fallback = "..."', f"fallback = {self.fallback!r}"
                )
            return draw_lottery.filled_recipe(
                results=[list(r["numbers"]) for r in self.lottery_results],  # type: ignore[call-overload]
                fallback=self.fallback,
                prizes=self.prizes or len(self.prize_names) or 1,
            )
        if not self.is_drawn:
            return draw_method.RECIPE
        return draw_method.filled_recipe(
            seed=self.seed or "",
            commitment=self.commitment,
            external=self.external_value or "",
            prizes=self.prizes or 0,
        )

    def prize_label(self, index: int) -> str:
        return self.prize_names[index] if index < len(self.prize_names) else ""

    def winners_of(self, buyer: Buyer) -> list[DrawWinner]:
        """The prizes this buyer won (empty when none)."""
        return [w for w in self.winners if w.buyer_id == buyer.pk]


def public_draw_url(raffle: Raffle) -> str:
    """The public verification page, absolute (settings.PUBLIC_BASE_URL)."""
    path = reverse("raffles:draw", kwargs={"public_id": raffle.public_id})
    return settings.PUBLIC_BASE_URL + path


def public_entries_url(raffle: Raffle) -> str:
    path = reverse("raffles:draw-entries", kwargs={"public_id": raffle.public_id})
    return settings.PUBLIC_BASE_URL + path


def _draw_winners(raffle: Raffle, draw: DrawRecord) -> tuple[DrawWinner, ...]:
    labels = list(draw.winners)
    tickets = {
        t.number: t
        for t in TicketNumber.objects.filter(
            raffle=raffle, number__in=[int(label) for label in labels]
        ).select_related("reserved_by_order")
    }
    out = []
    for prize, label in enumerate(labels, start=1):
        order = getattr(tickets.get(int(label)), "reserved_by_order", None)
        out.append(
            DrawWinner(
                prize=prize,
                number=int(label),
                label=label,
                order_code=order.code if order else "",
                buyer_id=order.buyer_id if order else None,
                prize_name=draw.prize_name(prize - 1),
            )
        )
    return tuple(out)


def summary_of(raffle: Raffle, draw: DrawRecord, *, early: EarlyDraw | None) -> DrawSummary:
    """The summary of one draw record: the main draw (`early` None) or an early-bird one."""
    drawn = draw.is_drawn
    lottery = draw.method == draw_lottery.METHOD
    kwargs = {"public_id": raffle.public_id}
    if early is not None:
        live = reverse(
            "raffles-public:early-draw", kwargs={"ref": raffle.public_id, "early": early.pk}
        )
        entries_path = reverse(
            "raffles-public:early-entries", kwargs={"ref": raffle.public_id, "early": early.pk}
        )
    else:
        live = reverse("raffles-public:draw", kwargs={"ref": raffle.public_id})
        entries_path = reverse("raffles:draw-entries", kwargs=kwargs)
    return DrawSummary(
        raffle_id=raffle.pk,
        public_id=raffle.public_id,
        stage="drawn" if drawn else "frozen" if draw.is_frozen else "committed",
        method=draw.method,
        commitment=draw.commitment,
        committed_at=draw.committed_at,
        entries_hash=draw.entries_hash or None,
        entries_count=draw.entries_count,
        excluded_numbers=tuple(sorted(n for item in draw.excluded for n in item["numbers"])),
        frozen_at=draw.frozen_at,
        seed=draw.revealed_seed,
        external_value=draw.external_value if drawn else None,
        prizes=draw.prizes if drawn or lottery else None,
        winners=_draw_winners(raffle, draw) if drawn else (),
        # A pending lottery draw's winners so far are public: they follow from the results.
        winners_so_far=tuple(draw.winners) if lottery and not drawn else (),
        drawn_at=draw.drawn_at,
        public_url=settings.PUBLIC_BASE_URL + live if early else public_draw_url(raffle),
        entries_url=settings.PUBLIC_BASE_URL + entries_path if draw.is_frozen else None,
        fallback=draw.fallback,
        prize_names=tuple(draw.prize_names or ()),
        lottery_results=tuple(draw.lottery_results or ()),
        early_id=early.pk if early else None,
        title=early.title if early else "",
        cutoff=early.cutoff if early else None,
        live_url=live,
    )


def draw_summary(raffle: Raffle) -> DrawSummary | None:
    """The raffle's draw, or None when it has none (a draft raffle)."""
    draw = Draw.objects.filter(raffle_id=raffle.pk).first()
    if draw is None:
        return None
    return summary_of(raffle, draw, early=None)


def early_draw_summaries(raffle: Raffle) -> list[DrawSummary]:
    """The raffle's early-bird draws, by cutoff."""
    return [summary_of(raffle, e, early=e) for e in EarlyDraw.objects.filter(raffle=raffle)]


def early_entry_tickets(early: EarlyDraw) -> QuerySet[TicketNumber]:
    """The numbers taking part in an early-bird draw: sold to orders paid before its cutoff
    and still paid (the one rule; its frozen list and its notices read it)."""
    return TicketNumber.objects.filter(
        raffle_id=early.raffle_id,
        status=TicketNumber.Status.SOLD,
        reserved_by_order__status=Order.Status.PAID,
        reserved_by_order__paid_at__lt=early.cutoff,
    )


def early_draw_buyer_ids(early: EarlyDraw) -> list[int]:
    """The buyers whose numbers take part in an early-bird draw."""
    return list(
        early_entry_tickets(early)
        .order_by()
        .values_list("reserved_by_order__buyer_id", flat=True)
        .distinct()
    )


def early_draw_of(raffle: Raffle, early_id: int) -> EarlyDraw | None:
    return EarlyDraw.objects.filter(raffle=raffle, pk=early_id).first()


def buyer_drawn_raffles(buyer: Buyer) -> QuerySet[Raffle]:
    """Drawn raffles in which the buyer has a paid order, most recent first ("results")."""
    return (
        Raffle.objects.listed()
        .filter(
            status=Raffle.Status.DRAWN,
            orders__buyer=buyer,
            orders__status=Order.Status.PAID,
        )
        .distinct()
        .order_by("-draw__drawn_at", "-id")
    )


def raffles_drawn_between(start: datetime, end: datetime) -> QuerySet[Raffle]:
    """Raffles not drawn yet whose draw date falls in (start, end] (draw reminders)."""
    return Raffle.objects.filter(
        status__in=[Raffle.Status.ACTIVE, Raffle.Status.CLOSED],
        draw_at__gt=start,
        draw_at__lte=end,
    ).order_by("draw_at", "id")


def paid_numbers_by_buyer(raffle: Raffle) -> dict[int, list[int]]:
    """Each buyer's paid numbers in a raffle, sorted, by buyer id."""
    out: dict[int, list[int]] = {}
    for buyer_id, number in (
        Order.objects.filter(raffle=raffle, status=Order.Status.PAID)
        .values_list("buyer_id", "order_tickets__number")
        .order_by("buyer_id", "order_tickets__number")
    ):
        if number is not None:
            out.setdefault(buyer_id, []).append(number)
    return out
