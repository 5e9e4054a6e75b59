"""Two sellers of one raffle, each with their own buyers: Ana recorded a cash sale to Carla,
Beto's link brought Dani (who paid online). Shared by the portal's and the API's tests that
check a seller never sees another seller's buyers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model

from portal.models import StaffRole
from raffles import services
from raffles.models import Order, Raffle, Seller
from raffles.services import SaleBuyer, sellers
from raffles.tests.factories import make_raffle


@dataclass
class World:
    raffle: Raffle
    ana: Seller
    beto: Seller
    ana_order: Order  # Carla, cash, recorded by Ana
    beto_order: Order  # Dani, through Beto's link, paid
    owner: Any


def _user(name: str, role: str) -> Any:
    user = get_user_model().objects.create_user(name, password="pw", is_staff=True)
    StaffRole.objects.create(user=user, role=role)
    return user


def make_world() -> World:
    raffle = make_raffle(size=100, title="Sellers raffle")
    owner = _user("olga", "owner")
    ana = sellers.save_seller(user=_user("ana", "seller"), code="ANA", by=owner)
    beto = sellers.save_seller(user=_user("beto", "seller"), code="BETO", by=owner)
    sellers.set_commission(seller=ana, raffle=raffle, percent="10", by=owner)
    sellers.set_commission(seller=beto, raffle=raffle, percent="5", by=owner)
    ana_order = services.sell_offline(
        raffle=raffle,
        numbers=[3, 4],
        buyer=SaleBuyer("Carla Cash", "+5491155550001"),
        paid=True,
        by=ana.user,
    )
    dani = services.get_or_create_buyer(phone="+5491155550002", name="Dani Link")
    sellers.record_referral(buyer=dani, code="BETO", raffle_id=raffle.pk)
    beto_order = services.reserve_specific(raffle.pk, [50], dani)
    services.confirm_paid(beto_order, by=owner)
    return World(raffle, ana, beto, ana_order, beto_order, owner)
