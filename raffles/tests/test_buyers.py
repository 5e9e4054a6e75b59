"""Buyers: a phone number is optional (a channel may know a buyer by another id), unique when
set, and the buyer without one still buys, shows and is audited."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from raffles import services
from raffles.models import Buyer, OrderEvent

pytestmark = pytest.mark.django_db


def test_buyers_without_a_phone_are_many_and_named_by_number():
    first = services.create_buyer_without_phone(name="Dani")
    second = services.create_buyer_without_phone()
    assert first.phone is None
    assert second.phone is None
    assert str(first) == f"Dani (#{first.pk})"
    assert second.label == f"#{second.pk}"
    assert str(services.get_or_create_buyer(phone="+5215512345678")) == "Buyer (+5215512345678)"


def test_a_phone_stays_unique_when_set():
    services.get_or_create_buyer(phone="+5215512345678")
    with pytest.raises(IntegrityError), transaction.atomic():
        Buyer.objects.create(phone="+5215512345678")


def test_add_phone_if_missing_never_takes_another_buyers_number():
    owner = services.get_or_create_buyer(phone="+5215512345678")
    phoneless = services.create_buyer_without_phone()
    assert not services.add_phone_if_missing(phoneless, "5215512345678")
    assert not services.add_phone_if_missing(phoneless, "US.13491208655302741918")
    assert services.add_phone_if_missing(phoneless, "5215599998888")
    phoneless.refresh_from_db()
    assert phoneless.phone == "+5215599998888"
    assert not services.add_phone_if_missing(owner, "5215500001111")  # has one already


def test_change_phone_moves_only_the_buyer_on_the_old_number():
    buyer = services.get_or_create_buyer(phone="+5215512345678")
    services.get_or_create_buyer(phone="+5215500000000")
    assert not services.change_phone(buyer, "5215599990000", "5215511112222")  # not its number
    assert not services.change_phone(buyer, "5215512345678", "5215500000000")  # taken
    assert services.change_phone(buyer, "5215512345678", "5215511112222")
    buyer.refresh_from_db()
    assert buyer.phone == "+5215511112222"


def test_a_buyer_without_phone_reserves_and_is_audited(raffle):
    buyer = services.create_buyer_without_phone(name="Dani")
    by = services.Actor.buyer(buyer)
    order = services.reserve_specific(raffle.pk, [5], buyer, by=by)
    event = order.events.get(kind="reserved")
    assert event.actor_type == OrderEvent.Actor.BUYER
    assert event.actor_label == f"#{buyer.pk}"


def test_the_api_shows_a_null_phone(api, raffle):
    buyer = services.create_buyer_without_phone(name="Dani")
    order = services.reserve_specific(raffle.pk, [5], buyer)
    response = api.get(f"/api/orders/{order.pk}/")
    assert response.status_code == 200, response.content
    assert response.json()["buyer"] == {"id": buyer.pk, "phone": None, "name": "Dani"}
