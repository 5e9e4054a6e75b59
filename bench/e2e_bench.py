"""End-to-end benchmark of the WhatsApp channel: a buyer's text in, the bot's reply out.

Starts, on a fresh database (a temporary SQLite file or the PostgreSQL database
`raffles_e2e_bench`), the fake Graph API (`manage.py fakegraph`), gunicorn (config.wsgi,
DEBUG=false) and a django-q2 cluster (`manage.py qcluster`), configured as in production with
real credentials: WHATSAPP_API_BASE_URL points at the fake, token and phone number id are set
(so the channel is not in sandbox mode), the webhook checks WHATSAPP_APP_SECRET.

Then it posts signed inbound texts ("hi" unless --text says otherwise, each from a new
WhatsApp user) at a steady rate, open loop (a slow server does not slow the sender), and
measures for every message the time from the start of its POST to the moment the fake Graph
API received the bot's first reply to that user (matched by recipient), plus when it received
the blue ticks (mark-as-read, matched by message id). Reported: the sustained rate of
replies, p50/p95/p99/max latency, and messages without a reply.

    uv run python bench/e2e_bench.py --db sqlite --broker orm --broker redis
    uv run python bench/e2e_bench.py --db postgres --rate 80 --seconds 30

Pacing: the outbox never sends more than WHATSAPP_MESSAGES_PER_SECOND requests per phone
number (read receipts included). Meta allows 80 messages per second per number by default,
inbound and outbound together, and 1,000 after the automatic upgrade; each "hi" from a new
user costs two requests (read receipt, the welcome with its menu). The benchmark runs with
--mps 1000 (the upgraded number) unless told otherwise; with --mps 80 the pacer is the limit.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import prepare_database
from cpu import BackendCPU, cpu_seconds
from webhook_bench import (
    free_port,
    gunicorn_command,
    migrate,
    payload,
    project_env,
    running,
    sign,
    wait_until_up,
)

TOKEN = "e2e-bench-token"  # noqa: S105 - the fake's token
PHONE_NUMBER_ID = "1234567890"
TARGET = {"per_second": 80.0, "p95_s": 1.0}


def fake_requests(base_url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{base_url}/_fake/requests", timeout=60) as response:  # noqa: S310
        return json.loads(response.read())


class Sender:
    """Posts message i at t0 + i / rate, from `threads` keep-alive connections."""

    def __init__(
        self, port: int, rate: float, count: int, threads: int, run_id: str, text: str = "hi"
    ) -> None:
        self.port, self.rate, self.count, self.threads = port, rate, count, threads
        self.text = text
        self.wa_ids = [f"5299{run_id}{n:06d}" for n in range(count)]
        self.wamids = [f"wamid.e2e{run_id}.{n}" for n in range(count)]
        self.sent_at: list[float] = [0.0] * count
        self.answered: list[float] = [0.0] * count  # webhook latency
        self.lateness: list[float] = [0.0] * count  # how far behind its schedule it went out
        self.failures: list[str] = []
        self._next = 0
        self._lock = threading.Lock()

    def run(self) -> None:
        self.start = time.time() + 0.2
        pool = [threading.Thread(target=self._worker) for _ in range(self.threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()

    def _worker(self) -> None:
        conn = HTTPConnection("127.0.0.1", self.port, timeout=30)
        while True:
            with self._lock:
                n = self._next
                self._next += 1
            if n >= self.count:
                conn.close()
                return
            raw = json.dumps(payload(self.wa_ids[n], self.wamids[n], self.text)).encode()
            headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw)}
            due = self.start + n / self.rate
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            started = time.time()
            self.sent_at[n], self.lateness[n] = started, max(0.0, started - due)
            try:
                conn.request("POST", "/whatsapp/webhook/", body=raw, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError as exc:
                conn.close()
                conn = HTTPConnection("127.0.0.1", self.port, timeout=30)
                status = 0
                with self._lock:
                    self.failures.append(repr(exc))
            self.answered[n] = time.time() - started
            if status != 200:
                with self._lock:
                    self.failures.append(f"HTTP {status}")


def write_results(path: str, bench: str, options: dict[str, Any], results: Any) -> None:
    """The figures of a run as JSON, for comparing runs and for regression checks."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "bench": bench,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "load_average": os.getloadavg(),
        "cpu_count": os.cpu_count(),
        "options": options,
        "results": results,
    }
    target.write_text(json.dumps(record, indent=1, default=str))
    print(f"figures written to {target}", file=sys.stderr)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def analyse(sender: Sender, records: list[dict[str, Any]]) -> dict[str, Any]:
    index = {wa_id: n for n, wa_id in enumerate(sender.wa_ids)}
    by_wamid = {wamid: n for n, wamid in enumerate(sender.wamids)}
    first_reply: dict[int, float] = {}
    last_reply: dict[int, float] = {}
    read: dict[int, float] = {}
    replies = 0
    for record in records:
        body = record.get("json")
        if record["status"] != 200 or not isinstance(body, dict):
            continue
        if body.get("status") == "read":
            n = by_wamid.get(body.get("message_id"))
            if n is not None:
                read.setdefault(n, record["at"])
            continue
        n = index.get(body.get("to"))
        if n is None:
            continue
        replies += 1
        first_reply[n] = min(first_reply.get(n, record["at"]), record["at"])
        last_reply[n] = max(last_reply.get(n, record["at"]), record["at"])
    latencies = [first_reply[n] - sender.sent_at[n] for n in first_reply]
    last = [last_reply[n] - sender.sent_at[n] for n in last_reply]
    reads = [read[n] - sender.sent_at[n] for n in read]
    result: dict[str, Any] = {
        "messages": sender.count,
        "offered_per_second": sender.rate,
        "answered": len(first_reply),
        "missing": sender.count - len(first_reply),
        "replies": replies,
        "webhook_errors": len(sender.failures),
        "webhook_p99_ms": round(percentile(sender.answered, 0.99) * 1000, 1),
        "send_lateness_p99_ms": round(percentile(sender.lateness, 0.99) * 1000, 1),
    }
    if latencies:
        # Sustained: replies per second between the first POST and the last first-reply.
        span = max(first_reply.values()) - min(sender.sent_at)
        result.update(
            per_second=round(len(first_reply) / span, 1),
            p50_s=round(statistics.median(latencies), 3),
            p95_s=round(percentile(latencies, 0.95), 3),
            p99_s=round(percentile(latencies, 0.99), 3),
            max_s=round(max(latencies), 3),
            last_reply_p95_s=round(percentile(last, 0.95), 3),
            read_p95_s=round(percentile(reads, 0.95), 3) if reads else None,
        )
    return result


