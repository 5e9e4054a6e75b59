"""The channel calls the conversation through one hook (WHATSAPP_INBOUND_HANDLER) and imports
nothing of the bot."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from messaging.channel import hook, shapes
from messaging.models import InboundMessage

CHANNEL = Path(__file__).resolve().parent.parent / "channel"
handled: list[int] = []


def record(message: InboundMessage) -> None:
    handled.append(message.pk)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("path", sorted(CHANNEL.glob("*.py")), ids=lambda p: p.name)
def test_the_channel_imports_nothing_of_the_bot(path: Path) -> None:
    wrong = {
        name
        for name in _imports(path)
        if name.startswith(("messaging.bot", "messaging.testing", "messaging.tests"))
    }
    assert not wrong, f"{path.name} imports {sorted(wrong)}"


def test_the_default_handler_is_the_bot(settings: Any) -> None:
    from messaging.bot import handlers

    assert hook.handler() is handlers.handle_inbound


@pytest.mark.django_db
def test_the_setting_names_the_handler_the_channel_calls(settings: Any, post_webhook: Any) -> None:
    settings.WHATSAPP_INBOUND_HANDLER = f"{__name__}.record"
    handled.clear()
    post_webhook(
        shapes.inbound(
            "5215500000001",
            {
                "id": "wamid.HOOK1",
                "timestamp": "1700000000",
                "type": "text",
                "text": {"body": "hi"},
            },
        )
    )
    message = InboundMessage.objects.get(wa_message_id="wamid.HOOK1")
    assert handled == [message.pk]
    assert message.status == InboundMessage.Status.PROCESSED
