"""Benchmark the WhatsApp webhook: signed POSTs per second and p50/p99 latency.

Starts gunicorn (config.wsgi) on a fresh database, SQLite and/or PostgreSQL, and drives it
from this process over loopback with N client threads. Each POST carries one new text message
(unique Meta id, one of 200 contacts), so every request stores a delivery, a message and
enqueues the conversation task, as in production (no cluster runs: tasks wait in the queue).

    uv run python bench/webhook_bench.py --db sqlite --db postgres --requests 3000
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET = "bench-app-secret"  # noqa: S105 - a throwaway secret for the benchmark


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def body(n: int) -> bytes:
    wa_id = f"52155{n % 200:08d}"
    return json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "1",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": "1"},
                                "contacts": [{"profile": {"name": "Bench"}, "wa_id": wa_id}],
                                "messages": [
                                    {
                                        "from": wa_id,
                                        "id": f"wamid.bench{n}-{secrets.token_hex(4)}",
                                        "timestamp": str(int(time.time())),
                                        "type": "text",
                                        "text": {"body": f"message {n}"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()


def sign(raw: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()


def prepare_database(kind: str) -> str:
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="webhook-bench-")) / "bench.sqlite3"
        return f"sqlite:///{path}"
    name = "raffles_webhook_bench"
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def run(kind: str, total: int, threads: int, workers: int) -> dict[str, object]:
    url_db = prepare_database(kind)
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url_db,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "WHATSAPP_APP_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True)
    subprocess.run([*manage, "createcachetable"], cwd=BASE_DIR, env=env, check=True)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    url = f"http://127.0.0.1:{port}/whatsapp/webhook/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        counter = iter(range(total))
        lock = threading.Lock()
        latencies: list[float] = []
        failures: list[int] = []

        def client() -> None:
            session = requests.Session()
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                raw = body(n)
                headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw)}
                started = time.perf_counter()
                response = session.post(url, data=raw, headers=headers, timeout=30)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    if response.status_code != 200:
                        failures.append(response.status_code)

        for n in range(20):  # warm up (first contacts, connections)
            raw = body(total + n)
            requests.post(url, data=raw, headers={"X-Hub-Signature-256": sign(raw)}, timeout=30)
        started = time.perf_counter()
        pool = [threading.Thread(target=client) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    return {
        "database": kind,
        "requests": total,
        "client_threads": threads,
        "gunicorn": f"{workers} workers x 4 threads",
        "per_second": round(total / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
        "errors": len(failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    results = [
        run(kind, args.requests, args.threads, args.workers) for kind in args.db or ["sqlite"]
    ]
    print(
        "| database | requests | client threads | gunicorn | POSTs/s | p50 ms | p99 ms | errors |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['database']} | {r['requests']} | {r['client_threads']} | {r['gunicorn']} |"
            f" {r['per_second']} | {r['p50_ms']} | {r['p99_ms']} | {r['errors']} |"
        )


if __name__ == "__main__":
    main()
