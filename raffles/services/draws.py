"""Verifiable draws: commit at activation, freeze the sold numbers after close, draw. Two
methods: a secret seed committed at activation and an external public value
(`raffles.draw_method`), or the last digits of an official lottery result with a fallback
fixed in advance (`raffles.draw_lottery`). docs/draws.md explains both and why they are fair.
Early-bird draws live in `raffles.services.early_draws`; verification in
`raffles.services.draw_checks`.

Order of events, each recorded as an audit event:

1. `create_commitment` (inside `activate_raffle`): a secret seed and its SHA-256 commitment.
2. `freeze_entries` (after `close_raffle`): the canonical list of paid numbers and its hash.
   Refused while orders may still be paid, unless staff exclude them explicitly: those are
   cancelled with the reason (`reversals.cancel_excluded_order`). From then on no payment
   of the raffle can be confirmed (`ensure_payments_open`).
3. `draw_raffle`: winners = f(seed, external value, frozen list), or f(lottery results,
   frozen list, fallback); a lottery draw whose results run out stays pending until the
   next result. Once complete the seed is revealed, the raffle becomes DRAWN, each winning
   order gets an open prize claim (`services.claims`),
   `signals.raffle_drawn` is sent. Idempotent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from raffles import draw_lottery, signals
from raffles.audit import EventKind
from raffles.draw_method import canonical_entries, entries_hash
from raffles.draw_models import DrawRecord
from raffles.exceptions import (
    AlreadyDrawn,
    EntriesFrozen,
    InvalidInput,
    NoEntries,
    PaymentsPending,
    RaffleNotClosed,
    TooManyPrizes,
)
from raffles.models import Draw, Order, OrderEvent, PaymentProof, Raffle, TicketNumber
from raffles.services import claims, draw_setup
from raffles.services.actors import ActorLike
from raffles.services.events import log_event

MAX_PRIZES = 1000
MAX_EXTERNAL_VALUE = 200


# --- 1. Commit ---------------------------------------------------------------------------


def create_commitment(raffle: Raffle, *, by: ActorLike = None) -> Draw:
    """Publish the raffle's draw at activation: for the HMAC method a secret seed and its
    SHA-256 commitment, for the lottery method its fallback. Idempotent: a raffle keeps the
    seed it was given first. A draw set up while the raffle was a draft (`set_draw_setup`)
    is published as it is. Called by `activate_raffle`, in its transaction."""
    existing = Draw.objects.filter(raffle_id=raffle.pk).first()
    if existing is not None:
        if not OrderEvent.objects.filter(raffle=raffle, kind=EventKind.DRAW_COMMITTED).exists():
            existing.committed_at = timezone.now()
            existing.save(update_fields=["committed_at"])
            _log_committed(raffle, existing, by)
        return existing
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                raffle=raffle, **draw_setup.new_record_fields(draw_setup.METHODS[0], "")
            )
            _log_committed(raffle, draw, by)
    except IntegrityError:  # committed concurrently: the first seed stays
        return Draw.objects.get(raffle_id=raffle.pk)
    return draw


def _log_committed(raffle: Raffle, draw: Draw, by: ActorLike) -> None:
    # Never the seed here: events are shown to staff before the draw.
    log_event(
        kind=EventKind.DRAW_COMMITTED,
        by=by,
        raffle=raffle,
        commitment=draw.commitment,
        method=draw.method,
        fallback=draw.fallback,
        prize_names=list(draw.prize_names),
    )


# --- 2. Freeze ---------------------------------------------------------------------------


def pending_orders(raffle: Raffle, now: datetime | None = None) -> QuerySet[Order]:
    """Orders that may still become PAID: a proof waits for review, or the hold still runs."""
    now = now or timezone.now()
    proof_waiting = Q(status__in=Order.PROOF_STATUSES, proofs__review=PaymentProof.Review.PENDING)
    ids = Order.objects.filter(proof_waiting | Order.holding_q(now), raffle=raffle).values("pk")
    return Order.objects.filter(pk__in=ids).order_by("created_at", "id")


def paid_numbers(raffle: Raffle) -> list[int]:
    """Every number of a PAID order of the raffle, ascending."""
    return sorted(
        TicketNumber.objects.filter(
            raffle=raffle,
            status=TicketNumber.Status.SOLD,
            reserved_by_order__status=Order.Status.PAID,
        ).values_list("number", flat=True)
    )


def _lock(raffle: Raffle) -> tuple[Raffle, Draw | None]:
    """Lock the raffle's draw row (PostgreSQL; SQLite serialises writers itself), then read
    the raffle fresh. Never the raffle row: `confirm_paid` holds a key-share lock on it (its
    audit event) when it reaches the draw row, so locking the raffle here could deadlock."""
    draw = Draw.objects.select_for_update().filter(raffle_id=raffle.pk).first()
    fresh = Raffle.objects.get(pk=raffle.pk)
    if draw is None and fresh.status == Raffle.Status.CLOSED:
        # Activated before draws existed: commit now. The page shows the commitment's date.
        create_commitment(fresh, by=None)
        draw = Draw.objects.select_for_update().get(raffle_id=raffle.pk)
    return fresh, draw


def _freeze(raffle: Raffle, draw: Draw | None, *, exclude_pending: bool, by: ActorLike) -> Draw:
    """Freeze inside the caller's transaction, with the draw row locked."""
    if draw is not None and draw.is_frozen:
        return draw
    if raffle.status != Raffle.Status.CLOSED or draw is None:
        raise RaffleNotClosed(raffle.get_status_display().lower())
    pending = list(pending_orders(raffle))
    if pending and not exclude_pending:
        raise PaymentsPending([order.code for order in pending])
    numbers = paid_numbers(raffle)
    if not numbers:
        raise NoEntries("No number of this raffle was paid for: there is nothing to draw")
    entries = canonical_entries(numbers, raffle.number_width)
    draw.entries = entries
    draw.entries_hash = entries_hash(entries)
    draw.entries_count = len(numbers)
    draw.excluded = [{"order": order.code, "numbers": order.numbers()} for order in pending]
    from raffles.services.reversals import cancel_excluded_order  # reversals imports draws

    for order in pending:  # left out: they leave "pending", with the reason
        cancel_excluded_order(order, by=by)
    draw.frozen_at = timezone.now()
    draw.save(update_fields=["entries", "entries_hash", "entries_count", "excluded", "frozen_at"])
    log_event(
        kind=EventKind.ENTRIES_FROZEN,
        by=by,
        raffle=raffle,
        entries_hash=draw.entries_hash,
        entries_count=draw.entries_count,
        excluded_orders=[item["order"] for item in draw.excluded],
    )
    return draw


