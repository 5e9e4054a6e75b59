"""Meta's webhook shapes, built in one place: the portal's simulator, the test harnesses and
the benchmarks all deliver payloads made here (the parser lives in channel.webhook_parsing)."""

from __future__ import annotations

from typing import Any


def delivery(value: dict[str, Any], *, entry_id: str = "1") -> dict[str, Any]:
    """One webhook POST body carrying one `messages` change."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": entry_id, "changes": [{"field": "messages", "value": value}]}],
    }


def inbound(
    wa_id: str,
    message: dict[str, Any],
    *,
    name: str = "",
    phone_number_id: str = "1122334455667",
    display_phone_number: str = "15550001111",
    entry_id: str = "1",
) -> dict[str, Any]:
    """A delivery with one message from `wa_id` (the message gets `from` filled in)."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": display_phone_number,
            "phone_number_id": phone_number_id,
        },
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [{"from": wa_id, **message}],
    }
    return delivery(value, entry_id=entry_id)
