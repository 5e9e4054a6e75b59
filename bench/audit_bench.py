"""Benchmark of the staff audit log and the sales charts. Run by hand; not a test.

    uv run python bench/audit_bench.py --db sqlite
    uv run python bench/audit_bench.py --db postgres

It builds its own database (as bench/portal_bench.py does) with 100,000 audit events (a
third by staff members, the rest by buyers and the system, over 90 days and 20 raffles)
and 20,000 paid orders in one raffle, then measures through Django's full middleware
stack: the audit page (first page, each filter, a page 600 pages deep), the full CSV
export, and a raffle's sales page. It prints a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import statistics
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from portal_bench import create_database, ms, setup_django, staff_client, timed

EVENTS = 100_000
ORDERS = 20_000


def populate() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from raffles.audit import EventKind
    from raffles.models import Buyer, Order, OrderEvent, Raffle

    rng = random.Random(19)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    users = [get_user_model().objects.create_user(f"staff{i}", is_staff=True) for i in range(5)]
    raffles = [
        Raffle.objects.create(title=f"Raffle {i}", ticket_price=Decimal(10), max_number=99_999)
        for i in range(20)
    ]
    kinds = [EventKind.PAID, EventKind.RAFFLE_UPDATED, EventKind.STAFF_REPLY, EventKind.CANCELLED]
    rows = []
    for i in range(EVENTS):
        staff = i % 3 == 0
        user = rng.choice(users) if staff else None
        rows.append(
            OrderEvent(
                raffle=rng.choice(raffles),
                kind=rng.choice(kinds) if staff else EventKind.RESERVED,
                actor_type="staff" if staff else "buyer",
                actor_user=user,
                actor_label=user.username if user else "+52155",
                created_at=start + timedelta(seconds=rng.randrange(90 * 86400)),
                details={"origin": {"ip": "127.0.0.1", "user_agent": "bench"}} if staff else {},
            )
        )
    OrderEvent.objects.bulk_create(rows, batch_size=5000)
    buyer = Buyer.objects.create(phone="+5215500000000", name="Bench")
    orders = [
        Order(
            code=f"B{i:07d}",
            raffle=raffles[0],
            buyer=buyer,
            qty=2,
            total_amount=Decimal(20),
            status=Order.Status.PAID if i % 5 else Order.Status.PENDING_PAYMENT,
            paid_at=start + timedelta(seconds=rng.randrange(90 * 86400)) if i % 5 else None,
            expires_at=datetime(2100, 1, 1, tzinfo=UTC),
        )
        for i in range(ORDERS)
    ]
    Order.objects.bulk_create(orders, batch_size=5000)
    return {"user": users[0], "raffle": raffles[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cleanup = create_database(args.db)
    try:
        setup_django()
        made = populate()
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        client = staff_client()
        from raffles.selectors_audit import AuditFilter, staff_actions_page

        deep = None
        for _ in range(600):
            deep = staff_actions_page(AuditFilter(), after=deep, size=50)[1]
        assert deep is not None
        raffle, user = made["raffle"], made["user"]
        pages = {
            "audit, first page": "/portal/audit/",
            "audit, by kind": "/portal/audit/?kind=paid",
            "audit, by staff member": f"/portal/audit/?user={user.pk}",
            "audit, by raffle": f"/portal/audit/?raffle={raffle.pk}",
            "audit, one day": "/portal/audit/?since=2026-02-01&until=2026-02-01",
            "audit, page 601": f"/portal/audit/?after={deep.token()}",
            "sales page, 20,000 orders": f"/portal/raffles/{raffle.pk}/sales/",
        }
        print(f"| {args.db} | median ms | max ms |\n| --- | --- | --- |")
        for label, url in pages.items():

            def get(url: str = url) -> None:
                assert client.get(url).status_code == 200

            times = timed(get, args.runs)
            print(f"| {label} | {ms(statistics.median(times))} | {ms(max(times))} |")

        def export() -> None:
            response = client.get("/portal/audit/export.csv")
            assert sum(1 for _ in response.streaming_content) > EVENTS // 3

        times = timed(export, 3, warmup=0)
        print(
            f"| CSV of 33,334 staff actions | {ms(statistics.median(times))} | {ms(max(times))} |"
        )
    finally:
        cleanup()


if __name__ == "__main__":
    main()
