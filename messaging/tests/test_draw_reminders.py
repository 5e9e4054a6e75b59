"""The day-before-draw reminder: once per buyer and raffle, not after "stop", a template
outside the window; and marketing notices in general skip buyers who opted out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from messaging import tasks
from messaging.bot import draw_reminders
from messaging.channel.identity import get_contact
from messaging.models import Contact, DrawReminder, OutboundMessage
from messaging.testing.world import body_of, ids_of
from raffles import services
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


@pytest.fixture
def raffle():
    raffle = make_raffle(size=100, title="TV", payment_instructions="Bank 1")
    raffle.draw_at = timezone.now() + timedelta(hours=20)
    raffle.save()
    return raffle


def buyer_contact(phone: str, *, window_open: bool = True) -> Contact:
    contact = get_contact(phone)
    contact.last_inbound_at = timezone.now() - (
        timedelta(minutes=5) if window_open else timedelta(days=3)
    )
    contact.save()
    return contact


def pay(raffle, contact: Contact, numbers: list[int]) -> None:
    services.confirm_paid(services.reserve_specific(raffle.pk, numbers, contact.buyer))


def reminders(contact: Contact) -> list[OutboundMessage]:
    return [
        row
        for row in OutboundMessage.objects.filter(contact=contact).order_by("id")
        if "raffle_draw_reminder" in str(row.payload) or "drawn on" in body_of(row.payload)
    ]


def test_buyers_with_paid_numbers_are_reminded_once_even_if_the_task_runs_twice(raffle):
    ana = buyer_contact("5215500000001")
    pay(raffle, ana, [3, 12])
    assert tasks.send_draw_reminders() == 1
    assert tasks.send_draw_reminders() == 0
    [row] = reminders(ana)
    assert "*TV* is drawn on" in body_of(row.payload)
    assert "03, 12" in body_of(row.payload)
    assert f"{raffle.public_id}/draw/" in body_of(row.payload)
    assert ids_of(row.payload) == ["tickets", "menu"]
    assert DrawReminder.objects.count() == 1


def test_only_raffles_drawn_within_the_next_day_and_only_paid_buyers(raffle):
    later = make_raffle(size=10, title="Car")
    later.draw_at = timezone.now() + timedelta(days=3)
    later.save()
    paid = buyer_contact("5215500000002")
    holding = buyer_contact("5215500000003")
    pay(raffle, paid, [1])
    pay(later, paid, [1])
    services.reserve_specific(raffle.pk, [2], holding.buyer)
    assert draw_reminders.send_draw_reminders() == 1
    assert len(reminders(paid)) == 1
    assert reminders(holding) == []
    assert draw_reminders.send_draw_reminders(now=timezone.now() + timedelta(days=2, hours=6)) == 1
    assert len(reminders(paid)) == 2


def test_a_buyer_who_said_stop_gets_no_reminder_but_still_gets_her_receipts(raffle):
    ana = buyer_contact("5215500000004")
    ana.marketing_opt_out = True
    ana.save()
    pay(raffle, ana, [5])
    assert any("Payment confirmed" in body_of(r.payload) for r in OutboundMessage.objects.all())
    assert draw_reminders.send_draw_reminders() == 0
    assert reminders(ana) == []


def test_outside_the_window_the_reminder_is_its_template_in_her_language(raffle, settings):
    settings.WHATSAPP_APPROVED_TEMPLATES = "raffle_draw_reminder:es"
    ana = buyer_contact("5215500000005", window_open=False)
    ana.language = "es"
    ana.save()
    pay(raffle, ana, [7])
    assert draw_reminders.send_draw_reminders() == 1
    [row] = reminders(ana)
    template = row.payload["template"]
    assert (template["name"], template["language"]["code"]) == ("raffle_draw_reminder", "es")
    buttons = [c for c in template["components"] if c["type"] == "button"]
    assert buttons[0]["parameters"] == [{"type": "payload", "payload": "tickets"}]
    assert buttons[1]["parameters"] == [{"type": "text", "text": f"{raffle.public_id}/draw/"}]


def test_a_marketing_notice_is_not_queued_for_an_opted_out_contact(raffle):
    from messaging.bot import notices, notifications

    ana = buyer_contact("5215500000006")
    ana.marketing_opt_out = True
    ana.save()
    notice = notices.Notice("News!", marketing=True)
    assert notifications.queue(ana, lambda: notice) is False
    assert not OutboundMessage.objects.filter(contact=ana).exists()


def test_the_reminder_schedule_exists_once():
    from django_q.models import Schedule

    from messaging.apps import ensure_sweep_schedule

    ensure_sweep_schedule()
    ensure_sweep_schedule()
    schedule = Schedule.objects.get(func="messaging.tasks.send_draw_reminders")
    assert (schedule.minutes, schedule.repeats) == (15, -1)
