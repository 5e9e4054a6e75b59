"""The regression guard of the launch path: new senders saying "hi", end to end.

Each message goes through the real webhook (signed POST), the real task path (django-q2 in
sync mode, as the test settings run it: the same functions, enqueued the same way) and the
real bot, and its replies are sent to the fake Graph API over HTTP. Counted, not timed: SQL
statements and django-q2 tasks per message, and connections to the Graph API, whatever the
machine's load (CPU time per message is not checked here: on the shared 2-core machine it
moves by 2x with the load, so only the benchmarks report it). A change that
raises these is a change on the hot path: look at the statements (bench/pipeline_profile.py
prints them) before raising a budget. docs/performance.md says where the time goes.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging.channel import jobs, shapes
from messaging.channel.signature import sign_body
from messaging.models import Contact, InboundMessage, OutboundMessage
from messaging.tests.conftest import WEBHOOK_URL
from raffles.public import memo

SENDERS = 12
# Per message, webhook and task together (statements on the default database, savepoints and
# transaction control included), with the raffles on sale kept as in production
# (WHATSAPP_RAFFLE_VIEW_SECONDS): the first sender's "hi" reads them, the others do not.
QUERY_BUDGET = 36
TASK_BUDGET = 1  # one task handles the message and sends its replies
GRAPH_REQUESTS = 3  # the read receipt, the welcome, the list of raffles on sale
# The Graph API requests share kept-alive connections (one per sending thread; here the test's
# thread): a new connection per request would cost its handshake and the client's setup.
GRAPH_CONNECTIONS = 1


def hi_from(n: int) -> bytes:
    message = {"id": f"wamid.GUARD{n}", "timestamp": "1767225600", "type": "text"}
    message["text"] = {"body": "hi"}
    return json.dumps(shapes.inbound(f"52155500{n:04d}", message, name="Ana")).encode()


@pytest.mark.django_db
def test_new_senders_saying_hi_stay_within_the_query_and_task_budget(
    client: Any,
    fake_graph: Any,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: Any,
    settings: Any,
    request: Any,
) -> None:
    from raffles.tests.factories import make_raffle

    settings.WHATSAPP_RAFFLE_VIEW_SECONDS = 3600  # the whole test is one moment
    memo.forget_all()
    request.addfinalizer(memo.forget_all)
    make_raffle(size=100)
    tasks: list[str] = []
    enqueue = jobs.async_task

    def counted(func: str, *args: Any, **kwargs: Any) -> Any:
        tasks.append(func)
        return enqueue(func, *args, **kwargs)

    monkeypatch.setattr(jobs, "async_task", counted)
    with CaptureQueriesContext(connection) as queries:
        for n in range(SENDERS):
            raw = hi_from(n)
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(
                    WEBHOOK_URL,
                    data=raw,
                    content_type="application/json",
                    HTTP_X_HUB_SIGNATURE_256=sign_body(raw),
                )
            assert response.status_code == 200

    assert Contact.objects.count() == SENDERS
    assert not InboundMessage.objects.exclude(status=InboundMessage.Status.PROCESSED).exists()
    assert not OutboundMessage.objects.exclude(status=OutboundMessage.Status.SENT).exists()
    assert len(fake_graph.message_requests()) == GRAPH_REQUESTS * SENDERS
    assert fake_graph.connections <= GRAPH_CONNECTIONS, (
        f"{fake_graph.connections} connections for {GRAPH_REQUESTS * SENDERS} Graph API requests"
    )
    per_message = len(queries.captured_queries) / SENDERS
    assert per_message <= QUERY_BUDGET, (
        f"{per_message:.1f} SQL statements per new sender's 'hi' (budget {QUERY_BUDGET})"
    )
    assert len(tasks) / SENDERS <= TASK_BUDGET, f"{len(tasks)} tasks for {SENDERS} messages"
