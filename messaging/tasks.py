"""django-q2 tasks. They take ids, fetch fresh rows, and are safe to run twice."""

from __future__ import annotations

from messaging import services
from messaging.bot import draw_reminders, pay_link
from messaging.channel import inbound, processing, sending


def process_contact(contact_id: int) -> int:
    return processing.process_contact(contact_id)


def send_contact_outbox(contact_id: int) -> int:
    return sending.drain_contact(contact_id)


def sweep(grace_seconds: float = 30) -> dict[str, int]:
    """Every minute (see apps.py): re-send stuck outbox rows, re-process stuck messages,
    give quiet handovers back to the bot."""
    return {
        "outbox": sending.sweep_outbox(grace_seconds),
        "inbox": processing.sweep_inbox(grace_seconds),
        "raw_bodies_cleared": inbound.clear_old_raw_bodies(),
        "handovers_ended": services.end_quiet_handovers(),
    }


def send_draw_reminders() -> int:
    """Every 15 minutes (see apps.py): the day-before-draw reminders now due."""
    return draw_reminders.send_draw_reminders()


def send_payment_link(
    contact_id: int, order_code: str, body: str, button: str, note: str, key: str = ""
) -> str:
    """After a turn that showed payment details: make the order's payment link, queue it
    (once per `key`, the request)."""
    return pay_link.send(contact_id, order_code, body, button, note, key)
