"""`manage.py verify_draw <raffle id or public id>`: recompute a raffle's draw (either
method) and each of its drawn early-bird draws from their public inputs, and compare.

Exit status 0 when every check passes; non-zero, naming each failed check, otherwise.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from raffles.exceptions import DrawNotFound
from raffles.models import EarlyDraw, Raffle
from raffles.services import DrawCheck, verify_draw, verify_early_draw


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
        early_draws = list(EarlyDraw.objects.filter(raffle=raffle, drawn_at__isnull=False))
        if early_draws and raffle.status != Raffle.Status.DRAWN:
            # Sales go on: only the early-bird draws can be checked yet.
            self.stdout.write("  the main draw is not drawn yet")
            result = DrawCheck()
        else:
            self._show(result)
        for early in early_draws:
            self.stdout.write(f"Early-bird draw {early.pk}: {early.title}")
            checked = verify_early_draw(early)
            self._show(checked)
            result.results.extend(checked.results)
        if not result.ok:
            raise CommandError(
                f"Verification FAILED for raffle {raffle.pk}: " + "; ".join(result.problems)
            )
        self.stdout.write(self.style.SUCCESS("Verification passed: the draw is reproducible."))

    def _show(self, result: DrawCheck) -> None:
        for passed, line in result.results:
            style = self.style.SUCCESS if passed else self.style.ERROR
            self.stdout.write(style(f"  {'ok  ' if passed else 'FAIL'}  {line}"))
