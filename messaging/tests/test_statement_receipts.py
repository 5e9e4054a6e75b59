"""A statement import's receipts: each confirmed buyer with a contact gets her receipt and
her ticket picture queued in the import's transaction, in a bounded number of statements per
line; the picture is drawn by the send task, not by the import."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from messaging.channel import outbound_media
from messaging.models import Contact, OutboundMedia, OutboundMessage
from raffles import services
from raffles.models import Order, Raffle
from raffles.tests.factories import BuyerFactory, make_raffle

PER_LINE = 9  # receipt and ticket of one confirmed order, with the buyer's contact


def _orders(raffle: Raffle, numbers: range) -> list[Order]:
    orders = []
    for n in numbers:
        buyer = BuyerFactory()
        Contact.objects.create(wa_id=f"5511900{n:06d}", buyer=buyer, last_inbound_at=timezone.now())
        buyer.refresh_from_db()
        orders.append(services.reserve_specific(raffle.pk, [n], buyer))
    return orders


def _import(orders: list[Order]) -> int:
    rows = [f"01/12/2026;pago {o.code};10,00" for o in orders]
    content = "\n".join(["Fecha;Concepto;Importe", *rows]).encode()
    with CaptureQueriesContext(connection) as queries:
        result = services.import_statement(content=content)
    assert result.counts["confirmed"] == len(orders)
    return len(queries)


@pytest.mark.django_db
def test_receipts_cost_a_bounded_number_of_statements_per_line_and_draw_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    raffle = make_raffle(size=100)
    first, second = _orders(raffle, range(5)), _orders(raffle, range(10, 40))
    before = OutboundMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_capture_on_commit_callbacks(execute=False):
        few = _import(first)
        more = _import(second)
    assert (more - few) / 25 <= PER_LINE
    tickets = OutboundMessage.objects.filter(kind=OutboundMessage.Kind.IMAGE)
    assert tickets.count() == 35
    assert not tickets.filter(media__isnull=False).exists()
    assert OutboundMedia.objects.count() == 0  # nothing drawn yet
    receipts = OutboundMessage.objects.exclude(kind=OutboundMessage.Kind.IMAGE)
    assert receipts.filter(pk__gt=before).count() == 35


@pytest.mark.django_db
def test_the_ticket_is_drawn_from_its_row_in_the_buyers_language() -> None:
    raffle = make_raffle(size=10)
    [order] = _orders(raffle, range(3, 4))
    Contact.objects.filter(buyer=order.buyer).update(language="es")
    services.confirm_paid(order)
    row = OutboundMessage.objects.get(kind=OutboundMessage.Kind.IMAGE)
    assert row.render == {"picture": "ticket", "order": order.pk, "language": "es"}
    assert row.payload["image"]["caption"] == f"Tu boleto {order.code}"
    media = outbound_media.render(row.render)
    assert media.mime_type == "image/png"
    assert media.file.read().startswith(b"\x89PNG")


@pytest.mark.django_db
def test_a_ticket_whose_order_is_gone_cannot_be_drawn() -> None:
    with pytest.raises(outbound_media.RenderFailed):
        outbound_media.render({"picture": "ticket", "order": 999999, "language": "en"})
    with pytest.raises(outbound_media.RenderFailed):
        outbound_media.render({"picture": "nothing"})
