"""The FAQ pages: staff list, add and edit the answers the bot gives (staff only)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from messaging.models import FaqEntry
from raffles.models import OrderEvent

pytestmark = pytest.mark.django_db

FORM = {
    "question": "Prize delivery",
    "keywords_en": "prize delivery, shipping",
    "keywords_es": "entrega premio",
    "keywords_pt": "entrega prêmio",
    "answer_en": "We bring it to your door.",
    "answer_es": "Lo llevamos a tu casa.",
    "answer_pt": "",
    "active": "on",
}


def test_staff_add_a_faq_entry_and_see_it_listed(staff_client: Client) -> None:
    response = staff_client.post(reverse("portal:faq-new"), FORM)
    assert response.status_code == 302
    entry = FaqEntry.objects.get()
    assert entry.keywords() == ("prize delivery", "shipping", "entrega premio", "entrega prêmio")
    assert entry.answers() == {"en": "We bring it to your door.", "es": "Lo llevamos a tu casa."}
    assert OrderEvent.objects.filter(kind="faq_added").exists()
    page = staff_client.get(reverse("portal:faqs")).content.decode()
    assert "Prize delivery" in page
    assert reverse("portal:faq-edit", args=[entry.pk]) in page


def test_staff_edit_and_deactivate_an_entry(staff_client: Client) -> None:
    entry = FaqEntry.objects.create(question="Old", keywords_en="old", answer_en="Old.")
    url = reverse("portal:faq-edit", args=[entry.pk])
    assert "Old." in staff_client.get(url).content.decode()
    data = {**FORM, "question": "New"}
    del data["active"]
    assert staff_client.post(url, data).status_code == 302
    entry.refresh_from_db()
    assert (entry.question, entry.active) == ("New", False)


def test_an_entry_needs_a_keyword_and_an_answer(staff_client: Client) -> None:
    data = {**FORM, "keywords_en": "", "keywords_es": "", "keywords_pt": "", "answer_en": ""}
    data["answer_es"] = ""
    response = staff_client.post(reverse("portal:faq-new"), data)
    assert response.status_code == 200
    assert not FaqEntry.objects.exists()


@pytest.mark.parametrize("name", ["portal:faqs", "portal:faq-new"])
def test_staff_only(client: Client, plain_client: Client, name: str) -> None:
    assert client.get(reverse(name)).status_code == 302  # to the login page
    assert plain_client.get(reverse(name)).status_code == 403
    assert plain_client.post(reverse("portal:faq-new"), FORM).status_code == 403
    assert not FaqEntry.objects.exists()


def test_edit_is_staff_only(plain_client: Client, db: Any) -> None:
    entry = FaqEntry.objects.create(question="Old", keywords_en="old", answer_en="Old.")
    url = reverse("portal:faq-edit", args=[entry.pk])
    assert plain_client.post(url, FORM).status_code == 403
    entry.refresh_from_db()
    assert entry.question == "Old"
