"""Launch-day benchmark: a crowd of new buyers arrives on a fresh raffle and buys.

On a fresh database (a temporary SQLite file or the PostgreSQL database
`raffles_launch_bench`) with one active raffle of --numbers numbers, it starts gunicorn and a
django-q2 cluster configured as in production (signed webhook, real credentials pointing at
the fake Graph API), and runs the fake Graph API inside this process so every reply the bot
sends reaches the buyers' script at once. --buyers distinct new WhatsApp users arrive at
random moments within --window seconds. Each one, talking through the real webhook:

    "hi"                      → the welcome (menu and raffle list): time to first reply
    a pick, one of            → the order with its payment details ("cancel:<code>" button):
      "random 2", "random 1",    time to reservation, counted from her "hi"
      two typed numbers from
      the first --hot numbers
    if typed numbers were just taken by someone else ("Choose again"), "random 1"

Reported: time to first reply and time to reservation (p50/p95/p99), messages per second
(inbound messages handled between the first POST and the last reply), CPU per inbound
message for web (gunicorn), cluster (qcluster) and database (PostgreSQL backends) from /proc,
and two checks made in the database after the run: no number in more than one live or paid
order, every inbound row processed; plus every buyer answered.

    uv run python bench/launch_bench.py                       # 300 buyers within 30 s, SQLite
    uv run python bench/launch_bench.py --buyers 5000 --window 120 --db postgres
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchdb import prepare_database
from cpu import BackendCPU, cpu_seconds
from e2e_bench import PHONE_NUMBER_ID, TOKEN, percentile, write_results
from webhook_bench import (
    BASE_DIR,
    free_port,
    gunicorn_command,
    migrate,
    payload,
    project_env,
    running,
    sign,
    wait_until_up,
)

from messaging.testing.fakegraph import FakeGraph, RecordedRequest

SETUP = """
from decimal import Decimal
from raffles import services
raffle = services.create_raffle(title="Launch", ticket_price=Decimal("5.00"),
    max_number={last}, max_tickets_per_order=10)
services.generate_tickets(raffle)
services.activate_raffle(raffle=raffle)
"""

CHECKS = """
import json
from django.db.models import Count
from messaging.models import InboundMessage
from raffles.models import Order, OrderTicket, TicketNumber
kept = [*Order.LIVE_STATUSES, Order.Status.PAID]
twice = (OrderTicket.objects.filter(order__status__in=kept).values("order__raffle_id", "number")
         .annotate(n=Count("id")).filter(n__gt=1).count())
