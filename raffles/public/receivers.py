"""The domain's signals invalidate a raffle's public version (connected in RafflesConfig)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from raffles import signals
from raffles.models import Raffle
from raffles.public import version


def _order_changed(sender: Any, order: Any = None, raffle: Any = None, **kwargs: Any) -> None:
    raffle_id = getattr(order, "raffle_id", None) or getattr(raffle, "pk", None)
    if raffle_id:
        version.invalidate(int(raffle_id))


def _raffle_saved(sender: Any, instance: Raffle, **kwargs: Any) -> None:
    version.invalidate(instance.pk)


def connect() -> None:
    for signal in (
        signals.order_reserved,
        signals.order_expired,
        signals.proof_received,
        signals.order_paid,
        signals.payment_rejected,
        signals.order_cancelled,
        signals.raffle_drawn,
        signals.early_draw_drawn,
    ):
        signal.connect(_order_changed, dispatch_uid=f"public-version-{id(signal)}")
    post_save.connect(_raffle_saved, sender=Raffle, dispatch_uid="public-version-raffle")
