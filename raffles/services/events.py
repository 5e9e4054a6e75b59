"""The audit log: every state change and staff action leaves an OrderEvent, built here."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from raffles.audit import ORIGIN_KEY, EventKind, event_values
from raffles.models import Order, OrderEvent, Raffle
from raffles.services.actors import ActorLike, as_actor
from raffles.services.origin import current_origin

# Actors whose events record where the action came from (`details["origin"]`).
ORIGIN_ACTORS = frozenset({OrderEvent.Actor.STAFF, OrderEvent.Actor.API})


def build_event(
    *,
    kind: EventKind | str,
    by: ActorLike = None,
    order: Order | None = None,
    raffle: Raffle | None = None,
    **details: Any,
) -> OrderEvent:
    """The audit row (not saved yet). The order's raffle when no raffle is given; the system
    when nobody is. A staff or API action done in a request records its address and browser
    (`details["origin"]`, `raffles.services.origin`). Raises ValueError for a kind that is not
    an `EventKind`."""
    actor = as_actor(by)
    origin = current_origin()
    if origin is not None and actor.type in ORIGIN_ACTORS:
        details = {**details, ORIGIN_KEY: origin.as_details()}
    if raffle is None and order is not None:
        raffle = order.raffle
    event = OrderEvent(
        **event_values(
            kind=kind,
            order_id=order.pk if order is not None else None,
            raffle_id=raffle.pk if raffle is not None else None,
            actor_type=actor.type,
            actor_user_id=getattr(actor.user, "pk", None),
            actor_label=actor.label,
            created_at=timezone.now(),
            details=details,
        )
    )
    if order is not None:
        event.order = order
    if raffle is not None:
        event.raffle = raffle
    return event


def log_event(
    *,
    kind: EventKind | str,
    by: ActorLike = None,
    order: Order | None = None,
    raffle: Raffle | None = None,
    **details: Any,
) -> OrderEvent:
    """Record one audit row (`build_event`, saved)."""
    event = build_event(kind=kind, by=by, order=order, raffle=raffle, **details)
    event.save(force_insert=True)
    return event
