"""/api/payments/ through HTTP: import a statement (multipart), list the lines that wait,
assign one; roles and errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.tests.api_fixtures import ApiClient, csrf_headers
from raffles import services
from raffles.models import Order, Raffle, StatementLine
from raffles.tests.factories import BuyerFactory

pytestmark = pytest.mark.django_db

CSV = (
    "Data;Histórico;Valor\n"
    "01/12/2026;PIX RECEBIDO ref ABC-234;20,00\n"
    "01/12/2026;PIX RECEBIDO sem referencia;10,00\n"
    "02/12/2026;TARIFA;-1,00\n"
).encode()


@pytest.fixture
def order(raffle: Raffle) -> Order:
    order = services.reserve_specific(raffle.pk, [1, 2], BuyerFactory())
    Order.objects.filter(pk=order.pk).update(code="ABC234")
    order.refresh_from_db()
    return order


def _upload(client: ApiClient, content: bytes, name: str = "extrato.csv", **data: Any) -> Any:
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.client.post(
        "/api/payments/statements/",
        {"file": upload, **data},
        headers=client.headers | data.pop("headers", {}),
    )


def test_import_answers_counts_and_lines(api: ApiClient, order: Order) -> None:
    response = _upload(api, CSV)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["format"] == "csv"
    assert body["counts"] == {
        "lines": 3,
        "confirmed": 1,
        "suggested": 0,
        "flagged": 0,
        "unmatched": 1,
        "duplicate": 0,
        "ignored": 1,
        "invalid": 0,
    }
    assert [(line["status"], line["orders"]) for line in body["lines"]] == [
        ("confirmed", ["ABC234"]),
        ("unmatched", []),
        ("ignored", []),
    ]
    assert body["lines"][0]["amount"] == "20.00"
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    again = _upload(api, CSV).json()
    assert again["counts"]["duplicate"] == 2
    assert again["counts"]["confirmed"] == 0


def test_unmatched_lines_are_listed_and_assigned(api: ApiClient, raffle: Raffle) -> None:
    other = services.reserve_specific(raffle.pk, [5], BuyerFactory())
    _upload(api, CSV)
    listed = api.get("/api/payments/statement-lines/").json()
    assert listed["count"] == 2
    unmatched = next(i for i in listed["items"] if i["amount"] == "10.00")
    response = api.post(
        f"/api/payments/statement-lines/{unmatched['id']}/assign/", {"orders": [other.pk]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "confirmed"
    other.refresh_from_db()
    assert other.status == Order.Status.PAID
    again = api.post(f"/api/payments/statement-lines/{unmatched['id']}/assign/", {})
    assert again.status_code == 409
    assert again.json()["code"] == "statement_line_conflict"
    assert api.post("/api/payments/statement-lines/999/assign/", {}).status_code == 404


def test_ofx_and_bad_files(api: ApiClient, order: Order) -> None:
    ofx = (
        b"OFXHEADER:100\n\n<OFX><CURDEF>USD<BANKTRANLIST><STMTTRN><DTPOSTED>20261201"
        b"<TRNAMT>20.00<FITID>A1<MEMO>ABC234</STMTTRN></BANKTRANLIST></OFX>"
    )
    body = _upload(api, ofx, "bank.ofx").json()
    assert body["format"] == "ofx"
    assert body["lines"][0]["status"] == "confirmed"
    bad = _upload(api, b"just,some\n1,2\n", "x.csv")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid"
    assert _upload(api, CSV, mapping="Nope").status_code == 404


def test_read_only_keys_and_viewers_cannot_import(ro_api: ApiClient, staff_api: ApiClient) -> None:
    assert _upload(ro_api, CSV).status_code == 403
    response = _upload(staff_api, CSV, headers=csrf_headers(staff_api))
    assert response.status_code == 201  # an owner's session, with its CSRF token
    assert StatementLine.objects.count() == 2
