"""GET/POST /api/raffles/{id}/draw/, through the whole stack (keys, sessions, errors)."""

from __future__ import annotations

import pytest

from config.tests.api_fixtures import csrf_headers
from raffles import services
from raffles.models import Draw, Raffle
from raffles.tests.drawing import closed_raffle, doc_sha, doc_winners, sell
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def url(raffle: Raffle | int) -> str:
    return f"/api/raffles/{getattr(raffle, 'pk', raffle)}/draw/"


def test_get_before_the_draw_hides_the_seed(api):
    raffle = make_raffle()
    response = api.get(url(raffle))
    assert response.status_code == 200
    body = response.json()
    assert body["stage"] == "committed"
    assert body["commitment"] == raffle.draw.commitment
    assert body["seed"] is None
    assert body["winners"] == []
    assert body["entries_hash"] is None
    assert body["public_url"].endswith(f"/raffles/{raffle.public_id}/draw/")
    assert raffle.draw.seed not in response.content.decode()


def test_post_draws_and_reveals(api):
    raffle = closed_raffle([1, 2, 3], [40, 50])
    response = api.post(url(raffle), {"external_value": "48213", "prizes": 2})
    assert response.status_code == 200, response.content
    body = response.json()
    draw = Draw.objects.get(raffle=raffle)
    assert body["stage"] == "drawn"
    assert body["seed"] == draw.seed
    assert doc_sha(body["seed"]) == body["commitment"]
    assert body["entries_hash"] == doc_sha("01\n02\n03\n40\n50\n")
    labels = [w["label"] for w in body["winners"]]
    assert labels == doc_winners(draw.seed, "48213", "01\n02\n03\n40\n50\n", 2)
    assert [w["prize"] for w in body["winners"]] == [1, 2]
    assert all(w["order_code"] for w in body["winners"])
    raffle.refresh_from_db()
    assert raffle.status == Raffle.Status.DRAWN
    # Same request again: same result. Other parameters: refused.
    assert api.post(url(raffle), {"external_value": "48213", "prizes": 2}).json() == body
    conflict = api.post(url(raffle), {"external_value": "99999", "prizes": 2})
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "already_drawn"
    assert conflict.json()["external_value"] == "48213"
    assert api.get(url(raffle)).json() == body


def test_refusals_use_the_error_schema(api, buyer, other_buyer):
    active = make_raffle()
    sell(active, [1], buyer)
    response = api.post(url(active), {"external_value": "1"})
    assert response.status_code == 409
    assert response.json()["code"] == "raffle_not_closed"
    assert response.json()["detail"]

    waiting = services.reserve_specific(active.pk, [7], other_buyer)
    services.attach_payment_proof(waiting, content=PNG, mime_type="image/png")
    services.close_raffle(active)
    pending = api.post(url(active), {"external_value": "1"})
    assert pending.status_code == 409
    assert pending.json()["code"] == "payments_pending"
    assert pending.json()["orders"] == [waiting.code]

    too_many = api.post(url(active), {"prizes": 2, "exclude_pending": True})
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "too_many_prizes"

    drawn = api.post(url(active), {"external_value": "1", "exclude_pending": True})
    assert drawn.status_code == 200
    assert drawn.json()["excluded_numbers"] == [7]
    assert [w["label"] for w in drawn.json()["winners"]] == ["01"]


def test_no_entries_and_not_found(api):
    empty = services.close_raffle(make_raffle())
    assert api.post(url(empty), {}).json()["code"] == "no_entries"
    missing = api.get(url(999_999))
    assert missing.status_code == 404
    assert missing.json()["code"] == "raffle_not_found"
    draft = make_raffle(active=False)
    assert api.get(url(draft)).json()["code"] == "draw_not_found"


@pytest.mark.parametrize(
    "payload",
    [{"prizes": 0}, {"prizes": "many"}, {"external_value": "x" * 201}, {"other": 1}],
)
def test_invalid_input(api, payload):
    raffle = closed_raffle([1, 2])
    response = api.post(url(raffle), payload)
    assert response.status_code in (400, 422)
    assert response.json()["code"] == "invalid"
    assert not Draw.objects.get(raffle=raffle).is_drawn


def test_control_characters_in_the_external_value_are_refused(api):
    raffle = closed_raffle([1, 2])
    response = api.post(url(raffle), {"external_value": "12\n34"})
    # Refused by the document's pattern (printable text), before the draw service sees it.
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"][0]["loc"][-1] == "external_value"


def test_auth(anon_api, ro_api, staff_api):
    raffle = closed_raffle([1, 2])
    assert anon_api.get(url(raffle)).status_code == 401
    assert anon_api.post(url(raffle), {}).status_code == 401
    assert ro_api.get(url(raffle)).status_code == 200
    assert ro_api.post(url(raffle), {}).status_code == 403
    assert not Draw.objects.get(raffle=raffle).is_drawn
    response = staff_api.post(url(raffle), {"prizes": 1}, headers=csrf_headers(staff_api))
    assert response.status_code == 200, response.content
    event = raffle.events.get(kind="raffle_drawn")
    assert event.actor_type == "staff"
    assert event.actor_label == "clerk"


def test_openapi_documents_the_operations(api):
    schema = api.get("/api/openapi.json").json()
    operations = schema["paths"]["/api/raffles/{raffle_id}/draw/"]
    assert {"get", "post"} <= set(operations)
    assert "409" in operations["post"]["responses"]
