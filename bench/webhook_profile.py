"""Profile the WhatsApp webhook in one process, without HTTP: where does one POST's time go?

Calls the WSGI application directly (what a gunicorn worker does after parsing HTTP) on a
fresh database, prints the SQL of one POST (CaptureQueriesContext), the mean cost of a POST
over many, and the top of a cProfile sorted by cumulative time.

    uv run python bench/webhook_profile.py                    # SQLite, ORM broker
    uv run python bench/webhook_profile.py --db postgres
    uv run python bench/webhook_profile.py --redis            # Redis broker
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import prepare_database  # noqa: E402
from webhook_bench import body, migrate, project_env, sign  # noqa: E402


def environ_for(raw: bytes) -> dict[str, object]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/whatsapp/webhook/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(raw)),
        "HTTP_X_HUB_SIGNATURE_256": sign(raw),
        "wsgi.input": io.BytesIO(raw),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def _watch_transactions(connection: Any) -> list[float]:
    """Record how long each transaction stays open (from its BEGIN to its COMMIT)."""
    holds: list[float] = []
    begun: list[float] = []
    from django.db import connections

    wrapper = type(connections["default"])
    set_autocommit, commit = wrapper.set_autocommit, wrapper.commit

    def patched_set_autocommit(self: Any, autocommit: bool, *args: Any, **kwargs: Any) -> None:
        if not autocommit:
            begun[:] = [time.perf_counter()]
        set_autocommit(self, autocommit, *args, **kwargs)

    def patched_commit(self: Any) -> None:
        commit(self)
        if begun:
            holds.append(time.perf_counter() - begun.pop())

    wrapper.set_autocommit = patched_set_autocommit
    wrapper.commit = patched_commit
    return holds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--redis", action="store_true", help="use the Redis broker")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--log-level", help="LOG_LEVEL (the benchmarks use WARNING)")
    args = parser.parse_args()

    db_url, cleanup = prepare_database(args.db, "raffles_webhook_profile")
    os.environ.clear()
    os.environ.update(project_env(db_url, "redis" if args.redis else "orm"))
    if args.log_level:
        os.environ["LOG_LEVEL"] = args.log_level
    migrate(dict(os.environ))

    import django
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    django.setup()
    app = WSGIHandler()

    def post(n: int) -> None:
        statuses: list[str] = []
        raw = body(n)
        result = app(environ_for(raw), lambda status, headers, *a: statuses.append(status))
        b"".join(result)
        if hasattr(result, "close"):
            result.close()
        if not statuses[0].startswith("200"):
            raise SystemExit(f"POST {n} answered {statuses[0]}")

    total = args.requests
    for n in range(400):  # warm up: every one of the 200 contacts exists
        post(total + n)
    with CaptureQueriesContext(connection) as queries:
        post(10**7)
    print(f"--- SQL of one POST (known contact): {len(queries.captured_queries)} queries")
    for q in queries.captured_queries:
        print(f"  {q['time']:>6}s  {q['sql'][:150]}")

    holds = _watch_transactions(connection)
    started, cpu = time.perf_counter(), time.process_time()
    for n in range(total):
        post(n)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"--- {total} POSTs in {elapsed:.2f}s, one thread: {elapsed / total * 1000:.2f} ms each,"
        f" {cpu / total * 1000:.2f} ms of CPU (this process; the machine is shared)"
    )
    holds.sort()
    print(
        f"--- transaction (BEGIN to COMMIT; SQLite's write lock): {len(holds)} of them,"
        f" mean {sum(holds) / len(holds) * 1000:.2f} ms, p50 {holds[len(holds) // 2] * 1000:.2f}"
        f" ms, p99 {holds[int(len(holds) * 0.99)] * 1000:.2f} ms"
    )
    holds.clear()

    profile = cProfile.Profile()
    profile.enable()
    for n in range(total):
        post(2 * total + n)
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    connection.close()
    cleanup()


if __name__ == "__main__":
    main()
