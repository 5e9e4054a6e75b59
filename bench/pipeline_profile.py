"""Profile the work behind one inbound message, stage by stage, in one process.

Stores N "help" texts from new users through the webhook (WSGI, in-process), then runs the
two tasks the cluster would run for each, directly: `process_contact` (the bot: read receipt
and reply into the outbox) and `send_contact_outbox` (POSTs to the fake Graph API, started
as `manage.py fakegraph` in its own process). Prints CPU time and SQL statements per stage,
and the top of a cProfile of each task (cumulative).

    uv run python bench/pipeline_profile.py --messages 300
    uv run python bench/pipeline_profile.py --db postgres
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import prepare_database
from webhook_bench import (
    free_port,
    migrate,
    payload,
    project_env,
    running,
    sign,
    wait_until_up,
)
from webhook_profile import environ_for

TOKEN = "pipeline-profile-token"  # noqa: S105


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()

    db_url, cleanup = prepare_database(args.db, "raffles_pipeline_profile")
    port = free_port()
    env = project_env(
        db_url,
        "orm",
        WHATSAPP_API_BASE_URL=f"http://127.0.0.1:{port}",
        WHATSAPP_ACCESS_TOKEN=TOKEN,
        WHATSAPP_PHONE_NUMBER_ID="1234567890",
        WHATSAPP_MESSAGES_PER_SECOND="1000",
    )
    os.environ.clear()
    os.environ.update(env)
    migrate(env)
    fake = [sys.executable, "manage.py", "fakegraph", "--port", str(port), "--token", TOKEN]
    try:
        with running(fake, env):
            wait_until_up(f"http://127.0.0.1:{port}/_fake/requests")
            profile(args)
    finally:
        cleanup()


def profile(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from messaging import tasks
    from messaging.models import Contact

    app = WSGIHandler()

    def post(n: int) -> None:
        raw = json.dumps(payload(f"52990{n:07d}", f"wamid.pipe{n}", "help")).encode()
        environ = environ_for(raw)
        environ["HTTP_X_HUB_SIGNATURE_256"] = sign(raw)
        statuses: list[str] = []
        b"".join(app(environ, lambda status, headers, *a: statuses.append(status)))
        assert statuses[0].startswith("200"), statuses

    def stage(name: str, calls: list[Callable[[], Any]]) -> None:
        queries: list[int] = []
        cpu = time.process_time()
        wall = time.perf_counter()
        prof = cProfile.Profile()
        for call in calls:
            connection.queries_log.clear()  # a bounded deque: once full, nothing is captured
            with CaptureQueriesContext(connection) as captured:
                prof.enable()
                call()
                prof.disable()
            queries.append(len(captured.captured_queries))
            stages[name] = list(captured.captured_queries)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        n = len(calls)
        print(
            f"--- {name}: {n} calls, {cpu / n * 1000:.2f} ms CPU and {wall / n * 1000:.2f} ms wall"
            f" each (with the profiler on), SQL statements each: min {min(queries)},"
            f" max {max(queries)}, mean {sum(queries) / n:.1f}"
        )
        if args.top:
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(args.top)
            print(out.getvalue())

    stages: dict[str, list[dict[str, str]]] = {}
    total = args.messages
    stage("webhook POST", [lambda n=n: post(n) for n in range(total)])
    ids = list(Contact.objects.order_by("id").values_list("id", flat=True))
    stage("process_contact", [lambda c=c: tasks.process_contact(c) for c in ids])
    stage("send_contact_outbox", [lambda c=c: tasks.send_contact_outbox(c) for c in ids])
    for name, queries in stages.items():
        print(f"--- SQL of the last {name}:")
        for q in queries:
            print(f"  {q['sql'][:160]}")


if __name__ == "__main__":
    main()
