"""The portal in the staff member's language and time zone: their saved choice, else the
browser's Accept-Language; <html lang> follows; money and dates in their format."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import StaffPreferences
from portal.tests.conftest import unicorn_call
from raffles.models import Raffle
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


def _lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    assert match, html[:200]
    return match.group(1)


def test_a_spanish_staff_member_gets_the_portal_in_spanish(
    staff_client: Client, staff_user: Any
) -> None:
    StaffPreferences.objects.create(user=staff_user, language="es")
    html = staff_client.get(reverse("portal:dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _lang(html) == "es"
    assert ">Pedidos<" in html
    assert "Cerrar sesión" in html
    assert "Ninguna rifa está vendiendo ahora." in html


def test_without_a_choice_the_browser_language_applies(staff_client: Client) -> None:
    html = staff_client.get(
        reverse("portal:raffles"), HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9"
    ).content.decode()
    assert _lang(html) == "pt-br"
    assert "Nova rifa" in html
    html = staff_client.get(reverse("portal:raffles"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert _lang(html) == "es"
    assert "Nueva rifa" in html


def test_english_by_default(staff_client: Client) -> None:
    html = staff_client.get(reverse("portal:raffles")).content.decode()
    assert _lang(html) == "en"
    assert "New raffle" in html


def test_the_sign_in_page_follows_the_browser(client: Client) -> None:
    html = client.get(reverse("portal:login"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert _lang(html) == "es"
    assert "Contraseña" in html


def test_choosing_a_language_and_time_zone_on_my_account(staff_client: Client) -> None:
    page = staff_client.get(reverse("portal:account"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "The language of my browser" in page.content.decode()
    response = staff_client.post(
        reverse("portal:account"),
        {"language": "pt-br", "time_zone": "America/Sao_Paulo"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    html = staff_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _lang(html) == "pt-br"
    assert "Suas preferências foram salvas." in html
    prefs = StaffPreferences.objects.get()
    assert (prefs.language, prefs.time_zone) == ("pt-br", "America/Sao_Paulo")


def test_an_unknown_time_zone_is_refused(staff_client: Client) -> None:
    response = staff_client.post(reverse("portal:account"), {"language": "", "time_zone": "Mars"})
    assert response.status_code == 200
    assert not StaffPreferences.objects.exists()


def test_money_counts_and_dates_in_the_staff_members_format(
    staff_client: Client, staff_user: Any
) -> None:
    StaffPreferences.objects.create(user=staff_user, language="es", time_zone="America/Mexico_City")
    raffle = make_raffle(size=2000, ticket_price=Decimal("1500.50"), title="Gran sorteo")
    Raffle.objects.filter(pk=raffle.pk).update(draw_at=datetime(2030, 1, 15, 18, 0, tzinfo=UTC))
    html = staff_client.get(reverse("portal:raffle", args=[raffle.pk])).content.decode()
    assert "USD 1.500,50" in html
    assert "2.000 números" in html
    assert "12:00 CST" in html  # 18:00 UTC in Mexico City, with its zone


def test_component_messages_and_field_errors_in_spanish(
    staff_client: Client, staff_user: Any
) -> None:
    StaffPreferences.objects.create(user=staff_user, language="es")
    result = unicorn_call(
        staff_client,
        "raffle-form",
        "save",
        {"title": "x", "ticket_price": "1.50", "max_number": "diez", "currency": "USD"},
    )
    errors = result.data["field_errors"]
    assert "miles" in errors["ticket_price"]
    assert "1.500,50" in errors["ticket_price"]
    assert errors["max_number"].startswith("Escribe un número entero.")
    assert result.data["error"] == "Revisa los campos marcados."
    assert "Precio del boleto" in result.dom


def test_csv_headers_in_the_staff_members_language(staff_client: Client, staff_user: Any) -> None:
    StaffPreferences.objects.create(user=staff_user, language="es")
    response = staff_client.get(reverse("portal:export-orders"))
    first = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()[0]
    assert first.startswith("codigo,rifa,estado,nombre_comprador")
