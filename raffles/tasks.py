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
