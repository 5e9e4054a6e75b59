"""Graph API bodies and WhatsApp's limits."""

from __future__ import annotations

import pytest

from messaging.channel import payloads
from messaging.exceptions import InvalidOutboundMessage


def test_short_text_is_one_message():
    assert payloads.split_text("  hola  ") == ["hola"]


def test_split_is_deterministic_and_prefers_breaks():
    text = ("word " * 1000 + "\n\n") * 3
    parts = payloads.split_text(text)
    assert parts == payloads.split_text(text)
    assert all(payloads.units(p) <= 4096 for p in parts)
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())
    assert all(not p.endswith(" ") and not p.startswith(" ") for p in parts)


def test_split_without_spaces_cuts_hard():
    parts = payloads.split_text("x" * 10000)
    assert [len(p) for p in parts] == [4096, 4096, 1808]


def test_split_counts_emoji_as_two_units():
    parts = payloads.split_text("🎟" * 3000)
    assert [len(p) for p in parts] == [2048, 952]


def test_truncate():
    assert payloads.truncate("short", 20) == "short"
    assert payloads.truncate("exactly twenty chars", 20) == "exactly twenty chars"
    assert payloads.truncate("a" * 30, 20) == "a" * 19 + "…"
    assert payloads.units(payloads.truncate("🎟" * 30, 20)) <= 20


def test_button_rules():
    body = payloads.buttons("1", "Pick", [("a", "A"), ("b", "B")], header="H", footer="F")
    assert body["interactive"]["header"] == {"type": "text", "text": "H"}
    assert body["interactive"]["footer"] == {"text": "F"}
    with pytest.raises(InvalidOutboundMessage):
        payloads.buttons("1", "Pick", [])
    with pytest.raises(InvalidOutboundMessage):
        payloads.buttons("1", "Pick", [("a", "Same"), ("b", "Same")])
    with pytest.raises(InvalidOutboundMessage):
        payloads.buttons("1", "", [("a", "A")])
    with pytest.raises(InvalidOutboundMessage):
        payloads.buttons("1", "Pick", [("x" * 257, "A")])


def test_list_rules():
    rows = [("a", "A", ""), ("b", "B", "desc")]
    body = payloads.list_message("1", "Pick", "Open", [("", rows)])
    section = body["interactive"]["action"]["sections"][0]
    assert "title" not in section
    assert section["rows"][0] == {"id": "a", "title": "A"}
    assert section["rows"][1]["description"] == "desc"
    with pytest.raises(InvalidOutboundMessage):  # several sections need titles
        payloads.list_message("1", "Pick", "Open", [("", rows), ("", [("c", "C", "")])])
    with pytest.raises(InvalidOutboundMessage):
        payloads.list_message("1", "Pick", "Open", [("S1", rows * 3), ("S2", rows * 3)])
    with pytest.raises(InvalidOutboundMessage):
        payloads.list_message("1", "Pick", "Open", [("S", [("a", "A", ""), ("a", "B", "")])])


def test_media_and_read_bodies():
    assert payloads.media("1", "image", link="https://x/y.jpg", caption="c")["image"] == {
        "link": "https://x/y.jpg",
        "caption": "c",
    }
    doc = payloads.media("1", "document", media_id="9", filename="r.pdf")
    assert doc["document"] == {"id": "9", "filename": "r.pdf"}
    with pytest.raises(InvalidOutboundMessage):
        payloads.media("1", "image")
    assert payloads.mark_read("wamid.1", typing=False) == {
        "messaging_product": "whatsapp",
        "status": "read",
        "message_id": "wamid.1",
    }
