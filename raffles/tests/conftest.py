from __future__ import annotations

import pytest

from raffles.models import Buyer, Raffle
from raffles.tests.factories import BuyerFactory, make_raffle


@pytest.fixture
def raffle(db: None) -> Raffle:
    return make_raffle(size=100)


@pytest.fixture
def buyer(db: None) -> Buyer:
    return BuyerFactory()


@pytest.fixture
def other_buyer(db: None) -> Buyer:
    return BuyerFactory()
