"""Every portal page carries a Content-Security-Policy that allows only our own scripts, and
renders nothing the policy would block: no inline event handlers, and every inline script is
either data (JSON) or allowed by its hash in the policy."""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import pytest
from django.test import Client

from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>[\s\S]*?)</script>")
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def _policy(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    assert header, "no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _check_page(response: Any) -> None:
    assert response.status_code == 200
    policy = _policy(response)
    scripts = policy.get("script-src", policy["default-src"])
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    html = response.content.decode()
    assert not EVENT_HANDLER.search(html), EVENT_HANDLER.search(html).group(0)
    for match in INLINE_SCRIPT.finditer(html):
        attrs, body = match["attrs"], match["body"]
        if "src=" in attrs or 'type="application/json"' in attrs:
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in scripts, f"inline script not allowed: {body[:80]!r}"


def test_the_login_page_has_the_policy(client: Client) -> None:
    _check_page(client.get("/portal/login/"))


def test_every_portal_page_has_the_policy_and_nothing_it_blocks(admin_client_: Client) -> None:
    raffle = make_raffle(size=50_000, generate=False)
    pages = [
        "/portal/",
        "/portal/raffles/",
        "/portal/raffles/new/",
        f"/portal/raffles/{raffle.pk}/",
        f"/portal/raffles/{raffle.pk}/edit/",
        f"/portal/raffles/{raffle.pk}/numbers/",
        "/portal/review/",
        "/portal/orders/",
        "/portal/conversations/",
        "/portal/simulator/",
        "/portal/staff/",
        "/portal/api-keys/",
    ]
    for url in pages:
        _check_page(admin_client_.get(url))
    # The block picker of a big raffle is a <select>: it calls unicorn without inline JS.
    assert (
        b"data-change-call=" in admin_client_.get(f"/portal/raffles/{raffle.pk}/numbers/").content
    )


def test_the_unicorn_scripts_are_our_own_files(admin_client_: Client) -> None:
    html = admin_client_.get("/portal/").content.decode()
    assert "/static/unicorn/js/unicorn.min.js" in html
    assert "/static/portal/unicorn-init.js" in html
