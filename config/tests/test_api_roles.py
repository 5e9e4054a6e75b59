"""Every API operation for each role: an API key of that role, and a staff session of a user
with that role. The expected table is written out here, apart from portal.roles."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from config.api import OPERATION_IDS
from config.tests.api_fixtures import ApiClient, csrf_headers
from messaging.models import Contact
from portal.models import StaffRole
from portal.services import create_api_key
from raffles import services
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db

O, R, S, V = "owner", "reviewer", "seller", "viewer"  # noqa: E741
ALL = {O, R, S, V}
READERS = {O, R, V}

# operation id → (method, path template, body, roles allowed)
OPERATIONS: dict[str, tuple[str, str, Any, set[str]]] = {
    "list_raffles": ("GET", "/api/raffles/", None, ALL),
    "get_raffle": ("GET", "/api/raffles/{raffle}/", None, ALL),
    "raffle_availability": ("GET", "/api/raffles/{raffle}/availability/", None, ALL),
    "list_tickets": ("GET", "/api/raffles/{raffle}/tickets/", None, ALL),
    "get_raffle_draw": ("GET", "/api/raffles/{raffle}/draw/", None, ALL),
    "create_raffle": ("POST", "/api/raffles/", {}, {O}),
    "replace_raffle": ("PUT", "/api/raffles/{raffle}/", {}, {O}),
    "update_raffle": ("PATCH", "/api/raffles/{raffle}/", {}, {O}),
    "delete_raffle": ("DELETE", "/api/raffles/{draft}/", None, {O}),
    "generate_tickets": ("POST", "/api/raffles/{draft}/generate-tickets/", None, {O}),
    "activate_raffle": ("POST", "/api/raffles/{draft}/activate/", None, {O}),
    "close_raffle": ("POST", "/api/raffles/{other}/close/", None, {O}),
    "draw_raffle_winners": ("POST", "/api/raffles/{raffle}/draw/", {}, {O}),
    "set_raffle_draw_setup": ("PUT", "/api/raffles/{raffle}/draw/setup/", {}, {O}),
    "list_early_draws": ("GET", "/api/raffles/{raffle}/early-draws/", None, ALL),
    "create_raffle_early_draw": ("POST", "/api/raffles/{raffle}/early-draws/", {}, {O}),
    "draw_raffle_early_draw": ("POST", "/api/raffles/{raffle}/early-draws/999999/draw/", {}, {O}),
    "sell_tickets": ("POST", "/api/raffles/{raffle}/sales/", {}, {O, S}),
    "get_raffle_prices": ("GET", "/api/raffles/{raffle}/prices/", None, ALL),
    "quote_raffle_price": ("GET", "/api/raffles/{raffle}/quote/?qty=3", None, ALL),
    "list_coupons": ("GET", "/api/raffles/{raffle}/coupons/", None, ALL),
    "set_raffle_prices": ("PUT", "/api/raffles/{raffle}/prices/", {}, {O}),
    "create_coupon": ("POST", "/api/raffles/{raffle}/coupons/", {}, {O}),
    "update_coupon": ("PATCH", "/api/raffles/{raffle}/coupons/999999/", {}, {O}),
    "apply_order_coupon": ("POST", "/api/orders/{order}/coupon/", {}, {O, R}),
    "list_orders": ("GET", "/api/orders/", None, READERS),
    "list_pending_payment": ("GET", "/api/orders/pending-payment/", None, READERS),
    "get_order": ("GET", "/api/orders/{order}/", None, READERS),
    "get_proof_file": ("GET", "/api/orders/{order}/proofs/{proof}/file", None, READERS),
    "confirm_payment": ("POST", "/api/orders/{order}/confirm-payment/", {}, {O, R}),
    "reject_payment": ("POST", "/api/orders/{order}/reject-payment/", {}, {O, R}),
    "cancel_order": ("POST", "/api/orders/{order}/cancel/", None, {O, R}),
    "cancel_paid_order": ("POST", "/api/orders/{order}/cancel-paid/", {}, {O, R}),
    "undo_confirmation": ("POST", "/api/orders/{order}/undo-confirmation/", None, {O, R}),
    "record_refund": ("POST", "/api/orders/{order}/refunds/", {}, {O, R}),
    "archive_raffle": ("POST", "/api/raffles/{other}/archive/", None, {O}),
    "restore_raffle": ("POST", "/api/raffles/{other}/restore/", None, {O}),
    "import_statement": ("POST", "/api/payments/statements/", None, {O, R}),
    "list_statement_lines": ("GET", "/api/payments/statement-lines/", None, READERS),
    "assign_statement_line": ("POST", "/api/payments/statement-lines/999999/assign/", None, {O, R}),
    "list_contacts": ("GET", "/api/contacts/", None, READERS),
    "get_contact": ("GET", "/api/contacts/{contact}/", None, READERS),
    "list_contact_messages": ("GET", "/api/contacts/{contact}/messages/", None, READERS),
    "list_contact_orders": ("GET", "/api/contacts/{contact}/orders/", None, READERS),
    "list_failed_inbound": ("GET", "/api/inbound-messages/failed/", None, READERS),
    "pause_bot": ("POST", "/api/contacts/{contact}/pause/", None, {O, R}),
    "resume_bot": ("POST", "/api/contacts/{contact}/resume/", None, {O, R}),
    "retry_failed_inbound": ("POST", "/api/inbound-messages/999999/retry/", None, {O, R}),
    "list_outbox_problems": ("GET", "/api/outbox/problems/", None, READERS),
    "resend_outbound": ("POST", "/api/outbox/999999/resend/", None, {O, R}),
    "list_sellers": ("GET", "/api/sellers/", None, READERS),
    "save_seller": ("POST", "/api/sellers/", {"user_id": 999999, "code": "ZZ"}, {O}),
    "set_seller_commission": (
        "PUT",
        "/api/sellers/999999/raffles/{raffle}/",
        {"percent": "5"},
        {O},
    ),
    "get_seller_in_raffle": ("GET", "/api/sellers/999999/raffles/{raffle}/", None, READERS),
    "raffle_seller_leaderboard": ("GET", "/api/raffles/{raffle}/sellers/", None, READERS),
    "get_my_seller": ("GET", "/api/sellers/me/", None, {O, S}),
    "list_my_seller_orders": ("GET", "/api/sellers/me/orders/", None, {O, S}),
}


def test_every_operation_is_in_the_table() -> None:
    assert set(OPERATION_IDS) == set(OPERATIONS)


@pytest.fixture
def ids(db: None) -> dict[str, int]:
    raffle = make_raffle(size=100, title="API roles")
    other = make_raffle(size=10, title="Other")
    draft = services.create_raffle(title="Draft", ticket_price="1", max_number=9)
    order = services.reserve_specific(raffle.pk, [1], BuyerFactory())
    proof = services.attach_payment_proof(order, content=b"%PDF-1.4 x", mime_type="application/pdf")
    contact = Contact.objects.create(wa_id="5215511112222", profile_name="Ana")
    return {
        "raffle": raffle.pk,
        "other": other.pk,
        "draft": draft.pk,
        "order": order.pk,
        "proof": getattr(proof, "pk", 0) or order.proofs.first().pk,
        "contact": contact.pk,
    }


def _call(client: ApiClient, name: str, ids: dict[str, int], **extra: Any) -> Any:
    method, template, body, _ = OPERATIONS[name]
    return client.request(method, template.format(**ids), body, **extra)


@pytest.mark.parametrize("role", [O, R, S, V])
def test_api_keys_act_with_their_role(role: str, ids: dict[str, int], clear_cache: None) -> None:
    _, raw = create_api_key(name=f"{role} key", read_only=False, role=role)
    client = ApiClient(Client(), {"Authorization": f"Bearer {raw}"})
    for name, (_, _, _, allowed) in OPERATIONS.items():
        response = _call(client, name, ids)
        if role in allowed:
            assert response.status_code != 403, (role, name, response.content)
        else:
            assert response.status_code == 403, (role, name, response.status_code)
            assert response.json()["code"] == "role_refused", (role, name)


@pytest.mark.parametrize("role", [R, S, V])
def test_staff_sessions_act_with_the_users_role(
    role: str, ids: dict[str, int], clear_cache: None
) -> None:
    user = get_user_model().objects.create_user(f"{role}-api", password="pw", is_staff=True)
    StaffRole.objects.create(user=user, role=role)
    session = Client(enforce_csrf_checks=True)
    session.force_login(user)
    session.cookies["csrftoken"] = "a" * 32
    client = ApiClient(session)
    for name, (_, _, _, allowed) in OPERATIONS.items():
        response = _call(client, name, ids, headers=csrf_headers(client))
        if role in allowed:
            assert response.status_code != 403, (role, name, response.content)
        else:
            assert response.status_code == 403, (role, name, response.status_code)
            assert response.json()["code"] == "role_refused", (role, name)


def test_a_read_only_key_never_writes_whatever_its_role(
    ids: dict[str, int], clear_cache: None
) -> None:
    _, raw = create_api_key(name="ro owner", read_only=True, role=O)
    client = ApiClient(Client(), {"Authorization": f"Bearer {raw}"})
    assert _call(client, "list_orders", ids).status_code == 200
    response = _call(client, "cancel_order", ids)
    assert response.status_code == 403
    assert response.json()["code"] == "read_only_key"


def test_default_key_roles() -> None:
    read_write, _ = create_api_key(name="rw", read_only=False)
    read_only, _ = create_api_key(name="ro", read_only=True)
    assert (read_write.role, read_only.role) == (O, V)
