"""Notifications outside the 24-hour window go out as their own approved template."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from messaging.bot import message_templates as mt
from messaging.bot.flow.buyer_text import parse_reply_id
from messaging.channel import outbox, payloads, retry_policy
from messaging.channel.identity import get_contact
from messaging.channel.templates import TemplateMessage
from messaging.models import Contact, OutboundMessage
from messaging.testing.world import body_of, ids_of
from raffles import services
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64

ALL_APPROVED = (
    "raffle_receipt, raffle_hold_reminder, raffle_hold_expired, raffle_payment_rejected, "
    "raffle_draw_result, raffle_draw_reminder"
)


@pytest.fixture
def raffle():
    return make_raffle(size=100, title="TV", payment_instructions="Bank 1")


@pytest.fixture
def closed() -> Contact:
    """A buyer who last wrote two days ago: the window is closed."""
    contact = get_contact("5215577778888")
    contact.last_inbound_at = timezone.now() - timedelta(days=2)
    contact.save()
    return contact


def last_row(contact: Contact) -> OutboundMessage:
    """The latest notification row (not a read receipt, nor the ticket picture after a receipt)."""
    rows = OutboundMessage.objects.filter(contact=contact).exclude(kind__in=["read", "image"])
    return rows.order_by("id").last()


def test_receipt_outside_the_window_without_the_generic_template_goes_as_its_own_template(
    raffle, closed, settings
):
    settings.WHATSAPP_TEMPLATE_NAME = ""
    settings.WHATSAPP_APPROVED_TEMPLATES = ALL_APPROVED
    order = services.reserve_specific(raffle.pk, [1, 20], closed.buyer)
    services.confirm_paid(order)
    row = last_row(closed)
    assert row.status == OutboundMessage.Status.QUEUED, row.last_error
    assert row.kind == OutboundMessage.Kind.TEMPLATE
    template = row.payload["template"]
    assert template["name"] == "raffle_receipt"
    assert template["language"] == {"code": "en"}
    body = next(c for c in template["components"] if c["type"] == "body")
    texts = [p["text"] for p in body["parameters"]]
    assert order.code in texts
    assert "01, 20" in texts


def test_the_receipt_links_the_e_ticket_in_the_text_and_the_template_button(
    raffle, closed, settings, client
):
    settings.WHATSAPP_APPROVED_TEMPLATES = ALL_APPROVED
    settings.PUBLIC_BASE_URL = "https://rifas.example.test"
    order = services.reserve_specific(raffle.pk, [3], closed.buyer)
    services.confirm_paid(order)
    template = last_row(closed).payload["template"]
    url_button = next(
        c for c in template["components"] if c["type"] == "button" and c["sub_type"] == "url"
    )
    suffix = url_button["parameters"][0]["text"]
    assert suffix.startswith(f"{raffle.public_id}/ticket/")
    page = client.get(f"/raffles/{suffix}", follow=True)  # the fixed part ends with /raffles/
    assert page.status_code == 200
    assert order.formatted_numbers()[0] in page.content.decode()
    closed.last_inbound_at = timezone.now()
    closed.save()
    second = services.reserve_specific(raffle.pk, [4], closed.buyer)
    services.confirm_paid(second)
    assert "https://rifas.example.test/r/" in body_of(last_row(closed).payload)


def approve_all_in(fake) -> None:
    """The fake Graph API knows every template as Meta would after approval."""
    for rendered in mt.catalog():
        sub_types = tuple(
            "url" if kind == "URL" else "quick_reply" for kind, *_ in rendered.buttons
        )
        fake.approve_template(
            rendered.name,
            rendered.meta_language,
            mt.parameter_count(rendered.definition),
            sub_types,
        )


def sent_templates(fake) -> list[dict]:
    return [p["template"] for p in fake.sent_payloads() if p["type"] == "template"]


def test_every_notification_template_goes_through_the_graph_api_in_the_buyers_language(
    raffle, closed, settings, fake_graph, run_after_commit
):
    settings.WHATSAPP_TEMPLATE_NAME = ""
    settings.WHATSAPP_APPROVED_TEMPLATES = ALL_APPROVED
    approve_all_in(fake_graph)
    closed.language = "pt-br"
    closed.save()
    buyer = closed.buyer

    def story() -> None:
        paid = services.reserve_specific(raffle.pk, [7], buyer)
        services.attach_payment_proof(paid, content=JPEG, mime_type="image/jpeg")
        services.confirm_paid(paid)
        held = services.reserve_specific(raffle.pk, [8], buyer)
        services.send_expiry_reminders(now=held.expires_at - timedelta(minutes=5))
        services.expire_reservations(now=held.expires_at + timedelta(seconds=1))
        rejected = services.reserve_specific(raffle.pk, [9], buyer)
        services.attach_payment_proof(rejected, content=JPEG, mime_type="image/jpeg")
        services.reject_payment(rejected, "Valor diferente")
        services.cancel_order(rejected, by=buyer)
        services.close_raffle(raffle)
        services.draw_raffle(raffle, external_value="lottery 2030-01-01: 4821", prizes=1)

    run_after_commit(story)
    sent = sent_templates(fake_graph)
    names = [t["name"] for t in sent]
    for name in (
        "raffle_receipt",
        "raffle_hold_reminder",
        "raffle_hold_expired",
        "raffle_payment_rejected",
        "raffle_draw_result",
    ):
        assert name in names
    assert {t["language"]["code"] for t in sent} == {"pt_BR"}
    result = next(t for t in sent if t["name"] == "raffle_draw_result")
    url = next(c for c in result["components"] if c.get("sub_type") == "url")
    assert url["index"] == "0"
    assert url["parameters"] == [{"type": "text", "text": f"{raffle.public_id}/draw/"}]
    reminder = next(t for t in sent if t["name"] == "raffle_hold_reminder")
    payloads = [
        c["parameters"][0]["payload"] for c in reminder["components"] if c["type"] == "button"
    ]
    assert all(parse_reply_id(p) is not None for p in payloads)
    assert payloads[0].startswith("pay:")
    failed = OutboundMessage.objects.exclude(status__in=["sent", "undeliverable"])
    assert not failed.exists(), [r.last_error for r in failed]


def test_a_template_not_approved_is_recorded_undeliverable_with_the_reason(
    raffle, closed, settings, fake_graph, run_after_commit
):
    settings.WHATSAPP_TEMPLATE_NAME = "order_update"  # the generic one does not stand in
    settings.WHATSAPP_APPROVED_TEMPLATES = "raffle_receipt:es"
    order = services.reserve_specific(raffle.pk, [1], closed.buyer)
    run_after_commit(services.confirm_paid, order)
    row = last_row(closed)
    assert row.status == OutboundMessage.Status.UNDELIVERABLE
    assert "raffle_receipt (en) is not approved" in row.last_error
    assert "Payment confirmed" in body_of(row.payload)
    assert not [t for t in sent_templates(fake_graph) if t["name"] == "raffle_receipt"]


def test_meta_refuses_a_template_with_the_wrong_parameters(
    closed, settings, fake_graph, run_after_commit
):
    fake_graph.approve_template("raffle_receipt", "en", 4, ("quick_reply", "quick_reply"))
    settings.WHATSAPP_APPROVED_TEMPLATES = "raffle_receipt"
    wrong = TemplateMessage("raffle_receipt", "en", ("only one",))
    [row] = run_after_commit(outbox.queue_notification, closed, "x", template=wrong)
    row.refresh_from_db()
    assert row.status == "failed"
    assert "132000" in row.last_error


def test_the_fake_refuses_a_malformed_template_send(closed, fake_graph, run_after_commit):
    bad = payloads.template(closed.send_to, "raffle_receipt", "en", ["a"])
    bad["template"]["components"].append(
        {"type": "button", "sub_type": "quick_reply", "index": 0, "parameters": []}
    )
    row = run_after_commit(outbox._queue, closed, OutboundMessage.Kind.TEMPLATE, bad)
    row.refresh_from_db()
    assert row.status == "failed"
    assert "131009" in row.last_error


def test_inside_the_window_a_notification_has_reply_buttons_the_bot_understands(
    raffle, closed, fake_graph, run_after_commit
):
    closed.last_inbound_at = timezone.now() - timedelta(minutes=5)
    closed.save()
    run_after_commit(
        lambda: services.confirm_paid(services.reserve_specific(raffle.pk, [1], closed.buyer))
    )
    row = last_row(closed)
    assert row.kind == OutboundMessage.Kind.BUTTONS
    assert row.status == "sent"
    assert ids_of(row.payload) == ["tickets", "menu"]
    assert row.template_fallback["template"]["name"] == "raffle_receipt"
    assert all(parse_reply_id(i) is not None for i in ids_of(row.payload))


def test_when_the_window_closes_before_sending_the_notification_becomes_its_own_template(
    raffle, closed, settings
):
    closed.last_inbound_at = timezone.now() - timedelta(hours=23, minutes=59)
    closed.save()
    order = services.reserve_specific(raffle.pk, [1], closed.buyer)
    services.confirm_paid(order)
    row = last_row(closed)
    later = timezone.now() + timedelta(minutes=5)
    settings.WHATSAPP_APPROVED_TEMPLATES = ""
    stop = retry_policy.before_attempt(row, later)
    assert isinstance(stop, retry_policy.Stop)
    assert "raffle_receipt (en) is not approved" in stop.reason
    settings.WHATSAPP_APPROVED_TEMPLATES = "raffle_receipt"
    rewrite = retry_policy.before_attempt(row, later)
    assert isinstance(rewrite, retry_policy.Rewrite)
    assert rewrite.payload["template"]["name"] == "raffle_receipt"


@pytest.mark.parametrize("rendered", mt.catalog(), ids=lambda r: f"{r.name}-{r.language}")
def test_every_template_is_one_meta_would_accept(rendered):
    body = rendered.body
    count = mt.parameter_count(rendered.definition)
    assert rendered.translated, "no translation"
    assert [f"{{{{{i}}}}}" in body for i in range(1, count + 1)] == [True] * count
    assert not body.startswith("{{")
    assert not body.rstrip(".!").endswith("}}")
    assert "}} {{" not in body
    assert "}}{{" not in body
    assert len(rendered.examples) == count
    assert len(body) <= 1024
    assert all(len(text) <= 25 for _kind, text, _url in rendered.buttons)
    assert len(rendered.footer) <= 60
    shape = mt.meta_shape(rendered)
    assert shape["category"] in {"UTILITY", "MARKETING"}
    assert shape["components"][0]["example"]["body_text"] == [list(rendered.examples)]


def test_the_command_prints_and_writes_every_template(tmp_path):
    out = io.StringIO()
    call_command("whatsapp_templates", stdout=out)
    text = out.getvalue()
    assert "raffle_receipt" in text
    assert "pt_BR" in text
    target = tmp_path / "templates.json"
    call_command("whatsapp_templates", "--json", str(target), stdout=io.StringIO())
    data = json.loads(target.read_text())
    assert len(data) == len(mt.DEFINITIONS) * 3
    receipt = next(t for t in data if t["name"] == "raffle_receipt" and t["language"] == "es")
    assert receipt["category"] == "UTILITY"
    assert [c["type"] for c in receipt["components"]] == ["BODY", "BUTTONS"]
    assert "Pago confirmado" in receipt["components"][0]["text"]


def test_once_approved_staff_resend_the_undeliverable_notification_as_its_template(
    raffle, closed, settings, fake_graph, run_after_commit
):
    from messaging.channel.resend import resend_message

    settings.WHATSAPP_APPROVED_TEMPLATES = ""
    run_after_commit(
        lambda: services.confirm_paid(services.reserve_specific(raffle.pk, [4], closed.buyer))
    )
    row = last_row(closed)
    assert row.status == OutboundMessage.Status.UNDELIVERABLE
    settings.WHATSAPP_APPROVED_TEMPLATES = "raffle_receipt"
    run_after_commit(resend_message, row.pk)
    row.refresh_from_db()
    assert (row.kind, row.status) == (OutboundMessage.Kind.TEMPLATE, "sent")
    assert sent_templates(fake_graph)[-1]["name"] == "raffle_receipt"
