"""A media id from a webhook names one Graph API object: nothing in it may change the path or
the query of the authenticated request. Bad ids are refused before any request is made."""

from __future__ import annotations

import json

import pytest

from messaging import exceptions
from messaging.channel.graph import GraphClient
from messaging.channel.media import download_media
from messaging.models import InboundMessage
from messaging.tests.conftest import fixture_json

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("echo_handler")]

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 200
BAD_IDS = [
    "../me",
    "../../v21.0/1122334455667/messages",
    "123?fields=access_token",
    "123#x",
    "123/456",
    "123%2F456",
    "..",
    "",
    " 123",
    "123\n",
    "1" * 200,
]


@pytest.mark.parametrize("media_id", BAD_IDS)
def test_bad_media_ids_are_refused_without_a_request(fake_graph, media_id):
    with pytest.raises(exceptions.MediaRefused):
        download_media(media_id)
    with pytest.raises(exceptions.MediaRefused):
        GraphClient().media_info(media_id)
    assert fake_graph.requests == []


@pytest.mark.parametrize("media_id", ["1037543291543636", "65463453"])
def test_meta_media_ids_are_fetched(fake_graph, media_id):
    fake_graph.add_media(media_id, JPEG, "image/jpeg")
    assert download_media(media_id).content == JPEG
    assert fake_graph.requests[0].path == f"/v21.0/{media_id}"


def test_a_webhook_with_a_forged_media_id_stores_the_reason(fake_graph, post_webhook):
    body = fixture_json("message-image.json")
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message["image"]["id"] = "../1122334455667/messages?x="
    assert post_webhook(json.dumps(body)).status_code == 200

    stored = InboundMessage.objects.get()
    assert stored.status == "processed"
    assert stored.media_status == InboundMessage.MediaStatus.REFUSED
    assert "media id" in stored.media_error
    assert all(not r.path.startswith("/v21.0/..") for r in fake_graph.requests)
    assert [r for r in fake_graph.requests if "media" in r.path or ".." in r.path] == []
