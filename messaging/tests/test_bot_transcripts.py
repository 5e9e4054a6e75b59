"""The transcripts in docs/bot.md are true: each one is replayed here through the real webhook
and the fake Graph API, and must match the document (order codes, hashes, links, times and
picked numbers masked, as they change each run).

To record them again after changing the bot:

    WRITE_TRANSCRIPTS=1 uv run pytest messaging/tests/test_bot_transcripts.py -p no:cacheprovider
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from messaging.testing.world import Phone, body_of
from raffles.models import Order
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "bot.md"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"\x00" * 200
DRAW_AT = datetime(2031, 12, 24, 2, 0, tzinfo=UTC)  # 23 Dec, 20:00 in Mexico City

RAFFLES = {
    "en": {
        "title": "Mountain bike",
        "prize": "R29 mountain bike",
        "description": "Aluminium frame, 21 gears, delivered to your door.",
        "payment_instructions": "SPEI transfer to CLABE 012 180 0012345678 9 (Example Bank)",
    },
    "es": {
        "title": "Bicicleta de montaña",
        "prize": "Bicicleta R29",
        "description": "Cuadro de aluminio, 21 velocidades, entrega a domicilio.",
        "payment_instructions": "Transferencia SPEI a CLABE 012 180 0012345678 9 (Banco Ejemplo)",
    },
    "pt-br": {
        "title": "Bicicleta",
        "prize": "Bicicleta aro 29",
        "description": "Quadro de alumínio, 21 marchas, entrega em casa.",
        "payment_instructions": "Pix para a chave pagamentos@exemplo.com.br",
    },
}
# What each buyer says, in her language.
WORDS = {
    "en": {
        "hi": "hi",
        "verify": "how is the winner chosen?",
        "first": "5, 12, 99",
        "range": "20-22",
        "phone": "15551234567",
    },
    "es": {
        "hi": "hola",
        "verify": "¿cómo se elige el ganador?",
        "first": "quiero el 5, 12 y 99",
        "range": "20-22",
        "phone": "5215512345678",
    },
    "pt-br": {
        "hi": "oi",
        "verify": "como é escolhido o ganhador?",
        "first": "quero os números 5, 12 e 99",
        "range": "20-22",
        "phone": "5511912345678",
    },
}


@pytest.fixture(autouse=True)
def _seeded_picks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Random picks from a seeded source, so a first buyer's random numbers never take the
    numbers the second buyer then asks for (5, 12, 99): the transcript is the same each run."""
    rng = random.Random(2031)

    def starts(low: int, high: int, count: int) -> list[int]:
        return [rng.randint(low, high) for _ in range(count)]

    monkeypatch.setattr("raffles.services.reservations.picking.random_starts", starts)


def render(payload: dict[str, Any]) -> list[str]:
    """A sent message as a person sees it: its text, then its buttons or list rows."""
    lines = body_of(payload).splitlines() or [""]
    interactive = payload.get("interactive") or {}
    action = interactive.get("action") or {}
    if interactive.get("type") == "button":
        titles = " | ".join(b["reply"]["title"] for b in action.get("buttons", []))
        lines.append(f"[buttons: {titles}]")
    elif interactive.get("type") == "list":
        rows = "; ".join(
            f"{r['title']} ({r['description']})" if r.get("description") else r["title"]
            for s in action.get("sections", [])
            for r in s["rows"]
        )
        lines.append(f"[list “{action.get('button', '')}”: {rows}]")
    return lines


class Recorder:
    def __init__(self, phone: Phone) -> None:
        self.phone = phone
        self.lines: list[str] = []
        self.count = 0

    def says(self, label: str, send: Callable[[], list[dict[str, Any]]]) -> None:
        self.count += 1
        if self.lines:
            self.lines.append("")
        self.lines.append(f"👤 ({self.count}) {label}")
        answer = send()
        if not answer:
            self.lines.append("   (no answer)")
        for payload in answer:
            first, *rest = render(payload)
            self.lines.append(f"🤖 {first}".rstrip())
            self.lines.extend(f"   {line}".rstrip() for line in rest)

    def note(self, text: str) -> None:
        self.lines += ["", text]

    def text(self) -> str:
        return "\n".join(self.lines)


def title_of(payload_rows: list[dict[str, Any]], row_id: str) -> str:
    for payload in payload_rows:
        action = (payload.get("interactive") or {}).get("action") or {}
        for section in action.get("sections", []):
            for row in section["rows"]:
                if row["id"] == row_id:
                    return str(row["title"])
        for button in action.get("buttons", []):
            if button["reply"]["id"] == row_id:
                return str(button["reply"]["title"])
    raise AssertionError(f"no row or button {row_id}")


