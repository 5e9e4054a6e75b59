"""`manage.py replay_deliveries [--since T] [--until T] [--id N ...] [--dry-run]`: store again
the webhook deliveries that could not be stored (status "failed", the webhook answered 503),
from their raw bodies. Idempotent: what is stored already is not stored twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from messaging.channel import replay


def _moment(value: str) -> datetime:
    """An ISO date or date-time; without a zone, in the project's time zone."""
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(
                _("Not a date or date-time: %(value)r (use 2026-05-01T13:00)") % {"value": value}
            )
        moment = datetime(day.year, day.month, day.day)  # noqa: DTZ001 - made aware below
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Replay webhook deliveries that could not be stored (status failed) from their raw "
        "bodies, through the normal store path. Messages already stored are not stored twice."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="received at or after (ISO date or date-time)")
        parser.add_argument("--until", help="received before (ISO date or date-time)")
        parser.add_argument(
            "--id", dest="ids", type=int, action="append", help="only this delivery (repeatable)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be replayed, store nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = _moment(options["since"]) if options["since"] else None
        until = _moment(options["until"]) if options["until"] else None
        dry_run: bool = options["dry_run"]
        deliveries = list(replay.failed_deliveries(since=since, until=until, ids=options["ids"]))
        failed = 0
        for delivery in deliveries:
            try:
                done = replay.replay_delivery(delivery, dry_run=dry_run)
            except Exception as exc:  # reported, and the next delivery is tried
                failed += 1
                self.stderr.write(
                    _("delivery %(id)s: not replayed: %(error)s")
                    % {"id": delivery.pk, "error": exc}
                )
                continue
            counts = {
                "id": done.delivery_id,
                "at": timezone.localtime(done.received_at).isoformat(timespec="seconds"),
                "messages": done.messages,
                "statuses": done.statuses,
                "events": done.events,
                "new_messages": done.new_messages,
                "new_statuses": done.new_statuses,
                "new_events": done.new_events,
            }
            if dry_run:
                line = _(
                    "delivery %(id)s (%(at)s): would store %(messages)s messages,"
                    " %(statuses)s statuses, %(events)s events"
                )
            else:
                line = _(
                    "delivery %(id)s (%(at)s): stored; new: %(new_messages)s of %(messages)s"
                    " messages, %(new_statuses)s of %(statuses)s statuses,"
                    " %(new_events)s of %(events)s events"
                )
            self.stdout.write(line % counts)
        total = {"done": len(deliveries) - failed, "total": len(deliveries)}
        if dry_run:
            self.stdout.write(_("%(done)s of %(total)s failed deliveries can be replayed") % total)
        else:
            self.stdout.write(_("%(done)s of %(total)s failed deliveries replayed") % total)
        if failed:
            raise CommandError(
                _("%(failed)s deliveries could not be replayed (see above)") % {"failed": failed}
            )
