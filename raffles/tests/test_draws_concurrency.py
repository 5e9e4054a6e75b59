"""No payment slips past the freeze: late confirmations race the freeze in real threads.

Whatever the interleaving, an order is PAID exactly when its numbers are in the frozen
list; the others were refused with EntriesFrozen. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import random
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection

from raffles import services
from raffles.exceptions import EntriesFrozen
from raffles.models import Order
from raffles.tests.drawing import sell
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 6
LATE_ORDERS = 6


def run_round() -> None:
    raffle = make_raffle(size=100)
    sell(raffle, [0])
    late = [
        services.reserve_specific(raffle.pk, [n + 1], BuyerFactory()) for n in range(LATE_ORDERS)
    ]
    services.expire_reservations(max(o.expires_at for o in late) + timedelta(seconds=1))
    services.close_raffle(raffle)

    barrier = threading.Barrier(LATE_ORDERS + 1)
    unexpected: list[BaseException] = []
    refused: list[str] = []

    def confirm(order: Order) -> None:
        try:
            barrier.wait()
            services.confirm_paid(order)
        except EntriesFrozen:
            refused.append(order.code)
        except BaseException as exc:
            unexpected.append(exc)
        finally:
            connection.close()

    def freeze() -> None:
        try:
            barrier.wait()
            time.sleep(random.uniform(0, 0.12))  # land anywhere among the payments
            services.freeze_entries(raffle)
        except BaseException as exc:
            unexpected.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(o,)) for o in late]
    threads.append(threading.Thread(target=freeze))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not unexpected, unexpected

    raffle.draw.refresh_from_db()
    listed = {int(n) for n in raffle.draw.entries.split()}
    for order in Order.objects.filter(pk__in=[o.pk for o in late]):
        number = order.numbers()[0]
        if order.status == Order.Status.PAID:
            assert number in listed, f"{order.code} paid but not in the draw"
        else:
            assert order.code in refused
            assert number not in listed
    assert 0 in listed
    draw = services.draw_raffle(raffle, external_value="x", prizes=1)
    assert services.verify_draw(raffle).ok, draw


def test_freeze_and_late_payments_never_disagree():
    for _ in range(ROUNDS):
        run_round()