def run(kind: str, broker: str, args: argparse.Namespace) -> dict[str, Any]:
    database_url, cleanup = prepare_database(kind, "raffles_e2e_bench")
    fake_port, web_port = free_port(), free_port()
    fake_url = f"http://127.0.0.1:{fake_port}"
    count = int(args.rate * args.seconds)
    media = tempfile.mkdtemp(prefix="e2e-bench-media-")
    try:
        env = project_env(
            database_url,
            broker,
            WHATSAPP_API_BASE_URL=fake_url,
            WHATSAPP_ACCESS_TOKEN=TOKEN,
            WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
            WHATSAPP_MESSAGES_PER_SECOND=str(args.mps),
            Q_WORKERS=str(args.q_workers),
            MEDIA_ROOT=media,
        )
        migrate(env)
        manage = [sys.executable, "manage.py"]
        fake_cmd = [*manage, "fakegraph", "--port", str(fake_port), "--token", TOKEN]
        web_cmd = gunicorn_command(web_port, args.workers, args.threads)
        with (
            running(fake_cmd, env) as fake,
            running(web_cmd, env) as web,
            running([*manage, "qcluster"], env) as cluster,
        ):
            wait_until_up(f"{fake_url}/_fake/requests")
            wait_until_up(f"http://127.0.0.1:{web_port}/healthz")
            time.sleep(args.settle)  # the cluster's processes start
            backends = BackendCPU(database_url)
            parts = {
                "fake Graph API": lambda: cpu_seconds(fake.pid),
                "gunicorn": lambda: cpu_seconds(web.pid),
                "qcluster": lambda: cpu_seconds(cluster.pid),
                "PostgreSQL": backends,
            }
            cpu_before = {name: part() for name, part in parts.items()}
            spies = [
                subprocess.Popen(
                    [
                        args.py_spy,
                        "record",
                        "--pid",
                        str(pid),
                        "--subprocesses",
                        "--duration",
                        str(int(args.seconds)),
                        "--format",
                        "raw",
                        *(["--idle"] if args.py_spy_idle else []),
                        "--output",
                        f"{args.py_spy_out}/{name}-{kind}-{broker}.txt",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for name, pid in (("qcluster", cluster.pid), ("gunicorn", web.pid))
                if args.py_spy
            ]
            sender = Sender(
                web_port,
                args.rate,
                count,
                args.client_threads,
                f"{os.getpid() % 97:02d}",
                args.text,
            )
            sender.run()
            for spy in spies:
                spy.wait(timeout=60)
            deadline = time.time() + args.grace
            while True:  # wait for the replies still on their way
                time.sleep(1.0)
                records = fake_requests(fake_url)
                answered = {
                    r["json"].get("to")
                    for r in records
                    if isinstance(r.get("json"), dict) and r["status"] == 200
                }
                if len(answered & set(sender.wa_ids)) >= count or time.time() > deadline:
                    break
            cpu = {name: part() - cpu_before[name] for name, part in parts.items()}
            backends.close()
        result = analyse(sender, records)
        result["cpu_ms_per_message"] = round(sum(cpu.values()) * 1000 / count, 1)
        result["cpu_ms_per_message_by_process"] = {
            name: round(seconds * 1000 / count, 1) for name, seconds in cpu.items() if seconds
        }
        return {"database": kind, "broker": broker, "mps": args.mps, **result}
    finally:
        cleanup()
        shutil.rmtree(media, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--broker", action="append", choices=["orm", "redis"])
    parser.add_argument("--rate", type=float, default=80, help="inbound messages per second")
    parser.add_argument("--seconds", type=float, default=30, help="how long to send")
    parser.add_argument("--mps", type=int, default=1000, help="WHATSAPP_MESSAGES_PER_SECOND")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--q-workers", type=int, default=2 * (os.cpu_count() or 1), help="Q_WORKERS"
    )
    parser.add_argument("--client-threads", type=int, default=8)
    parser.add_argument("--grace", type=float, default=60, help="seconds to wait for replies")
    parser.add_argument("--settle", type=float, default=8, help="seconds for the cluster to start")
    parser.add_argument("--text", default="hi", help="what each new user writes")
    parser.add_argument(
        "--out",
        default=str(Path(__file__).resolve().parent / "results" / "e2e.json"),
        help="where to write the figures as JSON (bench/results/ is not committed)",
    )
    parser.add_argument("--py-spy", help="path of py-spy: sample gunicorn and the cluster")
    parser.add_argument("--py-spy-out", default=tempfile.gettempdir(), help="where to write")
    parser.add_argument("--py-spy-idle", action="store_true", help="sample waiting threads too")
    args = parser.parse_args()
    load_before = f"{os.getloadavg()[0]:.1f}"
    results = [
        run(kind, broker, args)
        for kind in args.db or ["sqlite"]
        for broker in args.broker or ["orm"]
    ]
    print(
        f"\n{args.rate:g} messages/s for {args.seconds:g} s, each 'help' from a new user;"
        f" targets ≥ {TARGET['per_second']:g}/s sustained, p95 ≤ {TARGET['p95_s']:g} s."
        f" Load average before: {load_before}, after: {os.getloadavg()[0]:.1f} (2 cores, shared)"
    )
    print(
        "| database | broker | mps | messages | answered/s | p50 s | p95 s | p99 s | max s |"
        " missing | webhook errors | webhook p99 ms | blue ticks p95 s | CPU ms/message |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['database']} | {r['broker']} | {r['mps']} | {r['messages']} |"
            f" {r.get('per_second', 0)} | {r.get('p50_s', '-')} | {r.get('p95_s', '-')} |"
            f" {r.get('p99_s', '-')} | {r.get('max_s', '-')} | {r['missing']} |"
            f" {r['webhook_errors']} | {r['webhook_p99_ms']} | {r.get('read_p95_s', '-')} |"
            f" {r['cpu_ms_per_message']} |"
        )
    print(json.dumps(results, indent=1), file=sys.stderr)
    write_results(args.out, "e2e_bench", vars(args), results)


if __name__ == "__main__":
    main()
