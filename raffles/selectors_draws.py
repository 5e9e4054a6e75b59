"""Reads about draws shared by several callers: a raffle's draw summary (staff and public),
its public pages' addresses, the raffles drawn in a window and their paid numbers. Re-exported
by `raffles.selectors`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse

from raffles.models import Buyer, Draw, Order, Raffle, TicketNumber


@dataclass(frozen=True)
class DrawWinner:
    prize: int  # 1 = first prize
    number: int
    label: str  # zero-padded, as in the frozen list
    order_code: str  # staff only: never on the public page
    buyer_id: int | None  # staff only


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

    @property
    def is_drawn(self) -> bool:
        return self.stage == "drawn"

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


def _draw_winners(raffle: Raffle, draw: Draw) -> tuple[DrawWinner, ...]:
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
            )
        )
    return tuple(out)


def draw_summary(raffle: Raffle) -> DrawSummary | None:
    """The raffle's draw, or None when it has none (a draft raffle)."""
    draw = Draw.objects.filter(raffle_id=raffle.pk).first()
    if draw is None:
        return None
    drawn = draw.is_drawn
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
        prizes=draw.prizes if drawn else None,
        winners=_draw_winners(raffle, draw) if drawn else (),
        drawn_at=draw.drawn_at,
        public_url=public_draw_url(raffle),
        entries_url=public_entries_url(raffle) if draw.is_frozen else None,
    )


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
