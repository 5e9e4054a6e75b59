"""API keys, staff sessions, read-only keys, throttling, and the docs page."""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from config.api_auth import check_throttle, parse_rate
from config.tests.api_fixtures import ApiClient, csrf_headers
from portal.models import ApiKey
from portal.services import create_api_key, revoke_api_key
from raffles.exceptions import InvalidInput
from raffles.models import OrderEvent, Raffle
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db

NEW_RAFFLE = {"title": "By API", "ticket_price": "1", "max_number": 9}


@pytest.fixture
def raffle(db):
    return make_raffle(size=10)


def key_client(raw_key: str, header: str = "Authorization") -> ApiClient:
    value = f"Bearer {raw_key}" if header == "Authorization" else raw_key
    return ApiClient(Client(), {header: value})


# --- Keys: creation, storage ------------------------------------------------------------
def test_key_is_shown_once_and_stored_hashed(superuser):
    api_key, raw = create_api_key(name="website", read_only=True, created_by=superuser)

    assert re.fullmatch(r"rk_live_[0-9a-f]{8}_[A-Za-z0-9_-]{43}", raw)
    assert raw.startswith(api_key.prefix + "_")
    assert api_key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = ApiKey.objects.filter(pk=api_key.pk).values()[0]
    assert all(raw not in str(value) for value in stored.values())
    assert str(api_key) == f"website ({api_key.prefix}…)"
    event = OrderEvent.objects.get(kind="api_key_created")
    assert event.actor_user == superuser
    assert event.details["key_prefix"] == api_key.prefix
    assert raw not in str(event.details)


def test_key_name_is_required(superuser):
    with pytest.raises(InvalidInput):
        create_api_key(name="  ", read_only=True, created_by=superuser)


def test_management_command_prints_the_key_once(superuser):
    out, err = StringIO(), StringIO()

    call_command("create_api_key", "accounting", "--user", "admin", stdout=out, stderr=err)

    raw = out.getvalue().strip()
    api_key = ApiKey.objects.get()
    assert api_key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert api_key.read_only is False
    assert api_key.created_by == superuser
    assert "read-write" in err.getvalue()
    assert raw not in err.getvalue()
    assert key_client(raw).get("/api/raffles/").status_code == 200


def test_management_command_read_only():
    out = StringIO()

    call_command("create_api_key", "website", "--read-only", stdout=out, stderr=StringIO())

    assert ApiKey.objects.get().read_only is True
    assert key_client(out.getvalue().strip()).post("/api/raffles/", NEW_RAFFLE).status_code == 403


def test_management_command_refuses_unknown_user():
    with pytest.raises(CommandError):
        call_command("create_api_key", "x", "--user", "nobody", stdout=StringIO())


def test_clear_key_never_reaches_the_logs(superuser, caplog):
    caplog.set_level(logging.DEBUG)
    api_key, raw = create_api_key(name="website", read_only=True, created_by=superuser)
    client = key_client(raw)
    client.get("/api/raffles/")
    client.post("/api/raffles/", NEW_RAFFLE)
    key_client(raw + "x").get("/api/raffles/")
    ApiClient(Client(), {"Authorization": f"Token {raw}"}).get("/api/raffles/")

    assert api_key.prefix in caplog.text
    assert raw not in caplog.text


