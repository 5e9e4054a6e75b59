"""Bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB): the API answers 413 in its error schema,
and over a real socket (gunicorn, as `serve` runs it) the client reads the 413 instead of a
connection reset: the unread body is drained (up to a bound) before the connection closes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from config.tests.subprocess_env import ROOT, project_env

BIG = 6 * 1024 * 1024


def test_an_api_body_over_the_limit_is_413_in_the_error_schema(api):
    body = '{"name": "' + "x" * BIG + '"}'
    response = api.post("/api/raffles/", body)
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert response.json()["detail"] == "The request body is larger than 5 MB"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path: Path):
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            *("-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"),
            *("--workers", "1", "--no-control-socket"),
        ],
        cwd=ROOT,
        env=project_env(tmp_path, DEBUG="true"),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _post_raw(port: int, path: str, size: int) -> bytes:
    """POST `size` bytes as an HTTP client does: send the whole body, then read the answer."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-Hub-Signature-256: sha256=00\r\nContent-Length: {size}\r\n\r\n"
    ).encode()
    received = b""
    try:
        sock.sendall(head + b"x" * size)
        time.sleep(0.2)  # what a busy client does before it reads
        while chunk := sock.recv(65536):
            received += chunk
    except (ConnectionResetError, BrokenPipeError):
        received += b"<connection reset>"
    finally:
        sock.close()
    return received


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/whatsapp/webhook/", b"413"),
        ("/api/raffles/", b"401"),  # no key: refused before the body is read
    ],
)
def test_the_client_reads_the_answer_over_a_real_socket(gunicorn, path, status):
    for _ in range(3):  # a reset is a race: try a few times
        answer = _post_raw(gunicorn, path, BIG)
        assert answer.startswith(b"HTTP/1.1 " + status + b" "), answer[:200]