def freeze_entries(raffle: Raffle, *, exclude_pending: bool = False, by: ActorLike = None) -> Draw:
    """Freeze the list of numbers taking part (those of PAID orders) and publish its hash.

    Needs closed sales. Raises PaymentsPending while orders may still be paid (a proof waits
    for review, a hold still runs) unless `exclude_pending`: those orders then stay out of
    the draw, cancelled with the reason. Raises NoEntries when nothing was paid.
    Idempotent: a frozen list never changes.
    """
    with transaction.atomic():
        fresh, draw = _lock(raffle)
        return _freeze(fresh, draw, exclude_pending=exclude_pending, by=by)


def ensure_payments_open(order: Order) -> None:
    """Called by `confirm_paid` inside its transaction: refuse a payment once the raffle's
    entries are frozen. Locks the draw row, so a payment and a freeze never interleave."""
    frozen = list(
        Draw.objects.select_for_update()
        .filter(raffle_id=order.raffle_id)
        .values_list("frozen_at", flat=True)
    )
    if frozen and frozen[0] is not None:
        raise EntriesFrozen(
            "The list of numbers taking part in the draw is frozen; this payment can no"
            " longer be confirmed (refund it)",
            order=order.code,
        )


# --- 3. Draw -----------------------------------------------------------------------------


