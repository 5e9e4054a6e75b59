"""The message templates of the buyer notifications: one per notification, in every
language the bot speaks, defined here and nowhere else.

Outside WhatsApp's 24-hour customer-service window a business may only send a template Meta
approved. Each notification has its own: a body with positional parameters (`{{1}}`…), an
example for each (Meta asks for them), and buttons. Quick-reply buttons carry the bot's own
button ids as their payload, so a tap works like the same button inside the window; a URL
button ends in the page's own path (`{{1}}`). Texts go through gettext, so each language's
template is this definition read in that language (`render`).

`manage.py whatsapp_templates` prints every template (or writes them as JSON in the shape of
Meta's template-creation API) for the operator to submit; which ones Meta approved is
configuration (messaging.channel.templates). The portal's Templates page shows both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from messaging.channel import templates
from messaging.channel.templates import TemplateButton, TemplateMessage

# The bot's languages and Meta's code for each.
META_LANGUAGES = {"en": "en", "es": "es", "pt-br": "pt_BR"}
URL_PARAMETER = "{{1}}"


class Category(StrEnum):
    UTILITY = "UTILITY"  # about the buyer's own order: sent to everyone
    MARKETING = "MARKETING"  # news and reminders: never to a buyer who said "stop"


@dataclass(frozen=True)
class QuickReply:
    text: str | Promise


@dataclass(frozen=True)
class UrlButton:
    """A link to one of the raffle's public pages: the fixed part is PUBLIC_BASE_URL plus
    `/raffles/`, the parameter the rest of the page's path."""

    text: str | Promise
    example: str = "Xk3pQ9Lm/draw/"

    @staticmethod
    def prefix() -> str:
        return settings.PUBLIC_BASE_URL + "/raffles/"


Button = QuickReply | UrlButton


@dataclass(frozen=True)
class TemplateDefinition:
    key: str
    name: str
    category: Category
    body: str | Promise
    examples: tuple[str | Promise, ...]
    buttons: tuple[Button, ...] = ()
    footer: str | Promise = ""
    about: str = ""  # when it is sent, for the operator


@dataclass(frozen=True)
class Rendered:
    """One definition in one language, as Meta shows it."""

    definition: TemplateDefinition
    language: str  # the bot's code (en, es, pt-br)
    meta_language: str  # Meta's (en, es, pt_BR)
    body: str
    examples: tuple[str, ...]
    footer: str
    buttons: tuple[tuple[str, str, str], ...]  # (QUICK_REPLY or URL, text, url)
    translated: bool  # False: the body is still the English text

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def approved(self) -> bool:
        return templates.is_approved(self.name, self.meta_language)


RECEIPT = TemplateDefinition(
    key="receipt",
    name="raffle_receipt",
    category=Category.UTILITY,
    body=_(
        "✅ Payment confirmed for order {{1}}. Raffle: {{2}}. Your numbers: {{3}}. "
        "Total paid: {{4}}. Good luck!"
    ),
    examples=("K7P2QX", "TV 55", "07, 12", "20.00 USD"),
    buttons=(
        QuickReply(_("My tickets")),
        QuickReply(_("Menu")),
        UrlButton(_("My e-ticket"), example="Xk3pQ9Lm/ticket/MTIz:1a2b3c/"),
    ),
    about="A payment was confirmed (the order is paid).",
)
HOLD_REMINDER = TemplateDefinition(
    key="hold_reminder",
    name="raffle_hold_reminder",
    category=Category.UTILITY,
    body=_(
        "⏰ Reminder: order {{1}} (numbers {{2}}) is held for you until {{3}}. Pay {{4}} and "
        "send a photo or a PDF of the receipt here, or the numbers will be released."
    ),
    examples=("K7P2QX", "07, 12", "18:30 (UTC)", "20.00 USD"),
    buttons=(QuickReply(_("How to pay")), QuickReply(_("Cancel order"))),
    about="A hold waiting for payment is about to run out.",
)
HOLD_EXPIRED = TemplateDefinition(
    key="hold_expired",
    name="raffle_hold_expired",
    category=Category.UTILITY,
    body=_(
        "⌛ Your hold on numbers {{1}} (order {{2}}, {{3}}) expired and the numbers were "
        "released. You can reserve again at any time."
    ),
    examples=("07, 12", "K7P2QX", "TV 55"),
    buttons=(QuickReply(_("Raffles")), QuickReply(_("Menu"))),
    about="A hold ran out without a payment and its numbers were released.",
)
PAYMENT_REJECTED = TemplateDefinition(
    key="payment_rejected",
    name="raffle_payment_rejected",
    category=Category.UTILITY,
    body=_(
        "❌ We could not confirm your payment for order {{1}}. Reason: {{2}}. If the order "
        "is still open, send a new photo or PDF of the receipt here; otherwise talk to a person."
    ),
    examples=("K7P2QX", _("The amount does not match")),
    buttons=(QuickReply(_("My tickets")), QuickReply(_("Talk to a person"))),
    about="Staff rejected a payment proof.",
)
DRAW_RESULT = TemplateDefinition(
    key="draw_result",
    name="raffle_draw_result",
    category=Category.UTILITY,
    body=_(
        "🏆 {{1}} was drawn! Winning numbers: {{2}}. {{3}} Anyone can check the draw on its "
        "public page."
    ),
    examples=("TV 55", "0427, 0815", _("Your numbers did not win this time.")),
    buttons=(UrlButton(_("See the draw")), QuickReply(_("Results"))),
    about="A raffle in which the buyer has paid numbers was drawn.",
)
DRAW_REMINDER = TemplateDefinition(
    key="draw_reminder",
    name="raffle_draw_reminder",
    category=Category.MARKETING,
    body=_("🗓️ Reminder: {{1}} is drawn on {{2}}. Your numbers: {{3}}. Good luck!"),
    examples=("TV 55", "5 Dec 2026, 18:30 (UTC)", "07, 12"),
    buttons=(QuickReply(_("My tickets")), UrlButton(_("See the draw"))),
    footer=_("Reply STOP to get no more reminders."),
    about="The day before the draw, to buyers with paid numbers (not after STOP).",
)
PRIZE_CLAIM = TemplateDefinition(
    key="prize_claim",
    name="raffle_prize_claim",
    category=Category.UTILITY,
    body=_(
        "🎉 You won {{1}} with {{2}}! To claim your prize, reply CLAIM by {{3}}. Then we "
        "contact you here to deliver it."
    ),
    examples=("TV 55", "07", "1 Feb 2027, 20:00 (UTC)"),
    buttons=(QuickReply(_("Claim my prize")), QuickReply(_("Menu"))),
    about="The buyer's numbers won: how to claim the prize and by when.",
)

