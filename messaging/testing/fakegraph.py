"""A fake WhatsApp Cloud (Graph) API: a real HTTP server on 127.0.0.1 for tests and by hand.

Answers Meta's shapes for POST /{version}/{phone-number-id}/messages (send and mark-as-read;
an image or document by uploaded id or by link), POST /{version}/{phone-number-id}/media (a
multipart upload, answered with {"id"}), GET /{version}/{media-id} and the media download
URL; checks the bearer token; records every request; and can be told to fail (HTTP 429/500,
Graph error codes), to be slow, to redirect a download to another host or to serve an
oversized file.

Control it from Python (`FakeGraph` methods) or over HTTP (no token needed):
  GET  /_fake/requests                 every request recorded so far
  POST /_fake/fail    {"count", "status", "code", "message"}
  POST /_fake/delay   {"seconds"}
  POST /_fake/outage  {"status", "code"}   every send fails until POST /_fake/recover
  POST /_fake/media   {"media_id", "content_base64", "mime_type"}
  POST /_fake/template {"name", "language", "body_params", "buttons"}  approve a template
  POST /_fake/reset
Run by hand with `manage.py fakegraph --port 8999`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import urlsplit

from config.loopback import LoopbackServer
from messaging.testing.graph_rules import (
    ERROR_TITLES,
    UPLOAD_MAX,
    UPLOAD_TYPES,
    TemplateSpec,
    graph_error,
    multipart,
    payload_problem,
    sent_media_id,
    template_problem,
)

DEFAULT_TOKEN = "fake-graph-token"  # noqa: S105 - a test double's token


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    status: int = 0  # the status answered (0 while still being answered)

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "json": self.json,
            "at": self.at,
            "status": self.status,
        }


@dataclass
class Failure:
    status: int
    code: int | None
    message: str
    retry_after: float | None = None


@dataclass
class FakeMedia:
    content: bytes
    mime_type: str
    redirect_to: str | None = None  # the download answers 302 to this URL
    url: str | None = None  # the media endpoint announces this URL instead of ours
    declared_size: int | None = None
    send_length: bool = True  # False: no Content-Length, the body just streams
    sha256: str | None = None


@dataclass
class _State:
    requests: list[RecordedRequest] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    media: dict[str, FakeMedia] = field(default_factory=dict)
    delay: float = 0.0
    connections: int = 0  # TCP connections accepted (requests share them: keep-alive)
    outage: Failure | None = None  # every message POST fails like this until recover()
    # Approved templates by (name, language code); empty: any well-formed template is sent.
    templates: dict[tuple[str, str], TemplateSpec] = field(default_factory=dict)


class FakeGraph(LoopbackServer):
    thread_name = "fake-graph"

    def __init__(self, *, token: str = DEFAULT_TOKEN, host: str = "127.0.0.1", port: int = 0):
        self.token = token
        self._lock = threading.Lock()
        self._state = _State()
        super().__init__(_make_handler(self), host=host, port=port)

    # --- control ------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._state.requests)

    def message_requests(self) -> list[RecordedRequest]:
        """POSTs to /messages (sends and mark-as-read), in arrival order."""
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/messages")]

    def sent_payloads(self) -> list[dict[str, Any]]:
        """Bodies of the messages (not mark-as-read) that were answered with 200."""
        return [
            r.json
            for r in self.message_requests()
            if r.status == 200 and isinstance(r.json, dict) and r.json.get("status") != "read"
        ]

    @property
    def connections(self) -> int:
        """How many connections clients opened (a kept-alive one carries many requests)."""
        with self._lock:
            return self._state.connections

    def _connected(self) -> None:
        with self._lock:
            self._state.connections += 1

    @property
    def delay(self) -> float:
        return self._state.delay

    @delay.setter
    def delay(self, seconds: float) -> None:
        with self._lock:
            self._state.delay = float(seconds)

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        code: int | None = None,
        message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """The next `count` message POSTs fail with this HTTP status and Graph error code."""
        if code is None:
            code = 130429 if status == 429 else 131000 if status >= 500 else 100
        text = message or ERROR_TITLES.get(code, "Error")
        with self._lock:
            self._state.failures.extend(
                Failure(status, code, text, retry_after) for _ in range(count)
            )

    def fail_until_recovered(self, *, status: int = 500, code: int | None = None) -> None:
        """An outage: every message POST fails with this status until `recover()`."""
        if code is None:
            code = 130429 if status == 429 else 131000 if status >= 500 else 100
        with self._lock:
            self._state.outage = Failure(status, code, ERROR_TITLES.get(code, "Error"))

    def recover(self) -> None:
        with self._lock:
            self._state.outage = None

    def uploads(self) -> list[RecordedRequest]:
        """POSTs to /media (uploads) answered with 200, in arrival order."""
        return [
            r
            for r in self.requests
            if r.method == "POST" and r.path.endswith("/media") and r.status == 200
        ]

    def media_content(self, media_id: str) -> bytes | None:
        """The bytes of uploaded (or added) media, by id."""
        media = self._media(media_id)
        return media.content if media is not None else None

    def add_media(self, media_id: str, content: bytes, mime_type: str, **options: Any) -> None:
        with self._lock:
            self._state.media[media_id] = FakeMedia(content, mime_type, **options)

    def approve_template(
        self, name: str, language: str, body_params: int, buttons: tuple[str, ...] = ()
    ) -> None:
        """Answer like Meta for this template: a send of a template not approved here fails
        with 132001, one with the wrong parameters with 132000."""
        with self._lock:
            self._state.templates[(name, language)] = TemplateSpec(body_params, tuple(buttons))

    def reset(self) -> None:
        with self._lock:
            self._state = _State()

    def _template_problem(self, body: dict[str, Any]) -> tuple[int, str] | None:
        with self._lock:
            approved = dict(self._state.templates)
        return template_problem(body, approved)

    # --- internals ----------------------------------------------------------------------
    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._state.requests.append(request)

    def _pop_failure(self) -> Failure | None:
        with self._lock:
            if self._state.failures:
                return self._state.failures.pop(0)
            return self._state.outage

    def _media(self, media_id: str) -> FakeMedia | None:
        with self._lock:
            return self._state.media.get(media_id)


def _addressed(body: dict[str, Any]) -> dict[str, str]:
    """Who a send reached, as Meta answers it: `to` (a phone number) wins over `recipient`
    (a business-scoped user id); a BSUID send is answered with `user_id`, not `wa_id`."""
    if body.get("to"):
        return {"input": body["to"], "wa_id": body["to"]}
    return {"input": body["recipient"], "user_id": body["recipient"]}


def _make_handler(fake: FakeGraph) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeGraph/1.0"
        # Keep-alive, as the real Graph API (a sender reuses its connection). Every answer
        # carries a Content-Length, or closes the connection (a download without one).
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # an answer's last segment is not held back
        wbufsize = -1  # headers and body leave in one write (flushed after each request)

        def log_message(self, format: str, *args: Any) -> None:
            return

        def setup(self) -> None:
            super().setup()
            fake._connected()

        def _read_body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send_json(self, status: int, data: Any, record: RecordedRequest | None = None) -> None:
            if record is not None:
                record.status = status
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(raw)

        def _authorized(self) -> bool:
            return self.headers.get("Authorization") == f"Bearer {fake.token}"

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def _handle(self, method: str) -> None:
            path = urlsplit(self.path).path
            body = self._read_body()
            record = RecordedRequest(method, path, dict(self.headers.items()), body, time.time())
            if path.startswith("/_fake/"):
                self._control(method, path, body)
                return
            fake._record(record)
            parts = [p for p in path.split("/") if p]
            if not self._authorized():
                self._send_json(401, graph_error(190, ERROR_TITLES[190]), record)
                return
            if method == "GET" and len(parts) == 2 and parts[0] == "media-download":
                self._download(parts[1], record)
            elif method == "GET" and len(parts) == 2:
                self._media_info(parts[1], record)
            elif method == "POST" and len(parts) == 3 and parts[2] == "messages":
                self._messages(record)
            elif method == "POST" and len(parts) == 3 and parts[2] == "media":
                self._upload(record)
            else:
                self._send_json(404, graph_error(100, "Unknown path " + path), record)

        def _messages(self, record: RecordedRequest) -> None:
            if fake.delay:
                time.sleep(fake.delay)
            failure = fake._pop_failure()
            if failure is not None:
                record.status = failure.status
                raw = json.dumps(graph_error(failure.code or 0, failure.message)).encode()
                self.send_response(failure.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                if failure.retry_after is not None:
                    self.send_header("Retry-After", str(failure.retry_after))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(raw)
                return
            body = record.json
            problem = payload_problem(body)
            if problem:
                self._send_json(400, graph_error(131009, ERROR_TITLES[131009], problem), record)
                return
            refused = fake._template_problem(body)
            if refused is not None:
                code, details = refused
                self._send_json(400, graph_error(code, ERROR_TITLES[code], details), record)
                return
            media_id = sent_media_id(body)
            if media_id and fake._media(media_id) is None:
                self._send_json(400, graph_error(100, "Invalid media id", media_id), record)
                return
            if body.get("status") == "read":
                self._send_json(200, {"success": True}, record)
                return
            self._send_json(
                200,
                {
                    "messaging_product": "whatsapp",
                    "contacts": [_addressed(body)],
                    "messages": [{"id": "wamid.FAKE" + secrets.token_hex(12)}],
                },
                record,
            )

        def _upload(self, record: RecordedRequest) -> None:
            """Meta's upload: multipart form with messaging_product=whatsapp, type and file."""
            failure = fake._pop_failure()
            if failure is not None:
                self._send_json(
                    failure.status, graph_error(failure.code or 0, failure.message), record
                )
                return
            fields = multipart(self.headers.get("Content-Type", ""), record.body)
            problem = ""
            file = fields.get("file")
            if fields.get("messaging_product", (b"", ""))[0] != b"whatsapp":
                problem = "messaging_product must be whatsapp"
            elif file is None or not file[0]:
                problem = "file is required"
            elif file[1] not in UPLOAD_TYPES or len(file[0]) > UPLOAD_MAX:
                problem = "unsupported file type or size"
            if problem:
                self._send_json(400, graph_error(100, ERROR_TITLES[100], problem), record)
                return
            assert file is not None
            media_id = str(secrets.randbelow(10**15) + 10**15)
            fake.add_media(media_id, file[0], file[1])
            self._send_json(200, {"id": media_id}, record)

        def _media_info(self, media_id: str, record: RecordedRequest) -> None:
            media = fake._media(media_id)
            if media is None:
                self._send_json(404, graph_error(100, "Unsupported get request"), record)
                return
            self._send_json(
                200,
                {
                    "messaging_product": "whatsapp",
                    "url": media.url or f"{fake.base_url}/media-download/{media_id}",
                    "mime_type": media.mime_type,
                    "sha256": media.sha256 or hashlib.sha256(media.content).hexdigest(),
                    "file_size": media.declared_size
                    if media.declared_size is not None
                    else len(media.content),
                    "id": media_id,
                },
                record,
            )

        def _download(self, media_id: str, record: RecordedRequest) -> None:
            media = fake._media(media_id)
            if media is None:
                self._send_json(404, graph_error(100, "Unknown media"), record)
                return
            if media.redirect_to:
                record.status = 302
                self.send_response(302)
                self.send_header("Location", media.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            record.status = 200
            self.send_response(200)
            self.send_header("Content-Type", media.mime_type)
            if media.send_length:
                self.send_header("Content-Length", str(len(media.content)))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for start in range(0, len(media.content), 65536):
                    self.wfile.write(media.content[start : start + 65536])
            self.close_connection = True

        def _control(self, method: str, path: str, body: bytes) -> None:
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                self._send_json(400, {"error": "invalid JSON"})
                return
            if method == "GET" and path == "/_fake/requests":
                self._send_json(200, [r.as_dict() for r in fake.requests])
            elif method == "POST" and path == "/_fake/fail":
                fake.fail_next(
                    int(data.get("count", 1)),
                    status=int(data.get("status", 500)),
                    code=data.get("code"),
                    message=data.get("message"),
                )
                self._send_json(200, {"ok": True})
            elif method == "POST" and path == "/_fake/outage":
                fake.fail_until_recovered(
                    status=int(data.get("status", 500)), code=data.get("code")
                )
                self._send_json(200, {"ok": True})
            elif method == "POST" and path == "/_fake/recover":
                fake.recover()
                self._send_json(200, {"ok": True})
            elif method == "POST" and path == "/_fake/delay":
                fake.delay = float(data.get("seconds", 0))
                self._send_json(200, {"ok": True})
            elif method == "POST" and path == "/_fake/media":
                fake.add_media(
                    str(data["media_id"]),
                    base64.b64decode(data["content_base64"]),
                    str(data.get("mime_type", "application/octet-stream")),
                )
                self._send_json(200, {"ok": True})
            elif method == "POST" and path == "/_fake/template":
                fake.approve_template(
                    str(data["name"]),
                    str(data["language"]),
                    int(data.get("body_params", 0)),
                    tuple(data.get("buttons", ())),
                )
                self._send_json(200, {"ok": True})
            elif method == "POST" and path == "/_fake/reset":
                fake.reset()
                self._send_json(200, {"ok": True})
            else:
                self._send_json(404, {"error": "unknown control path"})

    return Handler
