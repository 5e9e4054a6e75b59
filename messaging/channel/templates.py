"""Message templates on the channel: which ones the operator has had Meta approve, and one
template message ready to send.

Approval is configuration: `WHATSAPP_APPROVED_TEMPLATES` lists the approved templates,
separated by commas or spaces, each `name` (every language) or `name:language` (one
language, Meta's code: `en`, `es`, `pt_BR`). A notification outside the 24-hour window whose
template is not listed is recorded as undeliverable with the reason, never sent to be
refused and never dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from messaging.channel import payloads


@dataclass(frozen=True)
class TemplateButton:
    """The send-time value of one template button, in the template's button order: a quick
    reply's payload (what comes back when tapped) or a URL button's dynamic suffix."""

    sub_type: str  # "quick_reply" or "url"
    value: str


@dataclass(frozen=True)
class TemplateMessage:
    name: str
    language: str  # Meta's code: en, es, pt_BR
    body: tuple[str, ...] = ()
    buttons: tuple[TemplateButton, ...] = ()

    def payload(self, to: str) -> dict[str, Any]:
        return payloads.template(
            to,
            self.name,
            self.language,
            self.body,
            buttons=[(b.sub_type, b.value) for b in self.buttons],
        )


def approved_entries() -> frozenset[str]:
    raw = str(getattr(settings, "WHATSAPP_APPROVED_TEMPLATES", "") or "")
    return frozenset(e.strip() for e in raw.replace(",", " ").split() if e.strip())


def is_approved(name: str, language: str) -> bool:
    entries = approved_entries()
    return name in entries or f"{name}:{language}" in entries


def not_approved_reason(name: str, language: str) -> str:
    return (
        "Outside the 24-hour customer-service window and the template "
        f"{name} ({language}) is not approved (WHATSAPP_APPROVED_TEMPLATES): not sent"
    )


def template_of(payload: dict[str, Any] | None) -> tuple[str, str]:
    """(name, language) of a stored template payload; ("", "") when it is not one."""
    template = (payload or {}).get("template") if isinstance(payload, dict) else None
    if not isinstance(template, dict):
        return "", ""
    language = template.get("language") or {}
    return str(template.get("name", "")), str(language.get("code", ""))


def button_values(values: Sequence[tuple[str, str]]) -> tuple[TemplateButton, ...]:
    return tuple(TemplateButton(sub_type, value) for sub_type, value in values)