def record(language: str, post_webhook: Any, fake_graph: Any) -> dict[str, str]:
    words = WORDS[language]
    raffle = make_raffle(
        size=1000,
        max_tickets_per_order=10,
        ticket_price="50.00",
        currency="MXN",
        draw_at=DRAW_AT,
        sales_close_at=DRAW_AT.replace(hour=1),
        **RAFFLES[language],
    )
    out: dict[str, str] = {}

    # With taps: greeting, the raffle row, a quantity row; a double tap; the verification.
    phone = Phone(post_webhook, fake_graph, words["phone"], "Ana López")
    rec = Recorder(phone)
    seen: list[dict[str, Any]] = []

    def keep(answer: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen[:] = answer
        return answer

    rec.says(words["hi"], lambda: keep(phone.text(words["hi"])))
    row = f"raffle:{raffle.pk}"
    rec.says(f"picks “{title_of(seen, row)}”", lambda: keep(phone.pick(row)))
    row = f"random:{raffle.pk}:2"
    label = f"picks “{title_of(seen, row)}”"
    rec.says(label, lambda: phone.pick(row))
    rec.note(f"— reserved, with the payment details, after {rec.count} messages —")
    rec.says(f"{label} again (a double tap)", lambda: phone.pick(row))
    rec.says(words["verify"], lambda: phone.text(words["verify"]))
    fake_graph.add_media("proof-1", JPEG, "image/jpeg")
    rec.says("sends a photo of the transfer", lambda: phone.media("image", "proof-1", "image/jpeg"))
    out["taps"] = rec.text()

    # A first message that says what she wants; a reaction; a range (confirmed first).
    phone = Phone(post_webhook, fake_graph, words["phone"][:-1] + "9", "Bia Souza")
    rec = Recorder(phone)
    rec.says(words["first"], lambda: keep(phone.text(words["first"])))
    rec.note(f"— reserved, with the payment details, after {rec.count} message —")
    reaction = {"type": "reaction", "reaction": {"message_id": "wamid.x", "emoji": "👍"}}
    rec.says("reacts 👍 to the answer", lambda: phone.raw(reaction))
    first = Order.objects.get(buyer__phone="+" + phone.wa_id)
    button = f"cancel:{first.code}"
    rec.says(f"taps “{title_of(seen, button)}”", lambda: phone.tap(button))
    rec.says(words["range"], lambda: keep(phone.text(words["range"])))
    code = Order.objects.filter(buyer__phone="+" + phone.wa_id, status="PENDING_PAYMENT").get()
    button = f"confirm:{code.code}"
    rec.says(f"taps “{title_of(seen, button)}”", lambda: phone.tap(button))
    out["first"] = rec.text()
    return out


MASKS = [
    (re.compile(r"[0-9a-f]{64}"), "HASH"),
    (re.compile(r"https?://\S+"), "URL"),
    (re.compile(r"\b[A-Z0-9]{6}\b"), "CODE"),  # order codes (no word in the texts is one)
    (re.compile(r"\d+"), "#"),
]


def masked(text: str) -> str:
    for pattern, value in MASKS:
        text = pattern.sub(value, text)
    return text


def block(name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(<!-- transcript:{re.escape(name)} -->\n```text\n)(.*?)(\n```\n<!-- /transcript -->)",
        re.DOTALL,
    )


@pytest.mark.parametrize("language", ["en", "es", "pt-br"])
def test_the_transcripts_in_the_docs_are_true(post_webhook, fake_graph, settings, language):
    settings.LANGUAGE_CODE = "en"  # an English deployment: the buyer's words set her language
    settings.TIME_ZONE = "America/Mexico_City"
    settings.PUBLIC_BASE_URL = "https://raffles.example.test"
    recorded = record(language, post_webhook, fake_graph)
    doc = DOC.read_text(encoding="utf-8")
    for scenario, text in recorded.items():
        name = f"{language}:{scenario}"
        pattern = block(name)
        if os.environ.get("WRITE_TRANSCRIPTS"):
            assert pattern.search(doc), f"docs/bot.md has no block {name}"
            doc = pattern.sub(lambda m, t=text: m.group(1) + t + m.group(3), doc)
            continue
        found = pattern.search(doc)
        assert found, f"docs/bot.md has no block {name}"
        assert masked(found.group(2)) == masked(text), name
    if os.environ.get("WRITE_TRANSCRIPTS"):
        DOC.write_text(doc, encoding="utf-8")
