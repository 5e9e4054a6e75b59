"""`manage.py load_demo`: two active demo raffles (00-99 and 0000-9999), idempotent.

Goes through the domain services, like every write. Running it again creates nothing new;
it finishes a raffle that a previous run left half done (not generated, not activated).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from raffles.models import Raffle
from raffles.services import Actor, activate_raffle, create_raffle, generate_tickets

DEMO_ACTOR = Actor.system("demo data")
PAYMENT_INSTRUCTIONS = (
    "Pay the total by bank transfer to Banco Demo, account 0102-0000-00-1234567890, "
    "holder Raffle Backoffice Demo, or by mobile payment to +1 555 0100. "
    "Write your order code as the reference, then send a photo or PDF of the receipt "
    "in this chat. Your numbers are held while we check it."
)

DEMO_RAFFLES: list[dict[str, Any]] = [
    {
        "title": "Weekend Cash Raffle",
        "description": "100 numbers, one winner. Pick your lucky two digits.",
        "prize": "USD 500 in cash",
        "ticket_price": Decimal("5.00"),
        "min_number": 0,
        "max_number": 99,
        "reservation_minutes": 30,
        "max_tickets_per_order": 10,
        "draw_in_days": 7,
    },
    {
        "title": "Motorcycle Grand Raffle",
        "description": "10,000 numbers. The winning number matches the state lottery's "
        "first prize, last four digits.",
        "prize": "A new 150 cc motorcycle, registration paid",
        "ticket_price": Decimal("2.00"),
        "min_number": 0,
        "max_number": 9999,
        "reservation_minutes": 60,
        "max_tickets_per_order": 20,
        "max_tickets_per_buyer": 100,
        "draw_in_days": 30,
    },
]


class Command(BaseCommand):
    help = "Create the demo raffles (00-99 and 0000-9999), generate and activate them."

    def handle(self, *args: Any, **options: Any) -> None:
        for spec in DEMO_RAFFLES:
            raffle, created = _ensure_raffle(spec)
            if raffle.generation_status != Raffle.Generation.DONE:
                generate_tickets(raffle)
                raffle.refresh_from_db()
            if raffle.status == Raffle.Status.DRAFT:
                raffle = activate_raffle(raffle=raffle, by=DEMO_ACTOR)
            if options["verbosity"] >= 1:
                verb = "created" if created else "already there"
                self.stdout.write(
                    f"Demo raffle {raffle.title!r} "
                    f"({raffle.format_number(raffle.min_number)}-"
                    f"{raffle.format_number(raffle.max_number)}): {verb}, {raffle.status}"
                )


def _ensure_raffle(spec: dict[str, Any]) -> tuple[Raffle, bool]:
    existing = Raffle.objects.filter(title=spec["title"]).order_by("id").first()
    if existing is not None:
        return existing, False
    fields = {key: value for key, value in spec.items() if key != "draw_in_days"}
    raffle = create_raffle(
        **fields,
        draw_at=timezone.now() + timedelta(days=spec["draw_in_days"]),
        payment_instructions=PAYMENT_INSTRUCTIONS,
        by=DEMO_ACTOR,
    )
    return raffle, True
