"""Sales from the ticket grid's selection panel, per role: owners and sellers sell, a seller
sees only her own sales, viewers and reviewers are refused; the receipt page and the
WhatsApp receipt; the bulk actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from messaging.models import Contact, OutboundMessage
from portal.selection import parse_numbers
from portal.tests.conftest import make_staff, unicorn_call
from raffles import services
from raffles.exceptions import InvalidInput
from raffles.models import Order, Raffle, TicketNumber

pytestmark = pytest.mark.django_db

SALE = {"name": "Ana Pérez", "phone": "+52 155 9999 0000", "outcome": "paid", "method": "cash"}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sell(client: Client, raffle: Raffle, numbers: str, **fields: Any) -> Any:
    data = {"raffle_id": raffle.pk, "numbers": numbers, **SALE, **fields}
    return unicorn_call(client, "ticket-sale", "sell", data)


def test_parse_numbers_reads_lists_and_ranges() -> None:
    assert parse_numbers("3, 4, 7-9") == [3, 4, 7, 8, 9]
    assert parse_numbers(" 9 - 7 ;2 2") == [2, 7, 8, 9]
    for bad in ("", "a", "1.5", "3-", "1-5000"):
        with pytest.raises(InvalidInput):
            parse_numbers(bad, limit=100)


def test_a_seller_sells_and_sees_only_her_own_sales(raffle: Raffle) -> None:
    sally, other = make_staff("sally", "seller"), make_staff("olga", "seller")
    result = sell(client_for(sally), raffle, "3-5", note="fair")
    assert result.status_code == 200
    assert 'data-testid="sale-message"' in result.dom
    order = Order.objects.get()
    assert order.sold_by == sally
    assert order.status == Order.Status.PAID
    assert order.numbers() == [3, 4, 5]
    assert order.buyer.name == "Ana Pérez"
    assert reverse("portal:order-receipt", args=[order.code]) in result.dom
    sell(client_for(other), raffle, "10", name="Bo", phone="")
    mine = client_for(sally).get(reverse("portal:orders")).content.decode()
    assert order.code in mine
    assert Order.objects.get(sold_by=other).code not in mine
    receipt = client_for(sally).get(reverse("portal:order-receipt", args=[order.code]))
    assert receipt.status_code == 200
    assert "03, 04, 05" in receipt.content.decode()
    refused = client_for(other).get(reverse("portal:order-receipt", args=[order.code]))
    assert refused.status_code == 404


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_viewers_and_reviewers_cannot_sell(raffle: Raffle, role: str) -> None:
    result = sell(client_for(make_staff(f"{role}-1", role)), raffle, "1")
    assert result.status_code == 403
    assert not Order.objects.exists()


def test_sale_errors_show_next_to_their_fields(raffle: Raffle) -> None:
    owner = client_for(make_staff("own", "owner"))
    result = sell(owner, raffle, "1", name="")
    assert "field-error" in result.dom
    result = sell(owner, raffle, "1", phone="12")
    assert "field-error" in result.dom
    services.reserve_specific(raffle.pk, [2], services.create_buyer_without_phone(name="X"))
    result = sell(owner, raffle, "1-2")
    assert "alert error" in result.dom
    assert Order.objects.count() == 1


def test_a_reserved_sale_and_the_receipt_on_whatsapp(raffle: Raffle) -> None:
    sally = make_staff("sally", "seller")
    client = client_for(sally)
    result = sell(client, raffle, "7", outcome="reserved", method="transfer")
    order = Order.objects.get()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.sale_method == "transfer"
    detail = unicorn_call(client, "ticket-detail", "show(7)", {"raffle_id": raffle.pk}).dom
    assert "until staff confirm or release it" in detail
    assert unicorn_call(client, "ticket-sale", "send_receipt", result.data).status_code == 200
    contact = Contact.objects.get(buyer=order.buyer)
    assert contact.wa_id == "5215599990000"
    assert OutboundMessage.objects.filter(contact=contact).exists()


def test_a_paid_sale_to_a_known_contact_queues_the_receipt(raffle: Raffle) -> None:
    known = services.get_or_create_buyer(phone="+5215599990000", name="Ana")
    contact = Contact.objects.create(wa_id="5215599990000", profile_name="Ana", buyer=known)
    before = OutboundMessage.objects.filter(contact=contact).count()
    sell(client_for(make_staff("own", "owner")), raffle, "8")
    assert OutboundMessage.objects.filter(contact=contact).count() > before


def test_bulk_actions_on_the_selection(raffle: Raffle) -> None:
    owner = client_for(make_staff("own", "owner"))
    buyer = services.create_buyer_without_phone(name="X")
    held = services.reserve_specific(raffle.pk, [20, 21], buyer)
    other = services.reserve_specific(raffle.pk, [30], buyer)
    data = {"raffle_id": raffle.pk}
    unicorn_call(owner, "ticket-sale", "confirm_held", {**data, "numbers": "20"})
    held.refresh_from_db()
    assert held.status == Order.Status.PAID
    unicorn_call(owner, "ticket-sale", "release_held", {**data, "numbers": "30"})
    other.refresh_from_db()
    assert other.status == Order.Status.CANCELLED
    unicorn_call(owner, "ticket-sale", "block", {**data, "numbers": "40-42"})
    blocked = TicketNumber.objects.filter(raffle=raffle, status=TicketNumber.Status.BLOCKED)
    assert sorted(blocked.values_list("number", flat=True)) == [40, 41, 42]
    grid = unicorn_call(owner, "ticket-grid", "refresh", data).dom
    assert 'data-n="40" data-status="BLOCKED"' in grid
    assert "blocked from sale" in grid
    unicorn_call(owner, "ticket-sale", "unblock", {**data, "numbers": "41"})
    assert blocked.count() == 2
    seller = client_for(make_staff("sally", "seller"))
    assert unicorn_call(seller, "ticket-sale", "block", {**data, "numbers": "1"}).status_code == 403


def test_pick_random_fills_the_selection_with_free_numbers(raffle: Raffle) -> None:
    owner = client_for(make_staff("own", "owner"))
    result = unicorn_call(owner, "ticket-sale", "pick_random", {"raffle_id": raffle.pk, "qty": "5"})
    picked = parse_numbers(result.data["numbers"])
    assert len(picked) == 5
    bad = unicorn_call(owner, "ticket-sale", "pick_random", {"raffle_id": raffle.pk, "qty": "x"})
    assert "field-error" in bad.dom


def test_a_cash_sale_with_the_buyers_coupon(raffle: Raffle) -> None:
    from raffles.services.pricing import create_coupon

    coupon = create_coupon(raffle=raffle, code="FAIR", kind="fixed", value="5", max_uses=1)
    sally = client_for(make_staff("sally", "seller"))
    form = unicorn_call(sally, "ticket-sale", "refresh", {"raffle_id": raffle.pk}).dom
    assert 'id="sale-coupon"' in form
    assert "Coupon code (optional)" in form
    result = sell(sally, raffle, "3-4", coupon=" fair ")
    assert result.status_code == 200
    assert "with coupon FAIR" in result.dom
    assert result.data["coupon"] == ""
    order = Order.objects.get()
    assert (order.coupon_code, str(order.total_amount)) == ("FAIR", "15.00")
    coupon.refresh_from_db()
    assert coupon.used_count == 1
    used_up = sell(sally, raffle, "5", coupon="FAIR")
    assert used_up.status_code == 200
    assert "field-error" in used_up.dom
    assert "has been used as many times as it allows" in used_up.dom
    assert used_up.data["coupon"] == "FAIR"  # kept in the form, to correct
    assert Order.objects.count() == 1
    assert TicketNumber.objects.get(raffle=raffle, number=5).status == "AVAILABLE"


@pytest.mark.parametrize(
    ("code", "shown"),
    [("NOPE", "No coupon NOPE for this raffle"), ("OLD", "The coupon OLD has expired")],
)
def test_a_coupon_that_cannot_be_used_sells_nothing(raffle: Raffle, code: str, shown: str) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from raffles.services.pricing import create_coupon

    ended = timezone.now() - timedelta(hours=1)
    create_coupon(raffle=raffle, code="OLD", kind="percent", value="10", ends_at=ended)
    result = sell(client_for(make_staff("own", "owner")), raffle, "1", coupon=code)
    assert result.status_code == 200
    assert shown in result.dom
    assert 'class="field invalid"' in result.dom
    assert not Order.objects.exists()


def test_the_coupons_refusal_in_the_staff_members_language(raffle: Raffle) -> None:
    from portal.models import StaffPreferences

    owner = make_staff("own", "owner")
    StaffPreferences.objects.create(user=owner, language="es")
    result = sell(client_for(owner), raffle, "1", coupon="NOPE")
    assert "Código de cupón (opcional)" in result.dom
    assert "No hay un cupón NOPE para esta rifa" in result.dom
    assert not Order.objects.exists()
