"""Benchmark the WhatsApp webhook: signed POSTs per second and p50/p99 latency.

Starts gunicorn (config.wsgi, DEBUG=false) on a fresh database, SQLite and/or PostgreSQL,
and drives it over loopback with `wrk` (Debian: `apt-get install wrk`), a separate process
written in C, so the client's own CPU does not compete with the server (`--trivial` measures
the client's ceiling against an app that does nothing). Every
request is pre-signed (the Lua script only replays them) and carries one new text message
(unique Meta id, one of 200 contacts), so each POST checks the signature, stores the raw
delivery and the message in one commit and enqueues the conversation task, as in
production. No cluster runs: the tasks wait in the queue. After each run the stored messages
are counted: every 200 must have stored its message.

    uv run python bench/webhook_bench.py --db sqlite --db postgres
    uv run python bench/webhook_bench.py --db sqlite --broker redis
    uv run python bench/webhook_bench.py --trivial        # the client's ceiling

PostgreSQL: a database `raffles_webhook_bench` is created and dropped through
BENCH_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchdb import prepare_database
from cpu import children_cpu, cpu_seconds, postgres_backends

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET = "bench-app-secret"  # noqa: S105 - a throwaway secret for the benchmark
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
CONTACTS = 200
TARGET = {"per_second": 500.0, "p99_ms": 100.0}

WRK_SCRIPT = r"""
-- Replays pre-signed webhook POSTs: line = "<signature> <body>"; thread k takes lines k, k+T...
local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  local nthreads = tonumber(args[2])
  requests_ = {}
  n_ = 0
  i_ = 0
  wrapped = 0
  local k = 0
  for line in io.lines(args[1]) do
    if k % nthreads == tid then
      local sig, body = line:match("^(%S+) (.*)$")
      n_ = n_ + 1
      requests_[n_] = wrk.format("POST", nil,
        {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sig}, body)
    end
    k = k + 1
  end
end

function request()
  i_ = i_ + 1
  if i_ > n_ then
    i_ = 1
    wrapped = 1  -- bodies ran out: replays from here on (deduplicated by the webhook)
  end
  return requests_[i_]
end

function done(summary, latency, requests)
  local wrapped_any = 0
  for _, thread in ipairs(threads) do
    if thread:get("wrapped") == 1 then wrapped_any = 1 end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d,'
    .. ' "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d,'
    .. ' "max_us": %d, "wrapped": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    wrapped_any))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def payload(wa_id: str, wamid: str, text: str) -> dict[str, object]:
    """One inbound text, shaped like Meta's webhook."""
    return {
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
                                    "id": wamid,
                                    "timestamp": str(int(time.time())),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }


def body(n: int) -> bytes:
    wa_id = f"52155{n % CONTACTS:08d}"
    wamid = f"wamid.bench{n}-{secrets.token_hex(4)}"
    return json.dumps(payload(wa_id, wamid, f"message {n}")).encode()


def sign(raw: bytes) -> str:
    return "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()


# --- Databases, processes -------------------------------------------------------------------


def project_env(database_url: str, broker: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "WHATSAPP_APP_SECRET": SECRET,
        "PUBLIC_BASE_URL": "https://raffles.example.test",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    env.pop("REDIS_URL", None)
    if broker == "redis":
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        env["REDIS_URL"] = REDIS_URL
    return env


def migrate(env: dict[str, str]) -> None:
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=BASE_DIR, env=env, check=True)
    subprocess.run([*manage, "createcachetable"], cwd=BASE_DIR, env=env, check=True)


def gunicorn_command(
    port: int, workers: int, threads: int, app: str = "config.wsgi", worker: str = "gthread"
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        worker,
        "--log-level",
        "warning",
        "--no-control-socket",
    ]


