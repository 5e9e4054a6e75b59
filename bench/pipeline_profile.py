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
from cpu import _proc_stats, cpu_seconds
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
    parser.add_argument("--text", default="hi", help="what each new user writes")
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="run the tasks through a real `manage.py qcluster` (its CPU from /proc)",
    )
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
            if args.cluster:
                through_cluster(args, env)
            else:
                profile(args)
    finally:
        cleanup()


def through_cluster(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Start a cluster, note what it costs idle, then store N messages through the webhook
    (in this process) and let the cluster handle them: the CPU its processes spent per
    message (with and without its idle cost over as long), and the tasks per message (from
    the queue's ids: every task enqueued meanwhile, by the webhook or by the cluster)."""
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django_q.models import OrmQ

    from messaging.models import InboundMessage, OutboundMessage

    app = WSGIHandler()

    def last_task() -> int:
        """The queue's last id (its rows are deleted once done)."""
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT last_value FROM django_q_ormq_id_seq")
            else:
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = 'django_q_ormq'")
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def by_process(root: int) -> dict[str, float]:
        """CPU seconds of each process under the cluster, by its title."""
        stats = {}
        procs = _proc_stats()
        tree, grew = {root}, True
        while grew:
            more = {pid for pid, (parent, _) in procs.items() if parent in tree} - tree
            tree |= more
            grew = bool(more)
        for pid, (_, seconds) in procs.items():
            if pid in tree:
                try:
                    title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
                except OSError:
                    continue
                stats[f"{pid} {title.decode()[:60]}"] = seconds
        return stats

    cluster = [sys.executable, "manage.py", "qcluster"]
    with running(cluster, env) as process:
        time.sleep(5.0)  # start-up
        idle_from = cpu_seconds(process.pid)
        time.sleep(3.0)
        idle_rate = (cpu_seconds(process.pid) - idle_from) / 3.0
        first_task = last_task()
        started_cpu, started = cpu_seconds(process.pid), time.perf_counter()
        before = by_process(process.pid)
        for n in range(args.messages):
            raw = json.dumps(payload(f"52991{n:07d}", f"wamid.clu{n}", args.text)).encode()
            environ = environ_for(raw)
            environ["HTTP_X_HUB_SIGNATURE_256"] = sign(raw)
            b"".join(app(environ, lambda status, headers, *a: None))
        pending = OutboundMessage.PENDING_STATUSES
        while (
            InboundMessage.objects.filter(status=InboundMessage.Status.RECEIVED).exists()
            or OutboundMessage.objects.filter(status__in=pending).exists()
            or OrmQ.objects.exists()
        ):
            time.sleep(0.05)
        wall = time.perf_counter() - started
        cpu = cpu_seconds(process.pid) - started_cpu
        tasks = last_task() - first_task
        after = by_process(process.pid)
    for name, seconds in after.items():
        spent = seconds - before.get(name, 0.0)
        print(f"    {name}: {spent * 1000 / args.messages:.2f} ms per message")
    sent = OutboundMessage.objects.filter(status=OutboundMessage.Status.SENT).count()
    n = args.messages
    print(
        f"--- cluster: {n} messages, {tasks} tasks ({tasks / n:.2f} per message),"
        f" {sent} outbox rows sent, in {wall:.1f} s; cluster CPU {cpu * 1000 / n:.2f} ms per"
        f" message, {max(0.0, cpu - idle_rate * wall) * 1000 / n:.2f} without its idle cost"
        f" ({idle_rate * 1000:.0f} ms/s)"
    )


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
        raw = json.dumps(payload(f"52990{n:07d}", f"wamid.pipe{n}", args.text)).encode()
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
                if args.top:
                    prof.enable()
                call()
                if args.top:
                    prof.disable()
            queries.append(len(captured.captured_queries))
            stages[name] = list(captured.captured_queries)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        n = len(calls)
        print(
            f"--- {name}: {n} calls, {cpu / n * 1000:.2f} ms CPU and {wall / n * 1000:.2f} ms wall"
            f" each{' (with the profiler on)' if args.top else ''}, SQL statements each:"
            f" min {min(queries)}, max {max(queries)}, mean {sum(queries) / n:.1f}"
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