def clean_external(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > MAX_EXTERNAL_VALUE:
        raise InvalidInput(
            _("The external value can have at most %(limit)s characters")
            % {"limit": MAX_EXTERNAL_VALUE},
            field="external_value",
        )
    if any(not ch.isprintable() for ch in text):
        raise InvalidInput(
            _("The external value must be one line of printable text"), field="external_value"
        )
    return text


def clean_prizes(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PRIZES:
        raise InvalidInput(
            _("The number of prizes must be a whole number from 1 to %(limit)s")
            % {"limit": MAX_PRIZES},
            field="prizes",
        )
    return value


def _prize_count(draw: Draw, prizes: Any) -> int:
    if prizes is None:
        prizes = draw.prizes or len(draw.prize_names or []) or 1
    return clean_prizes(prizes)


def draw_raffle(
    raffle: Raffle,
    *,
    external_value: str = "",
    prizes: int | None = None,
    lottery_result: dict[str, Any] | None = None,
    exclude_pending: bool = False,
    by: ActorLike = None,
) -> Draw:
    """Draw `prizes` winners (default: one per prize description, else one), in prize
    order, without repetition.

    HMAC method: from the external value; the seed is revealed. Lottery method: staff enter
    the official `lottery_result` ({"numbers", "source", "url", "date"}); when the results
    so far give fewer winners than prizes (the "redraw" fallback, or every number unsold)
    the draw stays pending and the next result continues it.

    Freezes the list first if that was not done (same rules as `freeze_entries`). Once
    complete the raffle becomes DRAWN and `signals.raffle_drawn` is sent. The same request
    again returns the stored result; other parameters raise AlreadyDrawn. Raises
    RaffleNotClosed, PaymentsPending, NoEntries, TooManyPrizes, InvalidInput.
    """
    external = clean_external(external_value)
    with transaction.atomic():
        fresh, draw = _lock(raffle)
        if draw is not None and draw.is_drawn:
            if _same_draw(draw, external, prizes, lottery_result):
                return draw
            raise AlreadyDrawn(draw.external_value, draw.prizes or 0)
        draw = _freeze(fresh, draw, exclude_pending=exclude_pending, by=by)
        count = _prize_count(draw, prizes)
        if count > (draw.entries_count or 0):
            raise TooManyPrizes(count, draw.entries_count or 0)
        if draw.method == draw_lottery.METHOD:
            if draw.prizes and draw.prizes != count:  # pending: the first result fixed it
                raise AlreadyDrawn(draw.external_value, draw.prizes)
            if not add_result(fresh, draw, lottery_result, by=by):
                return draw
        else:
            draw.external_value = external
        computed = draw_setup.compute_winners(draw, count)
        draw.winners = computed.winners
        draw.prizes = count
        draw.save(update_fields=["winners", "external_value", "prizes", "lottery_results"])
        if computed.complete:
            _finish(fresh, draw, by)
    return draw


def _same_draw(draw: Draw, external: str, prizes: int | None, result: Any) -> bool:
    if prizes is not None and prizes != draw.prizes:
        return False
    if draw.method == draw_lottery.METHOD:
        return result is None or _recorded_result(draw, result)
    return draw.external_value == external


def _recorded_result(draw: Draw, result: Any) -> bool:
    try:
        cleaned = draw_setup.clean_lottery_result(result, len(draw.entries.split("\n", 1)[0]))
    except InvalidInput:
        return False
    return cleaned.as_json() in list(draw.lottery_results)


def add_result(raffle: Raffle, draw: DrawRecord, result: Any, *, by: ActorLike) -> bool:
    """Append an official result to a frozen lottery record (inside the caller's
    transaction, the record locked). False when it was already entered (nothing to do).
    Refused when the lottery drew before the list was frozen, or not after the last one."""
    width = raffle.number_width
    cleaned = draw_setup.clean_lottery_result(result, width)
    if cleaned.as_json() in list(draw.lottery_results):
        return False
    frozen_day = timezone.localdate(draw.frozen_at) if draw.frozen_at else None
    if frozen_day is not None and cleaned.date < frozen_day:
        raise InvalidInput(
            _("The lottery drew on %(date)s, before the list of numbers was frozen")
            % {"date": cleaned.date.isoformat()},
            field="lottery_date",
            conflicts_with=["frozen_at"],
        )
    dates = [str(item["date"]) for item in draw.lottery_results]
    if dates and cleaned.date.isoformat() <= max(dates):
        raise InvalidInput(
            _("A new result must come from a later lottery draw than %(date)s")
            % {"date": max(dates)},
            field="lottery_date",
            conflicts_with=["lottery_results"],
        )
    draw.lottery_results = [*draw.lottery_results, cleaned.as_json()]
    log_event(
        kind=EventKind.LOTTERY_RESULT_ENTERED,
        by=by,
        raffle=raffle,
        record=str(draw),
        result=cleaned.as_json(),
    )
    return True


def _finish(fresh: Raffle, draw: Draw, by: ActorLike) -> None:
    draw.drawn_at = timezone.now()
    draw.save(update_fields=["drawn_at"])
    Raffle.objects.filter(pk=fresh.pk, status=Raffle.Status.CLOSED).update(
        status=Raffle.Status.DRAWN, updated_at=draw.drawn_at
    )
    fresh.refresh_from_db()
    log_event(
        kind=EventKind.RAFFLE_DRAWN,
        by=by,
        raffle=fresh,
        method=draw.method,
        seed=draw.seed,
        commitment=draw.commitment,
        external_value=draw.external_value,
        fallback=draw.fallback,
        lottery_results=list(draw.lottery_results),
        entries_hash=draw.entries_hash,
        prizes=draw.prizes,
        prize_names=list(draw.prize_names),
        winners=draw.winners,
    )
    claims.open_claims(fresh, draw, by=by)
    signals.raffle_drawn.send(sender=Raffle, raffle=fresh)