print(json.dumps({
    "inbound_rows": InboundMessage.objects.count(),
    "inbound_not_processed": InboundMessage.objects.exclude(status="processed").count(),
    "numbers_in_two_orders": twice,
    "numbers_held": OrderTicket.objects.filter(order__status__in=kept).count(),
    "tickets_not_available": TicketNumber.objects.exclude(status="AVAILABLE").count(),
    "live_orders": Order.objects.filter(status__in=kept).count(),
}))
"""


class Buyer:
    def __init__(self, n: int, wa_id: str, arrival: float, pick: str) -> None:
        self.n, self.wa_id, self.arrival, self.pick = n, wa_id, arrival, pick
        self.hi_at = 0.0
        self.first_reply = 0.0
        self.reserved = 0.0
        self.stage = "hi"  # hi → picking → done
        self.retried = False
        self.unexpected = 0
        self.sent = 0


class Crowd:
    """The buyers' side: posts due messages from a pool of threads, reacts to the replies the
    fake Graph API records (`on_reply`, called from the fake's threads)."""

    def __init__(self, port: int, buyers: list[Buyer], threads: int, think: float) -> None:
        self.port, self.threads, self.think = port, threads, think
        self.buyers = {b.wa_id: b for b in buyers}
        self.due: queue.PriorityQueue[tuple[float, int, str, str]] = queue.PriorityQueue()
        self.seq = 0
        self.lock = threading.Lock()
        self.failures: list[str] = []
        self.posts = 0
        self.stop = threading.Event()
        for b in buyers:
            self.schedule(b.arrival, b, "hi")

    def schedule(self, at: float, buyer: Buyer, text: str) -> None:
        with self.lock:
            self.seq += 1
            self.due.put((at, self.seq, buyer.wa_id, text))

    def on_reply(self, body: Any, at: float) -> None:
        if not isinstance(body, dict) or body.get("status") == "read":
            return
        buyer = self.buyers.get(str(body.get("to")))
        if buyer is None:
            return
        raw = json.dumps(body)
        with self.lock:
            if not buyer.first_reply:
                buyer.first_reply = at
            if buyer.stage == "hi":
                buyer.stage = "picking"
                follow = buyer.pick
            elif buyer.stage == "picking" and '"cancel:' in raw:
                buyer.reserved, buyer.stage = at, "done"
                return
            elif buyer.stage == "picking" and '"pick:' in raw and not buyer.retried:
                buyer.retried = True
                follow = "random 1"
            else:
                if buyer.stage == "picking" and '"pick:' in raw:
                    buyer.unexpected += 1
                return
        self.schedule(at + self.think, buyer, follow)

    def run(self) -> None:
        self.pool = [
            threading.Thread(target=self._worker, daemon=True) for _ in range(self.threads)
        ]
        for thread in self.pool:
            thread.start()

    def _worker(self) -> None:
        conn = HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self.stop.is_set():
            try:
                at, seq, wa_id, text = self.due.get(timeout=0.2)
            except queue.Empty:
                continue
            delay = at - time.time()
            if delay > 0:
                self.due.put((at, seq, wa_id, text))
                time.sleep(min(delay, 0.02))
                continue
            buyer = self.buyers[wa_id]
            wamid = f"wamid.launch{wa_id}.{seq}"
            raw = json.dumps(payload(wa_id, wamid, text)).encode()
            headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw)}
            started = time.time()
            if text == "hi":
                buyer.hi_at = started
            status, error = 0, ""
            for _ in range(2):  # a keep-alive connection the server closed while idle: reopen
                try:
                    conn.request("POST", "/whatsapp/webhook/", body=raw, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                    break
                except OSError as exc:
                    conn.close()
                    conn = HTTPConnection("127.0.0.1", self.port, timeout=30)
                    error = repr(exc)
            with self.lock:
                buyer.sent += 1
                if status == 200:
                    self.posts += 1
                else:
                    self.failures.append(error or f"HTTP {status}")
        conn.close()


class LaunchGraph(FakeGraph):
    """The fake Graph API, telling the crowd about each message sent."""

    crowd: Crowd | None = None

    def _record(self, request: RecordedRequest) -> None:
        super()._record(request)
        if (
            self.crowd is not None
            and request.method == "POST"
            and request.path.endswith("/messages")
        ):
            self.crowd.on_reply(request.json, request.at)


def make_buyers(args: argparse.Namespace, start: float) -> list[Buyer]:
    rng = random.Random(args.seed)
    run_id = f"{os.getpid() % 97:02d}"
    buyers = []
    for n, offset in enumerate(sorted(rng.uniform(0, args.window) for _ in range(args.buyers))):
        kind = n % 3
        if kind == 0:
            pick = "random 2"
        elif kind == 1:
            pick = "random 1"
        else:
            pick = " ".join(str(x) for x in sorted(rng.sample(range(args.hot), 2)))
        buyers.append(Buyer(n, f"5277{run_id}{n:06d}", start + offset, pick))
    return buyers


def manage_shell(env: dict[str, str], code: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_s": None, "p95_s": None, "p99_s": None, "max_s": None}
    return {
        "p50_s": round(statistics.median(values), 3),
        "p95_s": round(percentile(values, 0.95), 3),
        "p99_s": round(percentile(values, 0.99), 3),
        "max_s": round(max(values), 3),
    }


def run(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    database_url, cleanup = prepare_database(kind, "raffles_launch_bench")
    web_port = free_port()
    media = tempfile.mkdtemp(prefix="launch-bench-media-")
    fake = LaunchGraph(token=TOKEN)
    fake.start()
    try:
        env = project_env(
            database_url,
            args.broker,
            WHATSAPP_API_BASE_URL=fake.base_url,
            WHATSAPP_ACCESS_TOKEN=TOKEN,
            WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
            WHATSAPP_MESSAGES_PER_SECOND=str(args.mps),
            Q_WORKERS=str(args.q_workers),
            MEDIA_ROOT=media,
        )
        migrate(env)
        manage_shell(env, SETUP.format(last=args.numbers - 1))
        web_cmd = gunicorn_command(web_port, args.workers, args.threads)
        with (
            running(web_cmd, env) as web,
            running([sys.executable, "manage.py", "qcluster"], env) as cluster,
        ):
            wait_until_up(f"http://127.0.0.1:{web_port}/healthz")
            time.sleep(args.settle)  # the cluster's processes start
            backends = BackendCPU(database_url)
            parts: dict[str, Callable[[], float]] = {
                "web": lambda: cpu_seconds(web.pid),
                "cluster": lambda: cpu_seconds(cluster.pid),
                "database": backends,
            }
            cpu_before = {name: part() for name, part in parts.items()}
            buyers = make_buyers(args, time.time() + 0.5)
            crowd = Crowd(web_port, buyers, args.client_threads, args.think)
            fake.crowd = crowd
            crowd.run()
            deadline = buyers[-1].arrival + args.grace
            while time.time() < deadline:
                time.sleep(0.5)
                with crowd.lock:
                    waiting = sum(b.stage != "done" for b in buyers)
                    pending = crowd.due.qsize()
                if not waiting and not pending:
                    break
            time.sleep(args.settle)  # the tail of the replies (read receipts, second parts)
            cpu = {name: part() - cpu_before[name] for name, part in parts.items()}
            backends.close()
            crowd.stop.set()
        checks = json.loads(manage_shell(env, CHECKS).strip().splitlines()[-1])
        sends = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
        replies = [r for r in sends if isinstance(r.json, dict) and r.json.get("status") != "read"]
        inbound = crowd.posts
        last_reply = max((r.at for r in replies), default=time.time())
        span = last_reply - min(b.hi_at for b in buyers if b.hi_at)
        first = [b.first_reply - b.hi_at for b in buyers if b.first_reply and b.hi_at]
        reserved = [b.reserved - b.hi_at for b in buyers if b.reserved and b.hi_at]
        cpu_total = sum(cpu.values())
        return {
            "database": kind,
            "broker": args.broker,
            "buyers": args.buyers,
            "window_s": args.window,
            "numbers": args.numbers,
            "inbound_messages": inbound,
            "replies_sent": len(replies),
            "messages_per_second": round(inbound / span, 1) if span > 0 else None,
            "replies_per_second": round(len(replies) / span, 1) if span > 0 else None,
            "first_reply": stats(first),
            "reservation": stats(reserved),
            "answered": len(first),
            "not_answered": args.buyers - len(first),
            "reserved": len(reserved),
            "not_reserved": args.buyers - len(reserved),
            "retried_after_taken": sum(b.retried for b in buyers),
            "taken_again_after_retry": sum(b.unexpected for b in buyers),
            "webhook_errors": len(crowd.failures),
            "webhook_error_kinds": sorted(set(crowd.failures))[:5],
            "cpu_ms_per_message": round(cpu_total * 1000 / max(inbound, 1), 1),
            "cpu_ms_per_message_by_process": {
                name: round(seconds * 1000 / max(inbound, 1), 1) for name, seconds in cpu.items()
            },
            **checks,
        }
    finally:
        fake.stop()
        cleanup()
        shutil.rmtree(media, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--broker", default="orm", choices=["orm", "redis"])
    parser.add_argument("--buyers", type=int, default=300, help="distinct new buyers")
    parser.add_argument("--window", type=float, default=30, help="seconds they arrive within")
    parser.add_argument("--numbers", type=int, default=10_000, help="numbers in the raffle")
    parser.add_argument("--hot", type=int, default=500, help="typed picks come from 0..hot-1")
    parser.add_argument("--think", type=float, default=0.5, help="seconds before answering")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--mps", type=int, default=1000, help="WHATSAPP_MESSAGES_PER_SECOND")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--q-workers", type=int, default=2 * (os.cpu_count() or 1), help="Q_WORKERS"
    )
    parser.add_argument("--client-threads", type=int, default=8)
    parser.add_argument("--grace", type=float, default=90, help="seconds to wait after arrivals")
    parser.add_argument("--settle", type=float, default=5, help="seconds for the cluster to start")
    parser.add_argument(
        "--out",
        default=str(Path(__file__).resolve().parent / "results" / "launch.json"),
        help="where to write the figures as JSON (bench/results/ is not committed)",
    )
    args = parser.parse_args()
    load_before = f"{os.getloadavg()[0]:.1f}"
    results = [run(kind, args) for kind in args.db or ["sqlite"]]
    print(
        f"\n{args.buyers} new buyers within {args.window:g} s on a {args.numbers}-number raffle."
        f" Load average before: {load_before}, after: {os.getloadavg()[0]:.1f}"
        f" ({os.cpu_count()} cores)"
    )
    print(
        "| database | inbound msgs | msgs/s | first reply p50/p95/p99 s |"
        " reservation p50/p95/p99 s | reserved | not answered | inbound not processed |"
        " numbers sold twice | CPU ms/msg web + cluster + db |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        f, v, c = r["first_reply"], r["reservation"], r["cpu_ms_per_message_by_process"]
        print(
            f"| {r['database']} | {r['inbound_messages']} | {r['messages_per_second']} |"
            f" {f['p50_s']} / {f['p95_s']} / {f['p99_s']} |"
            f" {v['p50_s']} / {v['p95_s']} / {v['p99_s']} |"
            f" {r['reserved']}/{r['buyers']} | {r['not_answered']} |"
            f" {r['inbound_not_processed']} | {r['numbers_in_two_orders']} |"
            f" {r['cpu_ms_per_message']} ({c['web']} + {c['cluster']} + {c['database']}) |"
        )
    print(json.dumps(results, indent=1), file=sys.stderr)
    write_results(args.out, "launch_bench", vars(args), results)


if __name__ == "__main__":
    main()
