"""`manage.py verify_draw <raffle id or public id>`: recompute a draw and compare.

Exit status 0 when every check passes; non-zero, naming each failed check, otherwise.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from raffles.exceptions import DrawNotFound
from raffles.models import Raffle
from raffles.services import verify_draw


def find_raffle(ref: str) -> Raffle:
    raffle = Raffle.objects.filter(public_id=ref).first()
    if raffle is None and ref.isdigit():
        raffle = Raffle.objects.filter(pk=int(ref)).first()
    if raffle is None:
        raise CommandError(f"No raffle with id or public id {ref!r}")
    return raffle


class Command(BaseCommand):
    help = "Recompute a raffle's draw from its seed, external value and frozen list; compare."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("raffle", help="the raffle's id or public id")

    def handle(self, *args: Any, **options: Any) -> None:
        raffle = find_raffle(options["raffle"])
        try:
            result = verify_draw(raffle)
        except DrawNotFound as exc:
            raise CommandError(f"Raffle {raffle.pk} ({raffle.title}): {exc.message}") from None
        self.stdout.write(f"Raffle {raffle.pk} ({raffle.public_id}): {raffle.title}")
        for passed, line in result.results:
            style = self.style.SUCCESS if passed else self.style.ERROR
            self.stdout.write(style(f"  {'ok  ' if passed else 'FAIL'}  {line}"))
        if not result.ok:
            raise CommandError(
                f"Verification FAILED for raffle {raffle.pk}: " + "; ".join(result.problems)
            )
        self.stdout.write(self.style.SUCCESS("Verification passed: the draw is reproducible."))
