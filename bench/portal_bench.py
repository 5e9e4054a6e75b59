"""Benchmark of the staff portal. Run by hand; not a test.

    uv run python bench/portal_bench.py --db sqlite
    uv run python bench/portal_bench.py --db postgres
    uv run python bench/portal_bench.py --db sqlite --only grid --only live

It builds its own database and removes it afterwards (a temporary SQLite file, or the
PostgreSQL database `raffles_portal_bench`, created and dropped through BENCH_PG_ADMIN_URL,
default postgres://postgres@127.0.0.1:5432/postgres), with the project's real settings
(`config.settings`, DEBUG off, django-unicorn's state in the database cache as in
production without Redis). It measures, in-process through Django's full middleware stack:

  grid       server time to render the ticket-grid page of a 10,000-number raffle
             (35 % sold, 5 % reserved; the page renders one 1,000-number block), and one
             block action (django-unicorn message `go(n)`: move to another block);
  live       time from a buyer's reservation (the service call committing) to the number
             changing colour in a grid open in headless Chromium, served by a live server
             thread (needs Debian's chromium);
  dashboard  server time to render the dashboard with 50 active raffles (2,000 numbers
             each) and 100,000 orders (100,000 audit events), and its live refresh
             (the django-unicorn message the poller triggers).

It prints a Markdown table; the Portal section of docs/performance.md keeps the latest.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchdb import prepare_database

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "raffles_portal_bench"
PARTS = ("grid", "live", "dashboard")
TARGETS = {"grid_page_ms": 300.0, "block_action_ms": 100.0, "live_s": 2.0, "dashboard_ms": 300.0}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# --- The database -------------------------------------------------------------------------


def create_database(db: str) -> Callable[[], None]:
    """Point DATABASE_URL at a new, empty database; return how to remove it."""
    url, cleanup = prepare_database(db, BENCH_DB)
    os.environ["DATABASE_URL"] = url
    return cleanup


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # production: no query log, minified django-unicorn
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


# --- Helpers ------------------------------------------------------------------------------


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def timed(func: Callable[[], Any], runs: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        func()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        out.append(time.perf_counter() - started)
    return out


def staff_client() -> Any:
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    user.set_password("bench-pass-123456")
    user.is_staff = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def component_state(html: str, name: str) -> tuple[str, dict[str, Any], str]:
    """(id, data, content hash) of a component as rendered in a page."""
    import orjson
    from lxml import html as lxml_html

    root = lxml_html.fromstring(html)
    element = root.xpath(f'//*[@unicorn:name="{name}"]', namespaces={"unicorn": "unicorn"})
    if not element:
        element = [e for e in root.iter() if e.get("unicorn:name") == name]
    node = element[0]
    return node.get("unicorn:id"), orjson.loads(node.get("unicorn:data")), ""


def unicorn_message(
    client: Any, name: str, component_id: str, data: dict[str, Any], method: str
) -> Any:
    from django_unicorn.utils import generate_checksum

    body = {
        "id": component_id,
        "data": data,
        "meta": f"{generate_checksum(data)}::{int(time.time() * 1000)}",
        "actionQueue": [{"type": "callMethod", "payload": {"name": method}}],
    }
    response = client.post(f"/unicorn/message/{name}", data=body, content_type="application/json")
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return response


def system_line() -> str:
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    return f"{machine}, Python {platform.python_version()}"


WATCH_JS = """(n) => {
  window.__seenAt = null;
  const check = () => {
    const cell = document.querySelector(`button.t[data-n='${n}']`);
    if (cell && cell.dataset.status === 'RESERVED' && window.__seenAt === null) {
      window.__seenAt = Date.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body,
    {subtree: true, attributes: true, childList: true});
}"""


# --- Data -------------------------------------------------------------------------------------


def buyers(count: int, prefix: str) -> list[Any]:
    from raffles.models import Buyer

    Buyer.objects.bulk_create(
        [Buyer(phone=f"+{prefix}{i:07d}", name=f"Buyer {i}") for i in range(count)],
        batch_size=5000,
        ignore_conflicts=True,
    )
    return list(Buyer.objects.filter(phone__startswith=f"+{prefix}").order_by("id"))


def fill_raffle(
    raffle: Any, people: list[Any], *, sold: float, reserved: float, lapsed: float = 0.0
) -> int:
    """Orders of one number each: the first `sold` share paid, then `reserved` holding,
    then `lapsed` expired (numbers free again). Bulk writes: a benchmark fixture, not a
    service path."""
    from django.utils import timezone

    from raffles.models import Order, OrderEvent, OrderTicket, TicketNumber

    now = timezone.now()
    size = raffle.size
    numbers = list(range(raffle.min_number, raffle.max_number + 1))
    random.Random(raffle.pk).shuffle(numbers)  # sold numbers spread over the whole range
    n_sold, n_res, n_lapsed = int(size * sold), int(size * reserved), int(size * lapsed)
    total = n_sold + n_res + n_lapsed
    orders = []
    for i in range(total):
        status = (
            Order.Status.PAID
            if i < n_sold
            else Order.Status.PENDING_PAYMENT
            if i < n_sold + n_res
            else Order.Status.EXPIRED
        )
        orders.append(
            Order(
                code=f"B{raffle.pk:03d}{i:06d}"[-12:],
                raffle=raffle,
                buyer=people[i % len(people)],
                qty=1,
                total_amount=raffle.ticket_price,
                status=status,
                created_at=now - timedelta(minutes=total - i),
                expires_at=now + timedelta(minutes=30),
                paid_at=now if status == Order.Status.PAID else None,
                closed_at=now if status == Order.Status.EXPIRED else None,
            )
        )
    Order.objects.bulk_create(orders, batch_size=5000)
    orders = list(Order.objects.filter(raffle=raffle).order_by("id"))
    OrderTicket.objects.bulk_create(
        [OrderTicket(order=o, number=numbers[i]) for i, o in enumerate(orders)],
        batch_size=5000,
    )
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                order=o,
                raffle=raffle,
                kind="paid" if o.status == Order.Status.PAID else "reserved",
                actor_type="buyer",
                actor_label=o.buyer.phone,
                details={"numbers": [numbers[i]]},
            )
            for i, o in enumerate(orders)
        ],
        batch_size=5000,
    )
    tickets = {t.number: t for t in TicketNumber.objects.filter(raffle=raffle)}
    changed = []
    for i, order in enumerate(orders[: n_sold + n_res]):
        ticket = tickets[numbers[i]]
        ticket.reserved_by_order = order
        if order.status == Order.Status.PAID:
            ticket.status = TicketNumber.Status.SOLD
        else:
            ticket.status = TicketNumber.Status.RESERVED
            ticket.reserved_until = order.expires_at
        changed.append(ticket)
    TicketNumber.objects.bulk_update(
        changed, ["status", "reserved_by_order", "reserved_until"], batch_size=5000
    )
    return total


def grid_raffle() -> Any:
    from raffles import services
    from raffles.tests.factories import make_raffle

    raffle = make_raffle(size=10_000, title="Bench grid raffle", max_tickets_per_order=20)
    fill_raffle(raffle, buyers(2000, "1999"), sold=0.35, reserved=0.05)
    services.log_event(kind="bench", raffle=raffle)
    return raffle


# --- Measurements -------------------------------------------------------------------------------


def bench_grid(results: dict[str, Any], runs: int) -> None:
    raffle = grid_raffle()
    client = staff_client()
    url = f"/portal/raffles/{raffle.pk}/numbers/"
    page = client.get(url)
    assert page.status_code == 200
    cells = len(re.findall(rb'class="t (?:AVAILABLE|RESERVED|SOLD)', page.content))
    assert cells == 1000, cells
    page_times = timed(lambda: client.get(url), runs)

    component_id, data, _ = component_state(page.content.decode(), "ticket-grid")
    blocks = iter(range(10**6))

    def action() -> None:
        response = unicorn_message(
            client, "ticket-grid", component_id, data, f"go({next(blocks) % 10})"
        )
        assert b"data-n=" in response.content, response.content[:500]

    action_times = timed(action, runs)
    results["grid"] = {
        "page_ms": (ms(statistics.median(page_times)), ms(p95(page_times))),
        "action_ms": (ms(statistics.median(action_times)), ms(p95(action_times))),
        "page_kb": round(len(page.content) / 1024),
    }


def bench_live(results: dict[str, Any], runs: int) -> None:
    if not os.path.exists(CHROMIUM):
        results["live"] = {"skipped": f"{CHROMIUM} not found"}
        return
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.test.testcases import LiveServerThread
    from playwright.sync_api import sync_playwright

    from raffles import services
    from raffles.models import Raffle

    raffle = Raffle.objects.filter(title="Bench grid raffle").first() or grid_raffle()
    staff_client()
    server = LiveServerThread("127.0.0.1", StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    base = f"http://127.0.0.1:{server.port}"
    people = buyers(runs + 5, "1888")
    free = list(
        raffle.tickets.filter(status="AVAILABLE", number__lt=1000).values_list("number", flat=True)
    )
    delays = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(base + "/portal/login/")
            page.fill("#id_username", "bench")
            page.fill("#id_password", "bench-pass-123456")
            page.click("button[type=submit]")
            page.wait_for_url(base + "/portal/")
            page.goto(f"{base}/portal/raffles/{raffle.pk}/numbers/")
            page.wait_for_selector("button.t[data-n]")
            page.wait_for_timeout(1500)
            for i in range(runs):
                number = free[i * 7]
                page.wait_for_timeout(300 + (i * 137) % 700)  # land anywhere in the poll cycle
                # The page notes the moment the number turns reserved (a MutationObserver),
                # so Playwright's own polling interval does not count.
                page.evaluate(WATCH_JS, number)
                started = time.time()
                services.reserve_specific(raffle.pk, [number], people[i])
                page.wait_for_function("window.__seenAt !== null", polling=50, timeout=10_000)
                delays.append(page.evaluate("window.__seenAt") / 1000 - started)
            browser.close()
    finally:
        server.terminate()
    results["live"] = {
        "median_s": round(statistics.median(delays), 2),
        "p95_s": round(p95(delays), 2),
        "max_s": round(max(delays), 2),
        "runs": runs,
    }


def bench_dashboard(results: dict[str, Any], runs: int) -> None:
    from django.utils import timezone

    from raffles import services
    from raffles.models import Order, PaymentProof, Raffle, TicketNumber

    people = buyers(5000, "1777")
    started = time.perf_counter()
    total = 0
    for i in range(50):
        raffle = services.create_raffle(
            title=f"Dashboard raffle {i:02d}", ticket_price=Decimal("2.00"), max_number=1999
        )
        services.generate_tickets(raffle)
        raffle = services.activate_raffle(raffle=raffle)
        total += fill_raffle(raffle, people, sold=0.6, reserved=0.1, lapsed=0.3)
        order = Order.objects.filter(raffle=raffle, status=Order.Status.PENDING_PAYMENT).first()
        PaymentProof.objects.create(
            order=order,
            file="proofs/bench.png",
            mime_type="image/png",
            sha256=f"{i:064d}",
            size=10,
            received_at=timezone.now(),
        )
    setup_s = time.perf_counter() - started
    assert total == 100_000, total
    assert Raffle.objects.filter(status="active", title__startswith="Dashboard").count() == 50
    assert TicketNumber.objects.filter(raffle__title__startswith="Dashboard").count() == 100_000

    client = staff_client()
    page = client.get("/portal/")
    assert page.status_code == 200
    assert page.content.count(b'class="card" data-raffle=') >= 50
    page_times = timed(lambda: client.get("/portal/"), runs)
    component_id, data, _ = component_state(page.content.decode(), "dashboard")
    refresh_times = timed(
        lambda: unicorn_message(client, "dashboard", component_id, data, "refresh"), runs
    )
    results["dashboard"] = {
        "page_ms": (ms(statistics.median(page_times)), ms(p95(page_times))),
        "refresh_ms": (ms(statistics.median(refresh_times)), ms(p95(refresh_times))),
        "setup_s": round(setup_s, 1),
        "orders": Order.objects.count(),
    }


# --- Report -----------------------------------------------------------------------------------


def report(db: str, results: dict[str, Any]) -> str:
    rows = []
    grid = results.get("grid")
    if grid:
        rows.append(
            f"| {db} | grid page, 10,000-number raffle (1,000-number block, "
            f"{grid['page_kb']} kB) | {grid['page_ms'][0]} ms | {grid['page_ms'][1]} ms | "
            f"≤ {TARGETS['grid_page_ms']:.0f} ms |"
        )
        rows.append(
            f"| {db} | block action (`go(n)`, unicorn message) | {grid['action_ms'][0]} ms | "
            f"{grid['action_ms'][1]} ms | ≤ {TARGETS['block_action_ms']:.0f} ms |"
        )
    live = results.get("live")
    if live and "skipped" not in live:
        rows.append(
            f"| {db} | reservation → colour in an open grid ({live['runs']} runs, max "
            f"{live['max_s']} s) | {live['median_s']} s | {live['p95_s']} s | "
            f"≤ {TARGETS['live_s']:.0f} s |"
        )
    elif live:
        rows.append(f"| {db} | reservation → colour | skipped: {live['skipped']} | | |")
    dash = results.get("dashboard")
    if dash:
        rows.append(
            f"| {db} | dashboard page, 50 raffles, {dash['orders']:,} orders | "
            f"{dash['page_ms'][0]} ms | {dash['page_ms'][1]} ms | "
            f"≤ {TARGETS['dashboard_ms']:.0f} ms |"
        )
        rows.append(
            f"| {db} | dashboard live refresh (unicorn message) | {dash['refresh_ms'][0]} ms | "
            f"{dash['refresh_ms'][1]} ms | |"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--only", action="append", choices=PARTS)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    parts = args.only or list(PARTS)
    drop = create_database(args.db)
    results: dict[str, Any] = {}
    try:
        setup_django()
        if "grid" in parts:
            bench_grid(results, args.runs)
        if "live" in parts:
            bench_live(results, min(args.runs, 12))
        if "dashboard" in parts:
            bench_dashboard(results, args.runs)
    finally:
        drop()
    print(f"\n{datetime.now(UTC):%Y-%m-%d} · {system_line()} · {args.db}\n")
    print("| database | measurement | median | p95 | target |")
    print("| --- | --- | --- | --- | --- |")
    print(report(args.db, results))


if __name__ == "__main__":
    main()
