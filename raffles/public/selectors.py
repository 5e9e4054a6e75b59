"""Reads for the public pages. Nothing here returns a buyer's name, phone or order, except
`ticket_view` (the buyer's own e-ticket: first name only)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from raffles import draw_method
from raffles.models import Draw, EarlyDraw, Order, Raffle
from raffles.pricing import PriceTier
from raffles.selectors import RaffleCounts, raffle_counts

PUBLIC_STATUSES = (Raffle.Status.ACTIVE, Raffle.Status.CLOSED, Raffle.Status.DRAWN)


def public_raffles() -> QuerySet[Raffle]:
    """Raffles with a public page: active, closed or drawn (drafts and any other status,
    such as archived, are not public)."""
    return Raffle.objects.filter(status__in=PUBLIC_STATUSES)


def public_raffle(ref: str) -> Raffle | None:
    """The public raffle whose public id, or else whose short link name, is `ref`."""
    ref = (ref or "").strip()
    if not ref or len(ref) > 50:
        return None
    found = list(public_raffles().filter(Q(public_id=ref) | Q(slug=ref.lower()))[:2])
    for raffle in found:
        if raffle.public_id == ref:
            return raffle
    return found[0] if found else None


def raffle_ref(raffle: Raffle) -> str:
    """How links and messages name the raffle: its short link name, else its public id."""
    return raffle.slug or raffle.public_id


@dataclass(frozen=True)
class PublicRaffle:
    """What the raffle page shows."""

    id: int
    public_id: str
    ref: str
    title: str
    description: str
    prize: str
    rules: str
    price: Decimal
    currency: str
    min_number: int
    max_number: int
    width: int
    status: str
    status_label: str
    selling: bool
    sales_close_at: datetime | None
    draw_at: datetime | None
    draw_method: str
    commitment: str
    draw_fallback: str  # lottery method: fixed and shown from the start
    prize_names: tuple[str, ...]
    early_draws: tuple[
        tuple[str, datetime, tuple[str, ...], str], ...
    ]  # title, cutoff, winners, url
    winners: tuple[str, ...]
    sold: int
    available: int
    total: int
    organizer: str
    photo_url: str  # HOOK: the prize photo (Raffle.prize_photo), empty until it exists
    max_per_order: int
    tiers: tuple[PriceTier, ...] = ()  # bundles ("3 for 25"), smallest first
    early_bird_price: Decimal | None = None  # set only while the early-bird price applies
    early_bird_until: datetime | None = None

    @property
    def size(self) -> int:
        return self.max_number - self.min_number + 1


def _photo_url(raffle: Raffle) -> str:
    """The prize photo uploaded in the portal (served by the public page while the raffle is
    public), or "" while the raffle has none."""
    if not raffle.prize_photo:
        return ""
    return reverse("raffles-public:photo", kwargs={"ref": raffle_ref(raffle)})


def raffle_page(raffle: Raffle, now: datetime | None = None) -> PublicRaffle:
    counts: RaffleCounts = raffle_counts(raffle, now or timezone.now())
    draw = Draw.objects.filter(raffle_id=raffle.pk).first()
    drawn = draw is not None and draw.is_drawn
    return PublicRaffle(
        id=raffle.pk,
        public_id=raffle.public_id,
        ref=raffle_ref(raffle),
        title=raffle.title,
        description=raffle.description,
        prize=raffle.prize,
        rules=raffle.rules,
        price=raffle.ticket_price,
        currency=raffle.currency,
        min_number=raffle.min_number,
        max_number=raffle.max_number,
        width=raffle.number_width,
        status=raffle.status,
        status_label=str(raffle.get_status_display()),
        selling=raffle.is_active,
        sales_close_at=raffle.sales_close_at,
        draw_at=raffle.draw_at,
        draw_method=draw.method if draw else draw_method.METHOD,
        commitment=draw.commitment if draw else "",
        draw_fallback=draw.fallback if draw else "",
        prize_names=tuple(draw.prize_names) if draw else (),
        early_draws=_early_draws(raffle),
        winners=tuple(draw.winners) if drawn and draw else (),
        sold=counts.sold,
        available=counts.available,
        total=counts.total,
        organizer=settings.ORGANIZER_NAME,
        photo_url=_photo_url(raffle),
        max_per_order=raffle.max_tickets_per_order,
        tiers=raffle.tiers,
        early_bird_price=raffle.early_bird_price if raffle.early_bird_on(now) else None,
        early_bird_until=raffle.early_bird_until if raffle.early_bird_on(now) else None,
    )


def _early_draws(raffle: Raffle) -> tuple[tuple[str, datetime, tuple[str, ...], str], ...]:
    return tuple(
        (
            early.title,
            early.cutoff,
            tuple(early.winners) if early.is_drawn else (),
            reverse(
                "raffles-public:early-draw", kwargs={"ref": raffle_ref(raffle), "early": early.pk}
            ),
        )
        for early in EarlyDraw.objects.filter(raffle_id=raffle.pk)
    )


def public_page_url(raffle: Raffle) -> str:
    path = reverse("raffles-public:page", kwargs={"ref": raffle_ref(raffle)})
    return settings.PUBLIC_BASE_URL + path


def lookup_order(raffle: Raffle, code: str, last_four: str) -> Order | None:
    """The raffle's order with this code whose buyer's phone ends in these four digits, else
    None: a wrong code and a wrong phone look the same."""
    code = "".join(ch for ch in (code or "").upper() if ch.isalnum())[:12]
    digits = "".join(ch for ch in (last_four or "") if ch.isdigit())
    if not code or len(digits) != 4:
        return None
    order = Order.objects.filter(raffle=raffle, code=code).select_related("buyer").first()
    phone = (order.buyer.phone or "") if order else ""
    if order is None or not hmac.compare_digest(phone[-4:].encode(), digits.encode()):
        return None
    return order


@dataclass(frozen=True)
class TicketView:
    """A buyer's e-ticket: first name only."""

    code: str
    raffle_title: str
    first_name: str
    numbers: tuple[str, ...]
    status: str
    status_label: str
    is_paid: bool
    drawn: bool
    winners: tuple[str, ...]
    won: tuple[str, ...]


def first_name(name: str) -> str:
    parts = (name or "").split()
    return parts[0][:40] if parts else ""


def ticket_view(order: Order, now: datetime | None = None) -> TicketView:
    raffle = order.raffle
    numbers = tuple(order.formatted_numbers())
    draw = Draw.objects.filter(raffle_id=raffle.pk).first()
    drawn = draw is not None and draw.is_drawn
    winners = tuple(draw.winners) if draw is not None and drawn else ()
    status = order.effective_status(now or timezone.now())
    return TicketView(
        code=order.code,
        raffle_title=raffle.title,
        first_name=first_name(order.buyer.name),
        numbers=numbers,
        status=status,
        status_label=str(Order.Status(status).label),
        is_paid=order.is_paid,
        drawn=drawn,
        winners=winners,
        won=tuple(w for w in winners if w in numbers and order.is_paid),
    )
