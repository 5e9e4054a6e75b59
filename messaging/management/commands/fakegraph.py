"""`manage.py fakegraph [--port 8999] [--token T]`: run the fake Graph API in the foreground."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from messaging.testing.fakegraph import DEFAULT_TOKEN, FakeGraph


class Command(BaseCommand):
    help = "Run a fake WhatsApp Cloud (Graph) API on 127.0.0.1 for development and tests."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8999)
        parser.add_argument("--token", default=DEFAULT_TOKEN, help="bearer token to accept")

    def handle(self, *args: Any, port: int, token: str, **options: Any) -> None:
        fake = FakeGraph(token=token, port=port)
        self.stdout.write(
            f"Fake Graph API on {fake.base_url}\n"
            f"  WHATSAPP_API_BASE_URL={fake.base_url}\n"
            f"  WHATSAPP_ACCESS_TOKEN={token}\n"
            "  WHATSAPP_PHONE_NUMBER_ID=<any>\n"
            f"  control: {fake.base_url}/_fake/requests (Ctrl-C to stop)"
        )
        try:
            fake.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            fake.close()
