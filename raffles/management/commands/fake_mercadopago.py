"""`manage.py fake_mercadopago [--port 8998]`: run the fake Mercado Pago API in the foreground."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from raffles.testing.fakemercadopago import DEFAULT_SECRET, DEFAULT_TOKEN, FakeMercadoPago


class Command(BaseCommand):
    help = "Run a fake Mercado Pago API on 127.0.0.1 (payment links without an account)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8998)
        parser.add_argument("--token", default=DEFAULT_TOKEN, help="access token to accept")
        parser.add_argument("--secret", default=DEFAULT_SECRET, help="webhook secret to sign with")

    def handle(self, *args: Any, port: int, token: str, secret: str, **options: Any) -> None:
        fake = FakeMercadoPago(token=token, secret=secret, port=port)
        self.stdout.write(
            f"Fake Mercado Pago on {fake.base_url}\n"
            f"  MERCADOPAGO_BASE_URL={fake.base_url}\n"
            f"  MERCADOPAGO_ACCESS_TOKEN={token}\n"
            f"  MERCADOPAGO_WEBHOOK_SECRET={secret}\n"
            f"  pay an order: POST {fake.base_url}/_fake/pay "
            '{"reference": "<order code>", "status": "approved"} (Ctrl-C to stop)'
        )
        try:
            fake.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            fake._server.server_close()
