"""The Graph API's hot request, a message POST, over a kept-alive connection.

One `http.client` connection per thread and origin, reused from request to request (Meta
keeps connections alive, and so does the fake), instead of `requests`, whose machinery
(settings merging, adapters, cookie jars, hooks) costs several times the request itself. A
connection found closed by the other end while idle is replaced before it is used; after any
error, or an answer that closes it, it is dropped. Origins behind a proxy from the
environment go through `requests` as before (see `direct`).
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import ssl
import threading
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import SplitResult, urlsplit

_local = threading.local()

Origin = tuple[str, str, int]


@dataclass(frozen=True)
class Answer:
    status: int
    retry_after: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@lru_cache(maxsize=64)
def direct(url: str) -> bool:
    """Whether requests to `url` may skip `requests`: plain http(s), no proxy configured for
    its host in the environment."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    proxies = urllib.request.getproxies()
    if not proxies.get(parts.scheme) and not proxies.get("all"):
        return True
    return bool(urllib.request.proxy_bypass(parts.hostname))


def dumps(payload: dict[str, Any]) -> bytes:
    """A request body: compact JSON in UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def post(
    url: str, body: bytes, headers: dict[str, str], connect_timeout: float, read_timeout: float
) -> Answer:
    """POST `body` to `url` on this thread's connection to its origin. Network and protocol
    errors propagate (OSError, http.client.HTTPException); the connection is then closed."""
    parts = urlsplit(url)
    origin: Origin = (parts.scheme, parts.hostname or "", parts.port or _default_port(parts))
    pool: dict[Origin, http.client.HTTPConnection] = _local.__dict__.setdefault("pool", {})
    conn = pool.pop(origin, None)
    if conn is not None and _dropped(conn):
        conn.close()
        conn = None
    if conn is None:
        conn = _connect(parts, origin, connect_timeout)
    target = parts.path + ("?" + parts.query if parts.query else "")
    try:
        assert conn.sock is not None
        conn.sock.settimeout(read_timeout)
        conn.request(
            "POST",
            target,
            body=body,
            headers={**headers, "Content-Type": "application/json", "Connection": "keep-alive"},
        )
        response = conn.getresponse()
        data = response.read()
    except BaseException:
        conn.close()
        raise
    if response.will_close:
        conn.close()
    else:
        pool[origin] = conn
    return Answer(response.status, response.getheader("Retry-After") or "", data)


def close_all() -> None:
    """Close this thread's connections (tests; a worker about to fork)."""
    pool: dict[Origin, http.client.HTTPConnection] = _local.__dict__.pop("pool", {})
    for conn in pool.values():
        conn.close()


def _default_port(parts: SplitResult) -> int:
    return 443 if parts.scheme == "https" else 80


def _connect(parts: SplitResult, origin: Origin, timeout: float) -> http.client.HTTPConnection:
    _, host, port = origin
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
    conn.connect()
    assert conn.sock is not None
    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def _dropped(conn: http.client.HTTPConnection) -> bool:
    """An idle kept-alive connection that has something to read was closed by the other end
    (or is out of step): it must not carry a request."""
    sock = conn.sock
    if sock is None:
        return True
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable)
    except (OSError, ValueError):
        return True
