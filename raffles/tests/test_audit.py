"""One audit model, enumerated kinds, one builder: every row written is of a known kind."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from raffles import services
from raffles.audit import EVENT_FIELDS, EventKind
from raffles.models import Buyer, OrderEvent, Raffle
from raffles.services.events import build_event

ROOT = Path(__file__).resolve().parents[2]
APPS = ("raffles", "messaging", "portal", "config")


def _product_sources() -> list[Path]:
    return [
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


def test_the_row_shape_is_the_models_columns() -> None:
    columns = [f.name for f in OrderEvent._meta.concrete_fields if not f.primary_key]
    assert list(EVENT_FIELDS) == columns
    assert OrderEvent._meta.get_field("kind").choices == EventKind.choices


def test_the_builder_refuses_a_kind_that_is_not_enumerated() -> None:
    with pytest.raises(ValueError, match="not_a_kind"):
        build_event(kind="not_a_kind")
    assert build_event(kind="paid").kind == EventKind.PAID


def test_every_kind_written_in_the_code_is_enumerated() -> None:
    """Kinds given as text (not as `EventKind` members) to the builder or to the hand-written
    reservation SQL (the kind handed to its statement), and every member named."""
    written: set[str] = set()
    members: set[str] = set()
    for path in _product_sources():
        text = path.read_text()
        written.update(re.findall(r'(?:log_event|build_event)\(\s*kind="([^"]+)"', text))
        written.update(re.findall(r'_hold\([^)]*?"([a-z_]+)"', text))
        members.update(re.findall(r"EventKind\.([A-Z_]+)\b", text))
    assert written <= set(EventKind.values)
    assert members <= set(EventKind.names)
    assert {"RESERVED", "RESERVED_RANDOM"} <= members  # the SQL path writes the builder's kinds


@pytest.mark.django_db
def test_every_row_written_on_an_orders_way_is_of_a_known_kind(
    raffle: Raffle, buyer: Buyer, other_buyer: Buyer
) -> None:
    """Through both writers: the SQL path (reservations) and the ORM (the rest)."""
    paid = services.reserve_specific(raffle.pk, [1, 2], buyer)
    services.attach_payment_proof(paid, content=b"%PDF-1", mime_type="application/pdf")
    services.confirm_paid(paid)
    cancelled = services.reserve_random(raffle.pk, 2, other_buyer)
    services.cancel_order(cancelled, by=other_buyer)
    services.reserve_specific(raffle.pk, [9], other_buyer)
    services.expire_reservations(timezone.now() + timedelta(days=1))
    kinds = set(OrderEvent.objects.values_list("kind", flat=True))
    assert {"reserved", "reserved_random", "paid", "cancelled", "expired"} <= kinds
    assert kinds <= set(EventKind.values)
