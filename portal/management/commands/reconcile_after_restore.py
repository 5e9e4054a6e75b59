"""`manage.py reconcile_after_restore`: run once after restoring a backup, before the app
starts (see portal/management/restore.py and docs/deploy.md, Backup and restore)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from portal.management.restore import Report, latest_activity, reconcile


class Command(BaseCommand):
    help = _(
        "After restoring a backup: close stale queued messages, expire holds that ended "
        "before the backup, keep the holds that were running then, and list the orders staff "
        "must check against the bank. Idempotent; --dry-run changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--backup-time",
            help=_(
                "When the backup was taken (ISO 8601, e.g. 2030-01-31T02:00:00Z; backup "
                "prints it). Default: the last write found in the restored data."
            ),
        )
        parser.add_argument(
            "--stale-minutes",
            type=int,
            default=10,
            help=_("Queued messages older than this (and older than the backup) are dropped."),
        )
        parser.add_argument(
            "--keep-holds-minutes",
            type=int,
            default=120,
            help=_(
                "Holds running at the backup's time are kept at least this long from now, "
                "for staff to check them (0: they run out at their own time)."
            ),
        )
        parser.add_argument("--dry-run", action="store_true", help=_("Report only."))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["stale_minutes"] < 0 or options["keep_holds_minutes"] < 0:
            raise CommandError(_("--stale-minutes and --keep-holds-minutes must be ≥ 0"))
        backup_time = self._backup_time(options["backup_time"])
        report = reconcile(
            backup_time=backup_time,
            stale_after=timedelta(minutes=options["stale_minutes"]),
            keep_holds=timedelta(minutes=options["keep_holds_minutes"]),
            dry_run=options["dry_run"],
        )
        self._print(report)

    def _backup_time(self, raw: str | None) -> datetime:
        if raw:
            value = parse_datetime(raw)
            if value is None:
                raise CommandError(_("--backup-time is not a date and time: %s") % raw)
            return timezone.make_aware(value) if timezone.is_naive(value) else value
        found = latest_activity()
        if found is None:
            raise CommandError(_("The database is empty: nothing to reconcile"))
        return found

    def _print(self, report: Report) -> None:
        write = self.stdout.write
        would = _("would be ") if report.dry_run else ""
        write(_("Backup taken at (or after): %s") % _iso(report.backup_time))
        write(
            _("Queued messages from before %(cutoff)s %(would)sdropped: %(count)d")
            % {
                "cutoff": _iso(report.message_cutoff),
                "would": would,
                "count": report.stale_messages,
            }
        )
        write(
            _("Holds that ended before the backup %(would)sexpired (buyers notified): %(count)d")
            % {"would": would, "count": report.expired_orders}
        )
        if report.keep_until is None:
            write(_("Holds running at the backup's time: not kept (--keep-holds-minutes 0)"))
        else:
            write(
                _("Holds running at the backup's time %(would)skept until %(until)s: %(count)d")
                % {"would": would, "until": _iso(report.keep_until), "count": report.kept_holds}
            )
        write(_("Nothing was paused: raffles keep selling and the bot keeps answering."))
        if not report.recheck:
            write(_("No order to re-check."))
            return
        write(
            _(
                "Orders to re-check against the bank and the buyer's WhatsApp receipt (a "
                "payment confirmed after the backup is lost with it): %d"
            )
            % len(report.recheck)
        )
        for item in report.recheck:
            order = item.order
            numbers = ", ".join(order.raffle.format_number(n) for n in item.numbers)
            write(
                f"  {order.code}  {order.raffle.title}  {order.buyer.phone}  "
                f"[{numbers}]  {order.total_amount} {order.raffle.currency}  {item.why}"
            )


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")
