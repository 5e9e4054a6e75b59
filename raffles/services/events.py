"""The audit log: every state change and staff action leaves an OrderEvent."""

from __future__ import annotations

from typing import Any

from raffles.models import Order, OrderEvent, Raffle
from raffles.services.actors import ActorLike, as_actor


def log_event(
    *,
    kind: str,
    by: ActorLike = None,
    order: Order | None = None,
    raffle: Raffle | None = None,
    **details: Any,
) -> OrderEvent:
    actor = as_actor(by)
    if raffle is None and order is not None:
        raffle = order.raffle
    return OrderEvent.objects.create(
        kind=kind,
        order=order,
        raffle=raffle,
        actor_type=actor.type,
        actor_user=actor.user if getattr(actor.user, "pk", None) else None,
        actor_label=actor.label,
        details=details,
    )
