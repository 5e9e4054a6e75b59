"""The flagged payment-link payments page: each payment that could not confirm its order by
itself, with the reason in words (translated), the order, amount and time; reviewers mark
them handled (audited), viewers only read. Statement flags are shown in words too."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.tests.conftest import make_staff
from raffles import services
from raffles.audit import EventKind
from raffles.models import LinkFlag, LinkPayment, Order, OrderEvent, Raffle

pytestmark = pytest.mark.django_db


def _client(role: str, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(make_staff(f"{role}-{language}", role))
    return client


@pytest.fixture
def flagged(raffle: Raffle, buyer: Any) -> list[LinkPayment]:
    order = services.reserve_specific(raffle.pk, [5], buyer)
    return [
        LinkPayment.objects.create(
            provider="mercadopago",
            payment_id=f"{n}",
            status=status,
            order=order,
            amount=Decimal("11.00"),
            currency="USD",
            outcome=LinkPayment.Outcome.FLAGGED,
            reason="details",
            flag=flag,
        )
        for n, (status, flag) in enumerate(
            [("approved", LinkFlag.WRONG_AMOUNT), ("charged_back", LinkFlag.CHARGED_BACK)]
        )
    ]


def test_the_list_says_why_in_words_with_order_amount_and_time(
    flagged: list[LinkPayment],
) -> None:
    page = _client("viewer").get(reverse("portal:link-payments")).content.decode()
    assert "Paid a different amount: refund it or settle by hand" in page
    assert "The buyer disputed the payment (chargeback): check the order" in page
    assert "wrong_amount</td>" not in page
    order = flagged[0].order
    assert order is not None
    assert reverse("portal:order", args=[order.code]) in page
    assert "Mark handled" not in page  # a viewer only reads


def test_the_list_in_spanish_and_portuguese(flagged: list[LinkPayment]) -> None:
    spanish = _client("reviewer", "es").get(reverse("portal:link-payments")).content.decode()
    assert "Se pagó otro monto: devuélvelo o resuélvelo a mano" in spanish
    portuguese = _client("reviewer", "pt-br").get(reverse("portal:link-payments")).content.decode()
    assert "Foi pago outro valor: devolva ou resolva manualmente" in portuguese


def test_a_reviewer_marks_a_payment_handled_once(flagged: list[LinkPayment]) -> None:
    client = _client("reviewer")
    url = reverse("portal:link-payment-handled", args=[flagged[0].pk])
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # again: nothing more
    page = client.get(reverse("portal:link-payments")).content.decode()
    assert f'data-payment="{flagged[0].pk}"' not in page
    assert f'data-payment="{flagged[1].pk}"' in page
    handled = LinkPayment.objects.get(pk=flagged[0].pk)
    assert handled.handled_at is not None
    assert handled.handled_by is not None
    assert OrderEvent.objects.filter(kind=EventKind.PAYMENT_FLAG_HANDLED).count() == 1


@pytest.mark.parametrize("role", ["viewer", "seller"])
def test_only_reviewers_and_owners_mark_handled(role: str, flagged: list[LinkPayment]) -> None:
    url = reverse("portal:link-payment-handled", args=[flagged[0].pk])
    assert _client(role).post(url).status_code == 403
    assert LinkPayment.objects.get(pk=flagged[0].pk).handled_at is None


def test_statement_flags_are_shown_in_words(raffle: Raffle, buyer: Any) -> None:
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    Order.objects.filter(pk=order.pk).update(code="ABC234")
    csv = b"Fecha;Concepto;Importe\n01/12/2026;Transferencia ABC234;5,00\n"
    services.import_statement(content=csv)
    page = _client("viewer", "es").get(reverse("portal:statements")).content.decode()
    assert "Menos que el total de los pedidos" in page
    assert "(partial)" not in page