# --- Authentication ---------------------------------------------------------------------
def test_no_credentials_is_401(anon_api):
    response = anon_api.get("/api/raffles/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["code"] == "not_authenticated"


def test_api_is_not_redirected_to_the_portal_login(anon_api):
    response = anon_api.post("/api/orders/1/cancel/")

    assert response.status_code == 401  # not a 302 to /portal/login/


@pytest.mark.parametrize(
    "header",
    [
        "Bearer rk_live_00000000_nope",
        "Bearer ",
        "Bearer " + "x" * 5000,
        "bearer rk_live_00000000_nope",
    ],
)
def test_wrong_key_is_401(db, clear_cache, header):
    response = ApiClient(Client(), {"Authorization": header}).get("/api/raffles/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown or revoked API key", "code": "invalid_api_key"}


def test_other_authorization_schemes_are_401(db, clear_cache):
    response = ApiClient(Client(), {"Authorization": "Basic YTpi"}).get("/api/raffles/")

    assert response.status_code == 401


def test_bearer_and_x_api_key_both_work(api, superuser):
    _, raw = create_api_key(name="erp", read_only=False, created_by=superuser)

    assert key_client(raw).get("/api/raffles/").status_code == 200
    assert key_client(raw, header="X-API-Key").get("/api/raffles/").status_code == 200
    assert key_client(raw, header="X-API-Key").post("/api/raffles/", NEW_RAFFLE).status_code == 201
    assert key_client("nope", header="X-API-Key").get("/api/raffles/").status_code == 401


def test_revoked_key_is_401(superuser):
    api_key, raw = create_api_key(name="old", read_only=False, created_by=superuser)
    client = key_client(raw)
    assert client.get("/api/raffles/").status_code == 200

    revoked = revoke_api_key(api_key=api_key, by=superuser)

    assert revoked.revoked_at is not None
    assert revoked.revoked_by == superuser
    assert client.get("/api/raffles/").status_code == 401
    assert revoke_api_key(api_key=api_key, by=superuser).revoked_at == revoked.revoked_at
    assert OrderEvent.objects.filter(kind="api_key_revoked").count() == 1


def test_last_used_is_recorded_at_most_once_a_minute(api):
    assert api.api_key.last_used_at is None

    api.get("/api/raffles/")
    first = ApiKey.objects.get(pk=api.api_key.pk).last_used_at
    api.get("/api/raffles/")
    second = ApiKey.objects.get(pk=api.api_key.pk).last_used_at
    ApiKey.objects.filter(pk=api.api_key.pk).update(last_used_at=first - timedelta(minutes=2))
    api.get("/api/raffles/")
    third = ApiKey.objects.get(pk=api.api_key.pk).last_used_at

    assert first is not None
    assert second == first
    assert third > first - timedelta(minutes=2)
    assert third >= first


def test_wrong_key_is_refused_even_with_a_staff_session(staff_api):
    staff_api.headers["Authorization"] = "Bearer rk_live_00000000_nope"

    assert staff_api.get("/api/raffles/").status_code == 401


# --- Read-only keys -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/raffles/"),
        ("PUT", "/api/raffles/{id}/"),
        ("PATCH", "/api/raffles/{id}/"),
        ("DELETE", "/api/raffles/{id}/"),
        ("POST", "/api/raffles/{id}/close/"),
        ("POST", "/api/orders/1/cancel/"),
        ("POST", "/api/contacts/1/pause/"),
        ("POST", "/api/inbound-messages/1/retry/"),
    ],
)
def test_read_only_key_cannot_write(ro_api, raffle, method, path):
    response = ro_api.request(method, path.format(id=raffle.pk), NEW_RAFFLE)

    assert response.status_code == 403
    assert response.json() == {"detail": "This API key is read-only", "code": "read_only_key"}
    assert Raffle.objects.get(pk=raffle.pk).status == Raffle.Status.ACTIVE


def test_read_only_key_reads(ro_api, raffle):
    assert ro_api.get("/api/raffles/").status_code == 200
    assert ro_api.get(f"/api/raffles/{raffle.pk}/availability/").status_code == 200


# --- Staff sessions -------------------------------------------------------------------------
def test_staff_session_reads(staff_api, raffle):
    assert staff_api.get(f"/api/raffles/{raffle.pk}/").status_code == 200


def test_staff_session_writes_with_csrf_token_only(staff_api, staff_user):
    refused = staff_api.post("/api/raffles/", NEW_RAFFLE)
    accepted = staff_api.post("/api/raffles/", NEW_RAFFLE, headers=csrf_headers(staff_api))

    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert accepted.status_code == 201
    event = OrderEvent.objects.get(kind="raffle_created")
    assert (event.actor_type, event.actor_user) == ("staff", staff_user)


def test_session_of_a_non_staff_user_is_401(db, clear_cache):
    client = Client()
    client.force_login(get_user_model().objects.create_user("buyer", password="pw"))

    assert client.get("/api/raffles/").status_code == 401


def test_session_of_an_inactive_staff_user_is_401(staff_api, staff_user):
    get_user_model().objects.filter(pk=staff_user.pk).update(is_active=False)

    assert staff_api.get("/api/raffles/").status_code == 401


# --- Throttling -----------------------------------------------------------------------------
def test_throttled_past_the_rate_with_retry_after(api, ro_api, settings):
    settings.API_THROTTLE_RATE = "3/min"

    statuses = [api.get("/api/raffles/").status_code for _ in range(4)]
    throttled = api.get("/api/raffles/")

    assert statuses == [200, 200, 200, 429]
    assert throttled.status_code == 429
    assert 1 <= int(throttled["Retry-After"]) <= 60
    body = throttled.json()
    assert body["code"] == "throttled"
    assert body["retry_after"] == int(throttled["Retry-After"])
    # Each key has its own budget.
    assert ro_api.get("/api/raffles/").status_code == 200