def wait_until_up(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def running(
    command: list[str], env: dict[str, str], cwd: Path = BASE_DIR
) -> Iterator[subprocess.Popen[bytes]]:
    """A child process for the duration of the block; always stopped (SIGTERM, then kill)."""
    process = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        with contextlib.suppress(ProcessLookupError):  # anything it left behind (its group)
            os.killpg(process.pid, signal.SIGKILL)


# --- The load -------------------------------------------------------------------------------


def write_requests(folder: Path, count: int, start: int) -> Path:
    path = folder / "requests.txt"
    with path.open("wb") as out:
        for n in range(start, start + count):
            raw = body(n)
            out.write(sign(raw).encode() + b" " + raw + b"\n")
    return path


def run_wrk(
    url: str,
    folder: Path,
    *,
    count: int,
    start: int,
    seconds: float,
    connections: int,
    threads: int,
) -> dict[str, float]:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    requests_file = write_requests(folder, count, start)
    script = folder / "signed_posts.lua"
    script.write_text(WRK_SCRIPT)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            url,
            "--",
            str(requests_file),
            str(threads),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    seconds_run = data["duration_us"] / 1e6
    return {
        "requests": data["requests"],
        "per_second": round(data["requests"] / seconds_run, 1),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p90_ms": round(data["p90_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "max_ms": round(data["max_us"] / 1000, 1),
        "errors": sum(data[k] for k in ("connect", "read", "write", "status", "timeout")),
        "wrapped": data["wrapped"],
    }


def measured(server: int, backends: Callable[[], set[int]], *args: Any, **kwargs: Any) -> dict:
    """run_wrk, plus the CPU time it cost the server (and database) and the client, per POST."""
    server_cpu, client_cpu = cpu_seconds(server, backends), children_cpu()
    result = run_wrk(*args, **kwargs)
    server_cpu = cpu_seconds(server, backends) - server_cpu
    client_cpu = children_cpu() - client_cpu
    done = max(result["requests"], 1)
    return {
        **result,
        "server_cpu_ms": round(server_cpu * 1000 / done, 2),
        "client_cpu_ms": round(client_cpu * 1000 / done, 2),
    }


def stored_counts(env: dict[str, str]) -> dict[str, int]:
    code = (
        "import json; from messaging.models import InboundMessage, WebhookDelivery;"
        "print(json.dumps({'messages': InboundMessage.objects.count(),"
        " 'deliveries': WebhookDelivery.objects.filter(status='stored').count()}))"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def run(kind: str, args: argparse.Namespace) -> dict[str, object]:
    port = free_port()
    gunicorn = (
        f"{args.workers} × {args.threads} threads"
        if args.worker_class == "gthread"
        else f"{args.workers} {args.worker_class}"
    )
    folder = Path(tempfile.mkdtemp(prefix="webhook-bench-"))
    try:
        if kind == "trivial":
            env = {**os.environ, "PYTHONUNBUFFERED": "1"}
            command = gunicorn_command(
                port, args.workers, args.threads, "trivial_wsgi", worker=args.worker_class
            )
            with running(command, env, cwd=Path(__file__).parent) as server:
                wait_until_up(f"http://127.0.0.1:{port}/")
                result = measured(
                    server.pid,
                    set,
                    f"http://127.0.0.1:{port}/",
                    folder,
                    count=args.bodies,
                    start=0,
                    seconds=args.seconds,
                    connections=args.connections,
                    threads=args.client_threads,
                )
            return {"database": "none (trivial app)", "broker": "-", "gunicorn": gunicorn, **result}

        database_url, cleanup = prepare_database(kind, "raffles_webhook_bench")
        try:
            env = project_env(database_url, args.broker)
            migrate(env)
            url = f"http://127.0.0.1:{port}/whatsapp/webhook/"
            command = gunicorn_command(port, args.workers, args.threads, worker=args.worker_class)
            with running(command, env) as server:
                wait_until_up(f"http://127.0.0.1:{port}/healthz")
                # warm up: every contact exists, every worker thread has its connection
                run_wrk(
                    url,
                    folder,
                    count=2 * CONTACTS,
                    start=10**7,
                    seconds=2,
                    connections=args.connections,
                    threads=args.client_threads,
                )
                before = stored_counts(env)
                result = measured(
                    server.pid,
                    postgres_backends(database_url),
                    url,
                    folder,
                    count=args.bodies,
                    start=0,
                    seconds=args.seconds,
                    connections=args.connections,
                    threads=args.client_threads,
                )
                time.sleep(0.5)  # requests still in flight when wrk stopped
            after = stored_counts(env)
        finally:
            cleanup()
        stored = after["messages"] - before["messages"]
        if stored < result["requests"] - result["errors"] and not result["wrapped"]:
            raise SystemExit(f"only {stored} messages stored for {result['requests']} answers")
        return {
            "database": kind,
            "broker": args.broker,
            "gunicorn": gunicorn,
            **result,
            "stored": stored,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"])
    parser.add_argument("--trivial", action="store_true", help="only measure the client ceiling")
    parser.add_argument("--broker", choices=["orm", "redis"], default="orm")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=8, help="concurrent keep-alive POSTs")
    parser.add_argument("--client-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class")
    parser.add_argument("--bodies", type=int, default=40_000, help="distinct signed POSTs")
    args = parser.parse_args()
    kinds = ["trivial"] if args.trivial else args.db or ["sqlite"]
    load_before = f"{os.getloadavg()[0]:.1f}"
    results = [run(kind, args) for kind in kinds]
    print(
        f"\nload: wrk, {args.connections} connections, {args.seconds:g} s; "
        f"targets ≥ {TARGET['per_second']:g}/s, p99 ≤ {TARGET['p99_ms']:g} ms, 0 errors"
    )
    print(f"load average before: {load_before}, after: {os.getloadavg()[0]:.1f} (2 cores, shared)")
    print(
        "| database | broker | gunicorn | POSTs | POSTs/s | p50 ms | p90 ms | p99 ms | errors |"
        " server CPU ms/POST | wrk CPU ms/POST |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(
            f"| {r['database']} | {r['broker']} | {r['gunicorn']} | {r['requests']} |"
            f" {r['per_second']} | {r['p50_ms']} | {r['p90_ms']} | {r['p99_ms']} |"
            f" {r['errors']} | {r['server_cpu_ms']} | {r['client_cpu_ms']} |"
        )
        if r.get("wrapped"):
            print("  (the signed bodies ran out: raise --bodies; later POSTs were replays)")


if __name__ == "__main__":
    main()
