"""Fuzz every operation of the API from its own OpenAPI document (schemathesis 4).

Each operation gets four runs of generated requests: data that fits the document with any
ids ("positive"), the same with the ids of existing rows in the path ("existing", so bodies
and filters reach real raffles, orders and contacts), data that breaks the document
("negative"), and schemathesis' coverage phase ("coverage": the boundaries of every
constraint, both sides: empty strings, shortest and longest, minimum and maximum, missing
and wrong types). They go through the real WSGI application with an API key (as in CI);
every response must not be a 5xx and must match the document: status code, content type,
headers and body schema. Data that fits the document must be accepted (anything but 400 and
422: a 404 for an unknown id, a 409 for a rule of the domain, or a 400 naming the fields
that conflict in a rule across fields is fine), and data that breaks
it must be refused with a 4xx: the document says exactly what validation accepts.
Generation is derandomized, so CI runs are reproducible.

(schemathesis' own pytest plugin, `schemathesis.pytest.from_fixture`, does not run on
pytest 9, so each operation is a parametrized test driving schemathesis' Hypothesis
strategies directly.)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.api import api
from messaging.models import Contact, InboundMessage, OutboundMessage
from portal.services import create_api_key
from raffles import services
from raffles.models import StatementLine
from raffles.services import sellers
from raffles.services.pricing import create_coupon
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def positive_data_acceptance_but_rules_across_fields(ctx: Any, response: Any, case: Any) -> Any:
    """Data that fits the document is accepted, except where a rule of the domain relates
    fields that are each valid (the last number before the first, a draw before sales close):
    a JSON Schema cannot say that, and the API answers 400 naming the fields in conflict."""
    body = response.json() if response.status_code == 400 else None
    if body and "conflicts_with" in body:
        return None
    if body and body.get("field") == "file":  # the contents of an upload (a bank statement)
        return None
    return positive_data_acceptance(ctx, response, case)


POSITIVE_CHECKS = [*CHECKS, positive_data_acceptance_but_rules_across_fields]
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]
MAX_EXAMPLES = 15  # per operation and fuzzed variant: about 1,100 requests
MAX_COVERAGE_CASES = 150  # per operation: about 1,600 requests
# Every setting the fuzzing needs, in one place: no throttle may trip during the run (the
# per-key rate, and the limit on failed keys).
SETTINGS_OVERRIDES: dict[str, Any] = {
    "API_THROTTLE_RATE": "1000000/min",
    "API_INVALID_KEY_RATE": "1000000/min",  # negative data may send odd keys
}
OPERATIONS = [
    (method.upper(), path)
    for path, item in api.get_openapi_schema()["paths"].items()
    for method in item
]
RUNS = [
    (method, path, variant)
    for method, path in OPERATIONS
    for variant in ("positive", "existing", "negative", "coverage")
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
    for name, value in SETTINGS_OVERRIDES.items():
        setattr(settings, name, value)
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
    services.import_statement(content=b"Fecha;Concepto;Importe\n01/12/2026;sin codigo;5,00\n")
    coupon = create_coupon(raffle=raffle, code="FUZZ", kind="percent", value="10")
    _, raw_key = create_api_key(name="schemathesis", read_only=False)
    early = services.create_early_draw(
        raffle, title="Early", cutoff=timezone.now() + timedelta(days=1)
    )
    seller_user = get_user_model().objects.create_user("fuzz-seller", is_staff=True)
    seller = sellers.save_seller(user=seller_user, code="FUZZ", by=None)
    ids = {
        "early_id": early.pk,
        "raffle_id": raffle.pk,
        "order_id": order.pk,
        "proof_id": proof.pk,
        "contact_id": contact.pk,
        "outbound_id": outbound.pk,
        "message_id": parked.pk,
        "line_id": StatementLine.objects.get().pk,
        "coupon_id": coupon.pk,
        "seller_id": seller.pk,
    }
    return Fixture(raw_key, ids)


def test_every_operation_is_fuzzed():
    assert len(OPERATIONS) >= 24  # raffles 11, orders 8, contacts 6 (and draws)


@functools.cache
def load_schema() -> Any:
    """The document as integrators get it: GET /api/openapi.json through the WSGI app."""
    return schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


def _validate(case: Any, headers: dict[str, str]) -> None:
    mode = case.meta.generation.mode if case.meta else GenerationMode.POSITIVE
    checks = NEGATIVE_CHECKS if mode.is_negative else POSITIVE_CHECKS
    case.call_and_validate(headers=headers, checks=checks)


def _run_coverage(operation: Any, headers: dict[str, str]) -> None:
    """schemathesis' coverage phase: each constraint's boundaries, valid and invalid."""
    schema = operation.schema
    cases = schema.iter_coverage_cases(
        operation,
        generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        generation_config=schema.config.generation_for(operation=operation),
    )
    for count, case in enumerate(cases):
        if count >= MAX_COVERAGE_CASES:
            break
        _validate(case, headers)


@pytest.mark.parametrize(("method", "path", "variant"), RUNS)
def test_operation_matches_its_openapi_document(
    api_data: Fixture, method: str, path: str, variant: str
) -> None:
    operation = load_schema()[path][method]
    headers = {"Authorization": f"Bearer {api_data.key}"}
    if variant == "coverage":
        _run_coverage(operation, headers)
        return
    mode = GenerationMode.NEGATIVE if variant == "negative" else GenerationMode.POSITIVE
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
        _validate(case, headers)

    run()
