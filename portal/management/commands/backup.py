"""`manage.py backup [--output PATH]`: an online copy of the SQLite database (see
portal/management/backup.py); on PostgreSQL, the pg_dump command to run instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils.translation import gettext as _

from portal.management.backup import (
    BackupError,
    backup_sqlite,
    default_target,
    human_size,
    pg_dump_command,
)


class Command(BaseCommand):
    help = _(
        "Copy the SQLite database while the app runs (consistent, WAL included, mode 0600). "
        "On PostgreSQL, prints the pg_dump command to use instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            help=_("File (or existing folder) to write; default: backups/ next to the database."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        database = settings.DATABASES["default"]
        vendor = connections["default"].vendor
        if vendor == "postgresql":
            raise CommandError(
                _(
                    "backup copies SQLite only. On PostgreSQL use pg_dump (nightly) and WAL "
                    "archiving for point-in-time recovery (docs/deploy.md, Backup and restore):"
                    "\n    %(command)s"
                )
                % {"command": pg_dump_command(database)}
            )
        if vendor != "sqlite":
            raise CommandError(_("backup supports SQLite and PostgreSQL only"))
        source = Path(database["NAME"])
        target = Path(options["output"]) if options["output"] else default_target(source)
        if target.is_dir():
            target = target / default_target(source).name
        try:
            backup = backup_sqlite(source, target)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _("Backed up %(source)s to %(target)s: %(size)s in %(seconds).1f s (data as of %(at)s)")
            % {
                "source": source,
                "target": backup.path,
                "size": human_size(backup.size),
                "seconds": backup.seconds,
                "at": backup.taken_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
