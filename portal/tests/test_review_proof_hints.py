"""The review queue shows what a PDF proof says beside what the order expects."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from raffles import services
from raffles.testing.pdf import text_pdf
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db


def test_matching_pdf_shows_its_facts_without_flags(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    order = services.reserve_specific(raffle.pk, [1, 2], BuyerFactory())
    pdf = text_pdf([f"Valor {order.total_amount:.2f}", f"Ref {order.code}"])
    services.attach_payment_proof(order, content=pdf, mime_type="application/pdf")
    page = staff_client.get(reverse("portal:review")).content.decode()
    assert 'data-testid="proof-hints"' in page
    assert "What the PDF says" in page
    assert 'data-testid="flag-' not in page
    assert "PDF differs" not in page


def test_mismatches_are_flagged_in_the_queue(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    order = services.reserve_specific(raffle.pk, [3], BuyerFactory())
    pdf = text_pdf([f"Valor {order.total_amount + 7:.2f}", "Data 01/01/2020"])
    services.attach_payment_proof(order, content=pdf, mime_type="application/pdf")
    page = staff_client.get(reverse("portal:review")).content.decode()
    for flag in ("flag-amount", "flag-code", "flag-date"):
        assert f'data-testid="{flag}"' in page
    assert "PDF differs" in page


def test_unreadable_pdf_says_so(staff_client: Client) -> None:
    raffle = make_raffle(size=100)
    order = services.reserve_specific(raffle.pk, [4], BuyerFactory())
    services.attach_payment_proof(order, content=b"%PDF-1.4 broken", mime_type="application/pdf")
    page = staff_client.get(reverse("portal:review")).content.decode()
    assert 'data-testid="hint-unreadable"' in page
