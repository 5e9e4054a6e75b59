"""Print every notification template for the operator to submit to Meta, or write them as
JSON in the shape of Meta's template-creation API (docs/whatsapp.md, "Message templates")."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from messaging.bot import message_templates as mt


class Command(BaseCommand):
    help = (
        "Print every WhatsApp message template the notifications use, in every language, and "
        "whether it is approved (WHATSAPP_APPROVED_TEMPLATES); --json writes them in the shape "
        "of Meta's template-creation API."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--json",
            metavar="PATH",
            help="write a JSON list, one template-creation request body per template and "
            "language ('-': standard output)",
        )
        parser.add_argument(
            "--language",
            action="append",
            choices=sorted(mt.META_LANGUAGES.values()),
            help="only this language (Meta's code; repeat for several)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = set(options["language"] or [])
        rendered = [r for r in mt.catalog() if not wanted or r.meta_language in wanted]
        if options["json"]:
            text = json.dumps([mt.meta_shape(r) for r in rendered], ensure_ascii=False, indent=2)
            if options["json"] == "-":
                self.stdout.write(text)
            else:
                Path(options["json"]).write_text(text + "\n", encoding="utf-8")
                self.stdout.write(f"Wrote {len(rendered)} templates to {options['json']}")
            return
        for r in rendered:
            self.stdout.write(self._describe(r))

    def _describe(self, r: mt.Rendered) -> str:
        state = "approved" if r.approved else "NOT APPROVED"
        if not r.translated:
            state += ", NOT TRANSLATED"
        lines = [
            f"== {r.name} [{r.meta_language}] {r.definition.category.value} ({state})",
            f"   when: {r.definition.about}",
            "   body:",
            *(f"     {line}" for line in r.body.splitlines()),
            "   examples: " + " | ".join(f"{{{{{i}}}}}={e}" for i, e in enumerate(r.examples, 1)),
        ]
        if r.footer:
            lines.append(f"   footer: {r.footer}")
        for kind, text, url in r.buttons:
            lines.append(f"   button {kind}: {text}" + (f" → {url}" if url else ""))
        return "\n".join(lines) + "\n"
