"""A simulated sales day through the real payment services. Run by hand; not a test.

    uv run python bench/payments_day.py                 # 300 orders, SQLite
    uv run python bench/payments_day.py --orders 1000 --db postgres

One raffle takes three payment methods. Each order (a new buyer, 1 to 3 random numbers)
pays by payment link (a third), Pix or bank transfer:
- payment links go through the fake Mercado Pago server (real HTTP on 127.0.0.1): the
  checkout preference, the payment, and its signed notification to our real webhook, served
  by Django's threaded WSGI server on 127.0.0.1; the stored notification is then processed
  as the django-q2 task does (the queue's pickup delay is not included);
- Pix and transfers arrive at the end of the day in one bank statement (a generated CSV in
  the Portuguese layout) imported with `import_statement`.
5 % of the orders pay a wrong amount and 5 % give no reference (a transfer without the
code). Every order left unconfirmed sends a PDF receipt (`attach_payment_proof`, so its
proof hints are read); the report counts how many of those the hints flag.

Every buyer has a WhatsApp contact with an open window (as when she wrote to the bot), so a
confirmation queues her receipt and ticket picture (`--no-contacts`: buyers without one).
The import's wall and CPU time and its SQL statements are reported; `--profile` also prints
and stores a cProfile of it.

It writes bench/results/payments_day-<db>-<orders>.json and prints a summary.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import os
import platform
import pstats
import random
import statistics
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchdb import prepare_database
from portal_bench import ROOT, ms, p95, setup_django

BENCH_DB = "raffles_payments_day"
RESULTS = ROOT / "bench" / "results"


def start_app_server() -> tuple[str, Any]:
    """Our Django app on 127.0.0.1 (a random port), for the fake's notifications."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet, allow_reuse_address=False)
    server.daemon_threads = True
    server.set_app(get_wsgi_application())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def plan(orders: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for i in range(orders):
        roll = rng.random()
        rows.append(
            {
                "i": i,
                "qty": rng.randint(1, 3),
                "method": rng.choice(("payment_link", "pix", "transfer")),
                "wrong_amount": roll < 0.05,
                "no_reference": 0.05 <= roll < 0.10,
            }
        )
    return rows


def run(
    orders: int, db: str, seed: int, *, contacts: bool = True, profile: bool = False
) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from messaging.models import Contact, OutboundMessage
    from raffles import services
    from raffles.models import LinkPayment, Order, PaymentNotification, PaymentSetup
    from raffles.payments.proof_hints import Hints
    from raffles.services.payment_links import process_notification
    from raffles.testing.fakemercadopago import FakeMercadoPago
    from raffles.testing.pdf import text_pdf

    logging.getLogger("raffles").setLevel(logging.ERROR)
    base_url, server = start_app_server()
    fake = FakeMercadoPago(token="bench-token", secret="bench-secret").start()  # noqa: S106
    settings.MERCADOPAGO_BASE_URL = fake.base_url
    settings.MERCADOPAGO_ACCESS_TOKEN = fake.token
    settings.MERCADOPAGO_WEBHOOK_SECRET = fake.secret
    settings.PUBLIC_BASE_URL = base_url
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

    raffle = services.create_raffle(
        title="Payments day",
        ticket_price=Decimal("12.50"),
        currency="BRL",
        min_number=0,
        max_number=orders * 3 + 99,
        max_tickets_per_order=3,
    )
    services.generate_tickets(raffle)
    raffle = services.activate_raffle(raffle=raffle)
    PaymentSetup.objects.create(raffle=raffle, methods=["transfer", "pix", "payment_link"])

    rows = plan(orders, seed)
    today = timezone.localdate()
    started = time.perf_counter()
    link_seconds: list[float] = []
    statement: list[str] = ["Data,Histórico,Documento,Valor (R$)"]
    made: dict[int, int] = {}  # order id → plan row
    for row in rows:
        buyer = services.get_or_create_buyer(phone=f"+55119{row['i']:08d}", name="Bench")
        if contacts:  # a buyer who wrote on WhatsApp: the receipt and ticket go to her
            Contact.objects.create(
                wa_id=f"55119{row['i']:08d}", buyer=buyer, last_inbound_at=timezone.now()
            )
            buyer.refresh_from_db()
        order = services.reserve_random(raffle.pk, row["qty"], buyer)
        made[order.pk] = row["i"]
        paid = order.total_amount + (Decimal("1.00") if row["wrong_amount"] else 0)
        if row["method"] == "payment_link" and not row["no_reference"]:
            services.checkout_link(order)
            t0 = time.perf_counter()
            payment_id = fake.pay(reference=order.code, amount=paid)  # → our webhook
            for note in PaymentNotification.objects.filter(
                payment_id=payment_id, processed_at__isnull=True
            ):
                process_notification(note.pk)  # what the django-q2 task runs
            if Order.objects.filter(pk=order.pk, status=Order.Status.PAID).exists():
                link_seconds.append(time.perf_counter() - t0)
            continue
        words = "PIX RECEBIDO" if row["method"] == "pix" else "TED RECEBIDA"
        reference = "" if row["no_reference"] else f" {order.code}"
        amount = f"{paid:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
        statement.append(f'"{today:%d/%m/%Y}","{words} BENCH{reference}","{row["i"]}","{amount}"')
    day_seconds = time.perf_counter() - started

    statements = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    profiler = cProfile.Profile() if profile else None
    outbox_before = OutboundMessage.objects.count()
    with connection.execute_wrapper(count):
        t0, cpu0 = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = services.import_statement(
            content="\n".join(statement).encode(), filename="extrato.csv"
        )
        if profiler:
            profiler.disable()
        import_seconds = time.perf_counter() - t0
        import_cpu = time.process_time() - cpu0
    import_messages = OutboundMessage.objects.count() - outbox_before
    if profiler:
        RESULTS.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(RESULTS / f"payments_day-{db}-{orders}-import.prof")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
    statement_lines = len(statement) - 1

    waiting = Order.objects.filter(raffle=raffle).exclude(status=Order.Status.PAID)
    proof_seconds: list[float] = []
    flagged = 0
    for order in waiting:
        row = rows[made[order.pk]]
        paid = order.total_amount + (Decimal("1.00") if row["wrong_amount"] else 0)
        lines = [f"Comprovante {row['method']}", f"Valor R$ {paid:.2f}".replace(".", ",")]
        lines.append(f"Data {today:%d/%m/%Y}")
        if not row["no_reference"]:
            lines.append(f"Descricao: pedido {order.code}")
        t0 = time.perf_counter()
        proof = services.attach_payment_proof(
            order, content=text_pdf(lines), mime_type="application/pdf"
        )
        proof_seconds.append(time.perf_counter() - t0)
        hints = Hints.from_json(proof.hints)
        flagged += bool(hints and hints.mismatch)

    confirmed = Order.objects.filter(raffle=raffle, status=Order.Status.PAID).count()
    by_link = LinkPayment.objects.filter(
        order__raffle=raffle, order__status=Order.Status.PAID
    ).count()
    fake.stop()
    server.shutdown()
    exceptions = sum(1 for r in rows if r["wrong_amount"] or r["no_reference"])
    return {
        "db": db,
        "orders": orders,
        "buyers_with_whatsapp_contact": contacts,
        "seed": seed,
        "machine": f"{platform.machine()} {platform.system()}, shared with other work",
        "methods": {
            m: sum(1 for r in rows if r["method"] == m) for m in ("payment_link", "pix", "transfer")
        },
        "exceptions_planned": exceptions,
        "confirmed_without_a_person": confirmed,
        "confirmed_share": round(confirmed / orders, 4),
        "confirmed_share_of_clean_orders": round(confirmed / max(1, orders - exceptions), 4),
        "confirmed_by_link": by_link,
        "payment_link_to_paid_ms": {
            "p50": ms(statistics.median(link_seconds)) if link_seconds else None,
            "p95": ms(p95(link_seconds)) if link_seconds else None,
            "max": ms(max(link_seconds)) if link_seconds else None,
        },
        "statement": {
            "lines": statement_lines,
            "import_s": round(import_seconds, 3),
            "import_cpu_s": round(import_cpu, 3),
            "import_sql_statements": statements[0],
            "import_sql_per_line": round(statements[0] / max(1, statement_lines), 1),
            "import_outbox_rows": import_messages,
            "counts": {k: v for k, v in result.counts.items() if isinstance(v, int)}
            if hasattr(result, "counts")
            else {},
        },
        "left_for_review": len(proof_seconds),
        "left_for_review_flagged_by_pdf_hints": flagged,
        "pdf_proof_attach_ms_p50": ms(statistics.median(proof_seconds)) if proof_seconds else None,
        "day_s": round(day_seconds, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument(
        "--no-contacts", action="store_true", help="buyers without a WhatsApp contact"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile of the import")
    args = parser.parse_args()
    url, cleanup = prepare_database(args.db, BENCH_DB)  # its own database, not the portal's
    os.environ["DATABASE_URL"] = url
    try:
        setup_django()
        report = run(
            args.orders, args.db, args.seed, contacts=not args.no_contacts, profile=args.profile
        )
    finally:
        cleanup()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"payments_day-{args.db}-{args.orders}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    print(f"written to {Path(out).relative_to(ROOT)}")


if __name__ == "__main__":
    main()
