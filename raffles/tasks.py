"""django-q2 tasks of the domain: thin, take ids, idempotent (delivered at least once)."""

from __future__ import annotations

from raffles import services
from raffles.models import Raffle


def generate_tickets_task(raffle_id: int) -> int:
    raffle = Raffle.objects.filter(pk=raffle_id).first()
    if raffle is None:
        return 0
    return services.generate_tickets(raffle)


def expire_reservations_task() -> int:
    return services.expire_reservations()


def send_expiry_reminders_task() -> int:
    return services.send_expiry_reminders()


def process_payment_notification_task(notification_id: int) -> str:
    """Fetch a notified payment back from its provider and act on it (idempotent)."""
    from raffles.services.payment_links import process_notification

    result = process_notification(notification_id)
    return result.outcome if result is not None else "repeated"


def process_waiting_notifications_task() -> int:
    """Notifications stored but not processed (the provider's API failed): try again."""
    from raffles.services.payment_links import process_waiting_notifications

    return process_waiting_notifications()
