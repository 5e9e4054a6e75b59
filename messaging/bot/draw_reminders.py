"""The day-before-draw reminder: each buyer with paid numbers in a raffle hears once, about
`DRAW_REMINDER_HOURS` (24) before its draw, which numbers she holds and where to watch the
draw. A marketing notice: a buyer who said "stop" does not get it.

Run every 15 minutes by django-q2 (`messaging.tasks.send_draw_reminders`, scheduled in
apps.py). Safe to run twice, or on two workers at once: each reminder is a `DrawReminder`
row (unique per raffle and contact) written in the same transaction as its outbox row.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from messaging.bot import notices
from messaging.bot.notifications import queue
from messaging.models import Contact, DrawReminder
from raffles import selectors
from raffles.models import Raffle

logger = logging.getLogger(__name__)


def reminder_window() -> timedelta:
    return timedelta(hours=int(getattr(settings, "DRAW_REMINDER_HOURS", 24)))


def send_draw_reminders(now: datetime | None = None) -> int:
    """Queue the reminders due now; the number queued."""
    now = now or timezone.now()
    sent = 0
    for raffle in selectors.raffles_drawn_between(now, now + reminder_window()):
        sent += _remind_buyers(raffle)
    return sent


def _remind_buyers(raffle: Raffle) -> int:
    numbers_by_buyer = selectors.paid_numbers_by_buyer(raffle)
    if not numbers_by_buyer or raffle.draw_at is None:
        return 0
    reminded = set(DrawReminder.objects.filter(raffle=raffle).values_list("contact_id", flat=True))
    contacts = Contact.objects.filter(
        buyer_id__in=list(numbers_by_buyer), marketing_opt_out=False
    ).exclude(pk__in=reminded)
    page = selectors.public_draw_url(raffle)
    sent = 0
    for contact in contacts:
        numbers = [raffle.format_number(n) for n in numbers_by_buyer[contact.buyer_id or 0]]
        try:
            with transaction.atomic():
                DrawReminder.objects.create(raffle=raffle, contact=contact)
                build = functools.partial(
                    notices.draw_reminder, raffle.title, raffle.draw_at, numbers, page
                )
                sent += queue(contact, build)
        except IntegrityError:
            continue  # another run queued it
        except Exception:
            logger.exception("draw reminder to contact %s not queued", contact.pk)
    return sent
