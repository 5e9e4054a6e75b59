"""`manage.py create_api_key NAME [--read-only] [--user USERNAME]`: print a new API key once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.roles import Role
from portal.services import create_api_key
from raffles.exceptions import RaffleError


class Command(BaseCommand):
    help = (
        "Create an API key for an integration and print it. The key is shown only this once;"
        " only its hash is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="What the key is for, e.g. 'website' or 'accounting'.")
        parser.add_argument(
            "--read-only",
            action="store_true",
            help="The key may only read (GET); writing answers 403.",
        )
        parser.add_argument(
            "--role",
            choices=Role.values,
            default="",
            help="What the key may do, like a staff member of that role (default: owner for a"
            " read-write key, viewer for a read-only one). See docs/roles.md.",
        )
        parser.add_argument(
            "--user",
            help="Username of the superuser recorded as the key's creator (default: none).",
        )

    def handle(
        self,
        *args: Any,
        name: str,
        read_only: bool,
        user: str | None,
        role: str = "",
        **options: Any,
    ) -> None:
        created_by = None
        if user:
            created_by = get_user_model().objects.filter(username=user).first()
            if created_by is None or not created_by.is_superuser:
                raise CommandError(f"No superuser named {user!r}")
        try:
            api_key, raw_key = create_api_key(
                name=name, read_only=read_only, role=role, created_by=created_by
            )
        except RaffleError as exc:
            raise CommandError(exc.message) from None
        access = "read-only" if api_key.read_only else "read-write"
        access = f"{access}, role {api_key.role}"
        self.stderr.write(
            f"Created {access} API key {api_key.prefix} “{api_key.name}”."
            " Copy it now: it will not be shown again."
        )
        self.stdout.write(raw_key)
