"""factory_boy factories for the domain. Raffles are built through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from raffles import services
from raffles.models import Buyer, Raffle


class BuyerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Buyer
        django_get_or_create = ("phone",)

    phone = factory.Sequence(lambda n: f"+5215500{n:06d}")
    name = factory.Faker("name")


def make_raffle(
    *,
    size: int = 100,
    min_number: int = 0,
    active: bool = True,
    generate: bool = True,
    **fields: Any,
) -> Raffle:
    """An active raffle with generated numbers (min_number .. min_number+size-1)."""
    fields.setdefault("title", "Test raffle")
    fields.setdefault("ticket_price", Decimal("10.00"))
    # Within the raffle's numbers and the per-buyer limit (the raffle's own rules).
    limits = [20, size, fields.get("max_tickets_per_buyer") or size]
    fields.setdefault("max_tickets_per_order", min(limits))
    raffle = services.create_raffle(
        min_number=min_number, max_number=min_number + size - 1, **fields
    )
    if generate or active:
        services.generate_tickets(raffle)
    if active:
        raffle = services.activate_raffle(raffle=raffle)
    raffle.refresh_from_db()
    return raffle
