"""The payment pages through HTTP: a raffle's payment methods, the statement import and
the queue of lines waiting for staff (assign in one click, confirm, discard), by role."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portal.tests.conftest import make_staff
from raffles import services
from raffles.models import (
    LineState,
    Order,
    PaymentSetup,
    Raffle,
    StatementLine,
    StatementMapping,
)
from raffles.tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db

CSV = (
    b"Fecha;Concepto;Importe\n"
    b"01/12/2026;Transferencia ABC234;20,00\n"
    b"01/12/2026;Transferencia de Ana;10,00\n"
)


@pytest.fixture
def order(raffle: Raffle, buyer: Any) -> Order:
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    Order.objects.filter(pk=order.pk).update(code="ABC234")
    order.refresh_from_db()
    return order


def _client(role: str) -> Client:
    client = Client()
    client.force_login(make_staff(f"{role}-p", role))
    return client


def test_owner_sets_payment_methods_with_pix(staff_client: Client, raffle: Raffle) -> None:
    Raffle.objects.filter(pk=raffle.pk).update(currency="BRL")
    url = reverse("portal:raffle-payments", args=[raffle.pk])
    assert staff_client.get(url).status_code == 200
    response = staff_client.post(
        url,
        {
            "methods": ["transfer", "pix"],
            "pix_key": "rifa@example.com",
            "pix_merchant_name": "Rifa Solidária",
            "pix_merchant_city": "Recife",
            "statement_matching": "suggest",
        },
    )
    assert response.status_code == 200
    assert b'data-testid="saved"' in response.content
    setup = PaymentSetup.objects.get(raffle=raffle)
    assert setup.methods == ["transfer", "pix"]
    assert setup.statement_matching == "suggest"
    bad = staff_client.post(url, {"methods": ["pix"], "statement_matching": "automatic"})
    assert b"Pix" in bad.content
    assert b'data-testid="saved"' not in bad.content


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("reviewer", 403), ("viewer", 403)])
def test_payment_methods_need_raffle_management(role: str, status: int, raffle: Raffle) -> None:
    url = reverse("portal:raffle-payments", args=[raffle.pk])
    assert _client(role).get(url).status_code == status


def test_import_then_assign_the_unmatched_line(
    staff_client: Client, order: Order, raffle: Raffle
) -> None:
    other = services.reserve_specific(raffle.pk, [7], BuyerFactory())
    url = reverse("portal:statements")
    upload = SimpleUploadedFile("banco.csv", CSV, content_type="text/csv")
    response = staff_client.post(url, {"file": upload})
    assert response.status_code == 200
    assert b'data-testid="import-result"' in response.content
    assert b"2 lines: 1 confirmed" in response.content
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    line = StatementLine.objects.get(state=LineState.UNMATCHED)
    assert f'data-line="{line.pk}"'.encode() in response.content
    assigned = staff_client.post(
        reverse("portal:statement-line", args=[line.pk]), {"code": other.code.lower()}
    )
    assert assigned.status_code == 302
    other.refresh_from_db()
    assert other.status == Order.Status.PAID
    assert b'data-testid="queue-empty"' in staff_client.get(url).content


def test_unknown_codes_and_discards(staff_client: Client, order: Order) -> None:
    services.import_statement(content=CSV)
    line = StatementLine.objects.get(state=LineState.UNMATCHED)
    url = reverse("portal:statement-line", args=[line.pk])
    wrong = staff_client.post(url, {"code": "ZZZZZZ"})
    assert wrong.status_code == 400
    assert b"There is no order ZZZZZZ" in wrong.content
    assert staff_client.post(url, {"action": "discard"}).status_code == 302
    line.refresh_from_db()
    assert line.state == LineState.DISCARDED


def test_a_saved_mapping(staff_client: Client, order: Order) -> None:
    response = staff_client.post(
        reverse("portal:statement-mapping"),
        {
            "name": "Banco Raro",
            "date_column": "Dia",
            "description_columns": "Movimiento, Nota",
            "amount_column": "Entrada",
            "decimal": ",",
        },
    )
    assert response.status_code == 302
    mapping = StatementMapping.objects.get()
    assert mapping.description_columns == ["Movimiento", "Nota"]


@pytest.mark.parametrize(
    ("role", "page", "upload"),
    [("owner", 200, True), ("reviewer", 200, True), ("viewer", 200, False), ("seller", 403, False)],
)
def test_statement_pages_by_role(role: str, page: int, upload: bool, order: Order) -> None:
    client = _client(role)
    url = reverse("portal:statements")
    response = client.get(url)
    assert response.status_code == page
    if page == 200:
        assert (b'data-testid="statement-upload"' in response.content) is upload
    posted = client.post(url, {"file": SimpleUploadedFile("b.csv", CSV)})
    assert (posted.status_code == 200) is upload
    services.import_statement(content=CSV + b"\n02/12/2026;otra;1,00")
    line = StatementLine.objects.filter(state=LineState.UNMATCHED).first()
    status = client.post(reverse("portal:statement-line", args=[line.pk]), {"action": "discard"})
    assert (status.status_code == 302) is upload
