"""Cheap "did anything change?" fingerprints, polled every second by the `live-version`
component. Each is one or two index look-ups, never a scan of a raffle's numbers.

A scope names what a page shows: `global`, `proofs`, `raffle:<id>`, `order:<id>`,
`contact:<id>`, `contacts`. An unknown scope never changes.
"""

from __future__ import annotations

import time

from django.db.models import Max

from raffles.models import Order, OrderEvent, PaymentProof
from raffles.public.version import change_fingerprint

# Holds run out with no event until the expiry job runs; time-bucketed scopes refresh anyway.
GLOBAL_BUCKET_SECONDS = 30


def _last_event_id(**filters: object) -> int:
    pk = OrderEvent.objects.filter(**filters).order_by("-id").values_list("id", flat=True).first()
    return int(pk or 0)


def raffle_version(raffle_id: int) -> str:
    """Changes when any order of the raffle changes, and when a hold runs out (the same
    fingerprint the public board's version is made of)."""
    last, lapsed = change_fingerprint(raffle_id)
    return f"{last}.{lapsed}"


def global_version() -> str:
    last = OrderEvent.objects.aggregate(m=Max("id"))["m"] or 0
    return f"{last}.{int(time.time()) // GLOBAL_BUCKET_SECONDS}"


def proofs_version() -> str:
    pending = PaymentProof.objects.filter(review=PaymentProof.Review.PENDING)
    last = pending.order_by("-id").values_list("id", flat=True).first() or 0
    return f"{last}.{pending.count()}"


def order_version(order_id: int) -> str:
    order = Order.objects.filter(pk=order_id).values("updated_at", "buyer_id").first()
    if order is None:
        return "gone"
    parts = [str(_last_event_id(order_id=order_id)), order["updated_at"].isoformat()]
    parts.append(_messaging_version(buyer_id=order["buyer_id"]))
    return ".".join(parts)


def _messaging_version(
    *, contact_id: int | None = None, buyer_id: int | None = None, wa_id: str | None = None
) -> str:
    try:
        from portal import conversations
    except ImportError:  # pragma: no cover
        return "-"
    return conversations.messages_version(contact_id=contact_id, buyer_id=buyer_id, wa_id=wa_id)


def version_for(scope: str) -> str:
    kind, _, arg = (scope or "").partition(":")
    try:
        if kind == "global":
            return global_version()
        if kind == "proofs":
            return proofs_version()
        if kind == "raffle":
            return raffle_version(int(arg))
        if kind == "order":
            return order_version(int(arg))
        if kind == "wa":
            return _messaging_version(wa_id="".join(ch for ch in arg if ch.isdigit()))
        if kind in {"contact", "contacts"}:
            return _messaging_version(contact_id=int(arg)) if arg else _messaging_version()
    except ValueError:
        pass
    return "-"
