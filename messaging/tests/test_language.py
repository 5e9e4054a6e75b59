"""Which language a buyer writes, from her words and her phone's country code."""

from __future__ import annotations

import pytest

from messaging.bot.flow import buyer_text, language


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("hi", "en"),
        ("I want two tickets please", "en"),
        ("2 random", "en"),
        ("hola", "es"),
        ("quiero dos boletos", "es"),
        ("2 al azar", "es"),
        ("¿cuánto cuesta?", "es"),
        ("oi", "pt-br"),
        ("olá, bom dia", "pt-br"),
        ("quero 2 números aleatórios", "pt-br"),
        ("2 aleatórios", "pt-br"),
        ("obrigada", "pt-br"),
        ("5 12", None),
        ("", None),
        ("👍", None),
    ],
)
def test_detect(text, code):
    assert language.detect(text) == code


@pytest.mark.parametrize(
    ("wa_id", "code"),
    [
        ("5215512345678", "es"),
        ("573001234567", "es"),
        ("5491112345678", "es"),
        ("34612345678", "es"),
        ("5511912345678", "pt-br"),
        ("351912345678", "pt-br"),
        ("15551234567", None),
        ("447700900123", None),
        ("", None),
    ],
)
def test_phone_hint(wa_id, code):
    assert language.from_phone(wa_id) == code


def test_normalize():
    assert language.normalize("pt") == "pt-br"
    assert language.normalize("pt_BR") == "pt-br"
    assert language.normalize("es-MX") == "es"
    assert language.normalize("fr") is None


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("português", buyer_text.Command.PORTUGUESE),
        ("oi", buyer_text.Command.MENU),
        ("voltar", buyer_text.Command.BACK),
        ("meus números", buyer_text.Command.TICKETS),
        ("2 aleatórios", buyer_text.RandomRequest(2)),
        ("quero dois aleatórios", buyer_text.RandomRequest(2)),
        ("quero os números 5 e 12", buyer_text.NumbersRequest((5, 12))),
    ],
)
def test_portuguese_words(text, wanted):
    assert buyer_text.parse(text) == wanted
