"""`manage.py resend_outbox --since 2026-12-01T08:00 [--until ...] [--dry-run] [--by NAME]`:
send again every failed or undeliverable outbound message queued in a time range."""

from __future__ import annotations

import getpass
from datetime import datetime, time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from messaging.channel import clock, resend
from raffles.services import Actor


def _moment(value: str, option: str) -> datetime:
    """An ISO date-time (naive: the site's time zone) or a date (its midnight)."""
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise CommandError(
                _("%(option)s: expected a date or date-time such as 2026-12-01T08:00, got %(v)r")
                % {"option": option, "v": value}
            )
        parsed = datetime.combine(day, time.min)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class Command(BaseCommand):
    help = (
        "Re-send every failed or undeliverable outbound WhatsApp message queued between "
        "--since and --until (default: now). Read receipts are never re-sent."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--since", required=True, help="start, inclusive (ISO date or time)")
        parser.add_argument("--until", help="end, exclusive (ISO date or time; default now)")
        parser.add_argument("--dry-run", action="store_true", help="list them, send nothing")
        parser.add_argument(
            "--by", default="", help="staff username to record as who re-sent (audit log)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = _moment(options["since"], "--since")
        until = _moment(options["until"], "--until") if options["until"] else clock.now()
        if until <= since:
            raise CommandError(_("--until must be after --since"))
        rows = list(resend.unsent_between(since, until))
        for row in rows:
            self.stdout.write(
                f"{row.pk}\t{row.created_at:%Y-%m-%d %H:%M}\t{row.kind}\t{row.status}\t"
                f"{row.last_error[:120]}"
            )
        if options["dry_run"]:
            self.stdout.write(_("%(n)d message(s) would be re-sent (dry run).") % {"n": len(rows)})
            return
        done = resend.resend_between(since, until, by=self._actor(options["by"]), via="command")
        self.stdout.write(_("%(n)d message(s) re-sent.") % {"n": len(done)})

    def _actor(self, username: str) -> Actor:
        if username:
            user = get_user_model().objects.filter(username=username, is_staff=True).first()
            if user is None:
                raise CommandError(_("No staff user named %(u)r") % {"u": username})
            return Actor.staff(user)
        try:
            who = getpass.getuser()
        except (KeyError, OSError):
            who = "unknown"
        return Actor.system(f"manage.py resend_outbox ({who})")
