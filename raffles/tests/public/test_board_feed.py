"""The board's JSON feed: bitmaps per block, ETag/Last-Modified, 304, no database work
while nothing changes."""

from __future__ import annotations

import base64

import pytest
from django.test import Client

from raffles import services
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db


def taken(feed: dict) -> list[int]:  # type: ignore[type-arg]
    bits = base64.b64decode(feed["taken"])
    size = feed["end"] - feed["start"] + 1
    return [feed["start"] + i for i in range(size) if bits[i >> 3] & (0x80 >> (i & 7))]


def test_blocks_show_taken_numbers(client: Client) -> None:
    raffle = make_raffle(size=2500, min_number=1)
    services.reserve_specific(raffle.pk, [5, 1001, 2500], BuyerFactory())
    first = client.get(f"/r/{raffle.public_id}/board.json?block=0").json()
    assert (first["start"], first["end"], first["blocks"], first["width"]) == (1, 1000, 3, 4)
    assert taken(first) == [5]
    assert first["free"] == 999
    last = client.get(f"/r/{raffle.public_id}/board.json?block=2").json()
    assert (last["start"], last["end"]) == (2001, 2500)
    assert taken(last) == [2500]
    assert client.get(f"/r/{raffle.public_id}/board.json?block=3").status_code == 404
    assert client.get(f"/r/{raffle.public_id}/board.json?block=x").status_code == 404


def test_etag_and_last_modified_answer_304_until_a_sale(client: Client) -> None:
    raffle = make_raffle(size=100)
    url = f"/r/{raffle.public_id}/board.json?block=0"
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-modified-since": modified}).status_code == 304
    services.reserve_specific(raffle.pk, [9], BuyerFactory())
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 200
    assert again["ETag"] != etag
    assert taken(again.json()) == [9]


def test_a_cached_block_costs_no_query_per_visitor(
    client: Client,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    raffle = make_raffle(size=100)
    url = f"/r/{raffle.public_id}/board.json?block=0"
    client.get(url)
    with django_assert_max_num_queries(0):  # raffle, version and block all cached
        client.get(url)
