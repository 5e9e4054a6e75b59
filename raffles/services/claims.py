"""Winners' claims: opened by the draw, registered by the winner, moved on by staff.

Every change leaves an audit row on the winning order (claim opened, registered, updated).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from raffles.audit import EventKind
from raffles.exceptions import ClaimClosed, InvalidInput
from raffles.models import ClaimStatus, Draw, Order, OrderTicket, Raffle, WinnerClaim
from raffles.services.actors import ActorLike
from raffles.services.events import log_event


def claim_days(raffle: Raffle) -> int:
    return raffle.claim_days or int(getattr(settings, "CLAIM_DAYS", 30))


def open_claims(raffle: Raffle, draw: Draw, *, by: ActorLike = None) -> list[WinnerClaim]:
    """One open claim per winning paid order, with its winning numbers and places, to be
    claimed within `claim_days` of the draw. Runs inside the draw's transaction; drawing
    again (same result) opens nothing new."""
    if not draw.is_drawn or not draw.winners:
        return []
    width = raffle.number_width
    place_of = {int(n): i + 1 for i, n in enumerate(draw.winners)}
    holders = OrderTicket.objects.filter(
        order__raffle=raffle, order__status=Order.Status.PAID, number__in=list(place_of)
    ).values_list("order_id", "number")
    won: dict[int, list[int]] = defaultdict(list)
    for order_id, number in holders:
        won[order_id].append(number)
    existing = set(WinnerClaim.objects.filter(raffle=raffle).values_list("order_id", flat=True))
    deadline = (draw.drawn_at or timezone.now()) + timedelta(days=claim_days(raffle))
    orders = Order.objects.in_bulk([o for o in won if o not in existing])
    created = []
    for order_id, numbers in sorted(
        won.items(), key=lambda item: min(place_of[n] for n in item[1])
    ):
        if order_id in existing:
            continue
        numbers.sort(key=lambda n: place_of[n])
        claim = WinnerClaim.objects.create(
            raffle=raffle,
            order_id=order_id,
            numbers=[str(n).zfill(width) for n in numbers],
            places=[place_of[n] for n in numbers],
            deadline=deadline,
        )
        log_event(
            kind=EventKind.CLAIM_OPENED,
            by=by,
            order=orders[order_id],
            raffle=raffle,
            numbers=claim.numbers,
            places=claim.places,
            deadline=deadline.isoformat(),
        )
        created.append(claim)
    return created


def _fresh(claim: WinnerClaim | int) -> WinnerClaim:
    pk = claim.pk if isinstance(claim, WinnerClaim) else claim
    return WinnerClaim.objects.select_for_update().select_related("order", "raffle").get(pk=pk)


def register_claim(claim: WinnerClaim | int, *, name: str, by: ActorLike = None) -> WinnerClaim:
    """The winner claims her prize in `name`. Claiming again changes nothing; a claim past its
    deadline (or closed by staff) raises ClaimClosed."""
    name = " ".join((name or "").split())[:200]
    with transaction.atomic():
        fresh = _fresh(claim)
        now = timezone.now()
        if fresh.status == ClaimStatus.CLAIMED:
            return fresh
        if not fresh.is_claimable(now):
            raise ClaimClosed(fresh.effective_status(now))
        fresh.status = ClaimStatus.CLAIMED
        fresh.claimed_at = now
        fresh.claimed_name = name
        fresh.save(update_fields=["status", "claimed_at", "claimed_name", "updated_at"])
        log_event(
            kind=EventKind.CLAIM_REGISTERED,
            by=by,
            order=fresh.order,
            raffle=fresh.raffle,
            name=name,
            numbers=fresh.numbers,
        )
    return fresh


def update_claim(
    claim: WinnerClaim | int, *, status: str, note: str | None = None, by: ActorLike = None
) -> WinnerClaim:
    """Staff move a claim to any status (delivered, expired, back to open...) and keep a note."""
    if status not in ClaimStatus.values:
        raise InvalidInput(f"Unknown claim status {status!r}", field="status")
    with transaction.atomic():
        fresh = _fresh(claim)
        before = fresh.status
        fresh.status = status
        if note is not None:
            fresh.staff_note = note.strip()
        if status == ClaimStatus.DELIVERED and fresh.delivered_at is None:
            fresh.delivered_at = timezone.now()
        if status != ClaimStatus.DELIVERED:
            fresh.delivered_at = None
        fresh.save(update_fields=["status", "staff_note", "delivered_at", "updated_at"])
        log_event(
            kind=EventKind.CLAIM_UPDATED,
            by=by,
            order=fresh.order,
            raffle=fresh.raffle,
            status_before=before,
            status=status,
            note=fresh.staff_note,
        )
    return fresh


def mark_claim_notified(claim: WinnerClaim | int) -> None:
    """The winner was told about her claim (a notification went out, or the bot said it)."""
    pk = claim.pk if isinstance(claim, WinnerClaim) else claim
    WinnerClaim.objects.filter(pk=pk, notified_at__isnull=True).update(notified_at=timezone.now())
