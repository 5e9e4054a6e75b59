"""Fuzz every operation of the API from its own OpenAPI document (schemathesis 4).

Each operation gets three runs of generated requests: data that fits the document with any
ids ("positive"), the same with the ids of existing rows in the path ("existing", so bodies
and filters reach real raffles, orders and contacts), and data that breaks the document
("negative"). They go through the real WSGI application with an API key (as in CI); every
response must not be a 5xx and must match the document: status code, content type, headers
and body schema. Negative data must be refused with a 4xx. Generation is derandomized, so
CI runs are reproducible.

(schemathesis' own pytest plugin, `schemathesis.pytest.from_fixture`, does not run on
pytest 9, so each operation is a parametrized test driving schemathesis' Hypothesis
strategies directly.)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.api import api
from messaging.models import Contact, InboundMessage, OutboundMessage
from portal.services import create_api_key
from raffles import services
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
MAX_EXAMPLES = 15  # per operation and variant: about 1,100 requests in all
OPERATIONS = [
    (method.upper(), path)
    for path, item in api.get_openapi_schema()["paths"].items()
    for method in item
]
RUNS = [
    (method, path, variant)
    for method, path in OPERATIONS
    for variant in ("positive", "existing", "negative")
    if variant != "existing" or "{" in path
]


@dataclass
class Fixture:
    key: str
    ids: dict[str, int]


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection around each request, which would end
    the test's transaction; Django's test Client avoids that the same way."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_data(settings: Any, clear_cache: None, keep_connection: None) -> Fixture:
    """A raffle with an order waiting for review of its proof, a contact with messages,
    and a read-write key."""
    settings.API_THROTTLE_RATE = "1000000/min"
    settings.API_INVALID_KEY_RATE = "1000000/min"  # negative data may send odd keys
    raffle = make_raffle(size=100, title="Fuzzed")
    buyer = BuyerFactory()
    order = services.reserve_specific(raffle.pk, [1, 2], buyer)
    proof = services.attach_payment_proof(
        order, content=b"\x89PNG\r\n\x1a\n0", mime_type="image/png", source_media_id="m-1"
    )
    contact = Contact.objects.create(wa_id="5215512345678", buyer=buyer)
    parked = InboundMessage.objects.create(
        wa_message_id="wamid.1", contact=contact, type="text", status="failed", error="bug"
    )
    outbound = OutboundMessage.objects.create(
        contact=contact, to=contact.wa_id, kind="text", payload={"type": "text"}
    )
    _, raw_key = create_api_key(name="schemathesis", read_only=False)
    ids = {
        "raffle_id": raffle.pk,
        "order_id": order.pk,
        "proof_id": proof.pk,
        "contact_id": contact.pk,
        "outbound_id": outbound.pk,
        "message_id": parked.pk,
    }
    return Fixture(raw_key, ids)


def test_every_operation_is_fuzzed():
    assert len(OPERATIONS) >= 24  # raffles 11, orders 8, contacts 6 (and draws)


@functools.cache
def load_schema() -> Any:
    """The document as integrators get it: GET /api/openapi.json through the WSGI app."""
    return schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.mark.parametrize(("method", "path", "variant"), RUNS)
def test_operation_matches_its_openapi_document(
    api_data: Fixture, method: str, path: str, variant: str
) -> None:
    operation = load_schema()[path][method]
    mode = GenerationMode.NEGATIVE if variant == "negative" else GenerationMode.POSITIVE
    checks = [*CHECKS, negative_data_rejection] if mode.is_negative else CHECKS
    headers = {"Authorization": f"Bearer {api_data.key}"}
    ids = None
    if variant == "existing":
        # The ids in the path are those of the fixture's rows, so bodies and filters are
        # tried against a real raffle, order and contact (not only against 404s).
        ids = {name: api_data.ids[name] for name in re.findall(r"{(\w+)}", path)}

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=ids))
    @hypothesis_settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=checks)

    run()
