"""My account: reviewers register their WhatsApp number for approvals from WhatsApp."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from messaging.models import StaffNumber
from portal.tests.conftest import make_staff


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_reviewer_registers_her_number(db: None) -> None:
    client = _client(make_staff("rita", "reviewer"))
    page = client.get(reverse("portal:account"), HTTP_ACCEPT_LANGUAGE="en")
    assert "My WhatsApp number" in page.content.decode()
    response = client.post(
        reverse("portal:account"),
        {"whatsapp": "1", "wa-number": "+55 11 98765-4321", "wa-on_duty": "on"},
    )
    assert response.status_code == 302
    row = StaffNumber.objects.get()
    assert (row.wa_id, row.on_duty) == ("5511987654321", True)
    client.post(reverse("portal:account"), {"whatsapp": "1", "wa-number": "+5511987654321"})
    assert StaffNumber.objects.get().on_duty is False


def test_a_number_belongs_to_one_staff_member(db: None) -> None:
    _client(make_staff("rita", "reviewer")).post(
        reverse("portal:account"), {"whatsapp": "1", "wa-number": "+5511987654321"}
    )
    other = _client(make_staff("owner2", "owner"))
    response = other.post(
        reverse("portal:account"),
        {"whatsapp": "1", "wa-number": "5511987654321"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Another staff member registered this number." in response.content.decode()
    assert StaffNumber.objects.count() == 1


def test_a_seller_has_no_whatsapp_number_field(db: None) -> None:
    client = _client(make_staff("sam", "seller"))
    page = client.get(reverse("portal:account"), HTTP_ACCEPT_LANGUAGE="en")
    assert "My WhatsApp number" not in page.content.decode()
    client.post(reverse("portal:account"), {"whatsapp": "1", "wa-number": "+5511987654321"})
    assert not StaffNumber.objects.exists()