def test_throttle_counts_writes_and_staff_sessions_too(staff_api, settings):
    settings.API_THROTTLE_RATE = "2/hour"
    staff_api.get("/api/raffles/")
    staff_api.post("/api/raffles/", NEW_RAFFLE, headers=csrf_headers(staff_api))

    response = staff_api.get("/api/raffles/")

    assert response.status_code == 429
    assert int(response["Retry-After"]) <= 3600


def test_throttle_window_resets(clear_cache, settings):
    settings.API_THROTTLE_RATE = "2/s"
    check_throttle("t", now=100.1)
    check_throttle("t", now=100.5)
    with pytest.raises(Exception, match="Too many requests"):
        check_throttle("t", now=100.9)

    check_throttle("t", now=101.0)  # a new window


@pytest.mark.parametrize(
    ("rate", "parsed"),
    [("600/min", (600, 60)), ("10/s", (10, 1)), ("5000/hour", (5000, 3600)), ("1/day", (1, 86400))],
)
def test_parse_rate(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["", "0/min", "ten/min", "10/fortnight", "-1/s", "²/s"])
def test_parse_rate_refuses_nonsense(rate):
    with pytest.raises(ValueError, match="not a rate"):
        parse_rate(rate)


# --- Docs and schema ------------------------------------------------------------------------
def test_docs_page_loads_nothing_from_a_cdn(anon_api):
    response = anon_api.get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert all(url.startswith("/static/ninja/") for url in assets), assets
    # Not a bare "cdn" substring: the page carries a random CSRF token, which sometimes has it.
    assert not re.search(r"(?:https?:)?//[\w.-]*cdn", html.lower())
    assert '"validatorUrl": null' in html
    assert '"url": "/api/openapi.json"' in html


def test_docs_assets_are_served_by_the_site(db, settings):
    # As in development (WhiteNoise finds app static files); production serves the same
    # files from STATIC_ROOT after collectstatic.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client = Client()
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        response = client.get(f"/static/ninja/{asset}")
        assert response.status_code == 200, asset
        assert int(response["Content-Length"]) > 1000


def test_openapi_document(anon_api):
    response = anon_api.get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert {
        "/api/raffles/",
        "/api/raffles/{raffle_id}/",
        "/api/raffles/{raffle_id}/availability/",
        "/api/raffles/{raffle_id}/tickets/",
        "/api/raffles/{raffle_id}/generate-tickets/",
        "/api/raffles/{raffle_id}/activate/",
        "/api/raffles/{raffle_id}/close/",
        "/api/orders/",
        "/api/orders/pending-payment/",
        "/api/orders/{order_id}/",
        "/api/orders/{order_id}/confirm-payment/",
        "/api/orders/{order_id}/reject-payment/",
        "/api/orders/{order_id}/cancel/",
        "/api/orders/{order_id}/proofs/{proof_id}/file",
        "/api/contacts/",
        "/api/contacts/{contact_id}/",
        "/api/contacts/{contact_id}/messages/",
        "/api/contacts/{contact_id}/orders/",
        "/api/contacts/{contact_id}/pause/",
        "/api/contacts/{contact_id}/resume/",
        "/api/inbound-messages/failed/",
        "/api/inbound-messages/{message_id}/retry/",
    } <= schema["paths"].keys()
    assert set(schema["components"]["securitySchemes"]) == {
        "BearerKeyAuth",
        "HeaderKeyAuth",
        "StaffSessionAuth",
    }
    error_ref = {"$ref": "#/components/schemas/Error"}
    for path, item in schema["paths"].items():
        if not path.startswith(
            ("/api/raffles/", "/api/orders/", "/api/contacts/", "/api/inbound-messages/")
        ):
            continue
        if path.endswith("/draw/"):
            continue  # the draws router documents its own errors
        for method, operation in item.items():
            responses = operation["responses"]
            for status in ("401", "422", "429"):
                content = responses[status]["content"]["application/json"]["schema"]
                assert content == error_ref, (method, path, status)
            if method != "get":
                assert "403" in responses, (method, path)


def test_writes_are_recorded_with_the_key_name(api):
    raffle = make_raffle(active=False)

    api.post(f"/api/raffles/{raffle.pk}/activate/")

    event = OrderEvent.objects.get(raffle=raffle, kind="raffle_activated")
    assert (event.actor_type, event.actor_label, event.actor_user) == ("api", "accounting", None)


def test_key_last_used_never_in_future(api):
    api.get("/api/raffles/")

    assert ApiKey.objects.get(pk=api.api_key.pk).last_used_at <= timezone.now()