DEFINITIONS: tuple[TemplateDefinition, ...] = (
    RECEIPT,
    HOLD_REMINDER,
    HOLD_EXPIRED,
    PAYMENT_REJECTED,
    DRAW_RESULT,
    DRAW_REMINDER,
    PRIZE_CLAIM,
)


def meta_language(language: str) -> str:
    return META_LANGUAGES.get(language, META_LANGUAGES["en"])


def render(definition: TemplateDefinition, language: str) -> Rendered:
    with translation.override("en"):
        english = str(definition.body)
    with translation.override(language):
        body = str(definition.body)
        buttons = tuple(
            ("URL", str(b.text), UrlButton.prefix() + URL_PARAMETER)
            if isinstance(b, UrlButton)
            else ("QUICK_REPLY", str(b.text), "")
            for b in definition.buttons
        )
        return Rendered(
            definition=definition,
            language=language,
            meta_language=meta_language(language),
            body=body,
            examples=tuple(str(e) for e in definition.examples),
            footer=str(definition.footer),
            buttons=buttons,
            translated=language == "en" or body != english,
        )


def catalog() -> list[Rendered]:
    """Every template in every language."""
    return [render(d, code) for d in DEFINITIONS for code in META_LANGUAGES]


def message(
    definition: TemplateDefinition,
    language: str,
    body: Sequence[str],
    buttons: Sequence[str],
) -> TemplateMessage:
    """The template message of one notification: its body parameters in order, and per
    button (in the definition's order) the quick reply's payload or the URL's path."""
    expected = parameter_count(definition)
    if len(body) != expected:
        raise ValueError(f"{definition.name} takes {expected} body parameters, not {len(body)}")
    if len(buttons) != len(definition.buttons):
        raise ValueError(f"{definition.name} has {len(definition.buttons)} buttons")
    return TemplateMessage(
        name=definition.name,
        language=meta_language(language),
        body=tuple(body),
        buttons=tuple(
            TemplateButton("url" if isinstance(b, UrlButton) else "quick_reply", value)
            for b, value in zip(definition.buttons, buttons, strict=True)
        ),
    )


def url_suffix(url: str) -> str:
    """The part of a public page's URL after the URL button's fixed prefix."""
    prefix = UrlButton.prefix()
    if url.startswith(prefix):
        return url[len(prefix) :]
    return url.split("/raffles/", 1)[-1]


def parameter_count(definition: TemplateDefinition) -> int:
    with translation.override("en"):
        return str(definition.body).count("{{")


def meta_shape(rendered: Rendered) -> dict[str, Any]:
    """The body of Meta's template-creation request
    (POST /{whatsapp-business-account-id}/message_templates)."""
    components: list[dict[str, Any]] = [
        {
            "type": "BODY",
            "text": rendered.body,
            "example": {"body_text": [list(rendered.examples)]},
        }
    ]
    if rendered.footer:
        components.append({"type": "FOOTER", "text": rendered.footer})
    if rendered.buttons:
        buttons: list[dict[str, Any]] = []
        for (kind, text, url), button in zip(
            rendered.buttons, rendered.definition.buttons, strict=True
        ):
            if kind == "URL" and isinstance(button, UrlButton):
                buttons.append(
                    {
                        "type": "URL",
                        "text": text,
                        "url": url,
                        "example": [UrlButton.prefix() + button.example],
                    }
                )
            else:
                buttons.append({"type": "QUICK_REPLY", "text": text})
        components.append({"type": "BUTTONS", "buttons": buttons})
    return {
        "name": rendered.name,
        "language": rendered.meta_language,
        "category": rendered.definition.category.value,
        "components": components,
    }
