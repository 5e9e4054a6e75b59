"""Sales recorded by staff, and the grid's bulk actions: through the reservation engine, so
never a double sale; audited; blocked numbers are never claimable."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from raffles import services, signals
from raffles.audit import EventKind
from raffles.exceptions import InvalidInput, NumbersTaken, RaffleError
from raffles.models import Order, OrderEvent, Raffle, TicketNumber
from raffles.selectors import orders_sold_by, raffle_counts
from raffles.services import SaleBuyer
from raffles.tests.factories import BuyerFactory, make_raffle

SOLD = TicketNumber.Status.SOLD
RESERVED = TicketNumber.Status.RESERVED
BLOCKED = TicketNumber.Status.BLOCKED
AVAILABLE = TicketNumber.Status.AVAILABLE


@pytest.fixture
def seller(db: None) -> Any:
    return get_user_model().objects.create_user("sally", password="x", is_staff=True)


def statuses(raffle: Raffle, numbers: list[int]) -> list[str]:
    rows = TicketNumber.objects.filter(raffle=raffle, number__in=numbers).order_by("number")
    return list(rows.values_list("status", flat=True))


@pytest.mark.django_db
def test_a_cash_sale_is_paid_records_the_seller_and_sends_order_paid(
    raffle: Raffle, seller: Any
) -> None:
    paid: list[Order] = []

    def listen(sender: Any, order: Order, **kwargs: Any) -> None:
        paid.append(order)

    signals.order_paid.connect(listen)
    try:
        order = services.sell_offline(
            raffle=raffle,
            numbers=[3, 4, 5],
            buyer=SaleBuyer(name="Ana Pérez", phone="+52 155 1234 5678"),
            paid=True,
            method="cash",
            note="at the fair",
            by=seller,
        )
    finally:
        signals.order_paid.disconnect(listen)
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert order.sold_by == seller
    assert order.sale_method == "cash"
    assert order.sale_note == "at the fair"
    assert order.buyer.name == "Ana Pérez"
    assert order.buyer.phone == "+5215512345678"
    assert statuses(raffle, [3, 4, 5]) == [SOLD] * 3
    assert [o.pk for o in paid] == [order.pk]
    kinds = list(order.events.values_list("kind", flat=True))
    assert EventKind.SOLD_BY_STAFF in kinds
    assert EventKind.PAID in kinds
    assert list(orders_sold_by(seller.pk)) == [order]


@pytest.mark.django_db
def test_a_reserved_sale_holds_without_expiry_until_released(raffle: Raffle, seller: Any) -> None:
    order = services.sell_offline(
        raffle=raffle,
        numbers=[7],
        buyer=SaleBuyer(name="Bo"),
        paid=False,
        method="transfer",
        by=seller,
    )
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.expires_at is None
    assert order.buyer.phone is None
    ticket = TicketNumber.objects.get(raffle=raffle, number=7)
    assert ticket.status == RESERVED
    assert ticket.reserved_until is None
    services.expire_reservations()
    assert statuses(raffle, [7]) == [RESERVED]
    released = services.release_held(raffle, [7], by=seller)
    assert [o.status for o in released] == [Order.Status.CANCELLED]
    assert statuses(raffle, [7]) == [AVAILABLE]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "phone", "method", "field"),
    [("", "", "cash", "name"), ("Ana", "12", "cash", "phone"), ("Ana", "", "card", "method")],
)
def test_a_sale_needs_a_name_a_valid_phone_and_a_known_method(
    raffle: Raffle, seller: Any, name: str, phone: str, method: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.sell_offline(
            raffle=raffle,
            numbers=[1],
            buyer=SaleBuyer(name=name, phone=phone),
            paid=True,
            method=method,
            by=seller,
        )
    assert caught.value.fields.get("field") == field
    assert statuses(raffle, [1]) == [AVAILABLE]
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_a_sale_of_a_taken_number_sells_nothing(raffle: Raffle, seller: Any) -> None:
    services.reserve_specific(raffle.pk, [2], BuyerFactory())
    with pytest.raises(NumbersTaken):
        services.sell_offline(
            raffle=raffle, numbers=[1, 2], buyer=SaleBuyer(name="Ana"), paid=True, by=seller
        )
    assert statuses(raffle, [1, 2]) == [AVAILABLE, RESERVED]
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_blocked_numbers_are_never_claimable_until_unblocked(raffle: Raffle, seller: Any) -> None:
    services.reserve_specific(raffle.pk, [11], BuyerFactory())
    assert services.block_numbers(raffle, [10, 11, 12], by=seller) == [10, 12]
    counts = raffle_counts(raffle)
    assert (counts.available, counts.reserved, counts.sold) == (100 - 1 - 2, 1, 0)
    assert statuses(raffle, [10, 11, 12]) == [BLOCKED, RESERVED, BLOCKED]
    assert not TicketNumber.objects.claimable(_now()).filter(raffle=raffle, number=10).exists()
    with pytest.raises(NumbersTaken):
        services.reserve_specific(raffle.pk, [10], BuyerFactory())
    with pytest.raises(RaffleError):
        services.sell_offline(
            raffle=raffle, numbers=[12], buyer=SaleBuyer(name="Ana"), paid=True, by=seller
        )
    picked = services.pick_free_numbers(raffle, 97)
    assert not {10, 11, 12} & set(picked)
    order = services.reserve_random(raffle.pk, 20, BuyerFactory())
    assert not {10, 12} & set(order.numbers())
    assert services.unblock_numbers(raffle, [10, 11, 12], by=seller) == [10, 12]
    assert statuses(raffle, [10, 12]) == [AVAILABLE, AVAILABLE]
    kinds = OrderEvent.objects.filter(raffle=raffle, order=None).values_list("kind", flat=True)
    assert EventKind.NUMBERS_BLOCKED in kinds
    assert EventKind.NUMBERS_UNBLOCKED in kinds


@pytest.mark.django_db
def test_confirm_held_confirms_the_whole_orders(raffle: Raffle, seller: Any) -> None:
    first = services.reserve_specific(raffle.pk, [20, 21], BuyerFactory())
    second = services.reserve_specific(raffle.pk, [30], BuyerFactory())
    confirmed = services.confirm_held(raffle, [21, 30, 40], by=seller)
    assert sorted(o.pk for o in confirmed) == sorted([first.pk, second.pk])
    assert statuses(raffle, [20, 21, 30, 40]) == [SOLD, SOLD, SOLD, AVAILABLE]
    assert OrderEvent.objects.filter(kind=EventKind.PAID, actor_user=seller).count() == 2


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def race(**calls: Any) -> dict[str, str]:
    """Run the calls in threads released at the same instant; each one's outcome: 'ok', a
    domain error's name, or 'UNEXPECTED …'."""
    start = threading.Barrier(len(calls))
    outcomes: dict[str, str] = {}

    def run(name: str) -> None:
        try:
            start.wait()
            calls[name]()
            outcomes[name] = "ok"
        except RaffleError as exc:
            outcomes[name] = type(exc).__name__
        except Exception as exc:  # pragma: no cover - a failure says what went wrong
            outcomes[name] = f"UNEXPECTED {type(exc).__name__}: {exc}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(name,)) for name in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_a_counter_sale_racing_the_bot_never_double_sells(seller: Any) -> None:
    """Real threads: the counter sells numbers 0-2 while the bot reserves 2-4, released at
    the same instant, several rounds. Exactly one of them gets number 2 each time."""
    for round_ in range(6):
        raffle = make_raffle(size=10, title=f"race {round_}")
        bot_buyer = BuyerFactory()
        outcomes = race(
            counter=lambda r=raffle: services.sell_offline(
                raffle=r, numbers=[0, 1, 2], buyer=SaleBuyer(name="Ana"), paid=True, by=seller
            ),
            bot=lambda r=raffle, b=bot_buyer: services.reserve_specific(r.pk, [2, 3, 4], b),
        )
        assert sorted(outcomes.values()) == ["NumbersTaken", "ok"], outcomes
        orders = Order.objects.filter(raffle=raffle)
        assert orders.count() == 1
        winner = orders.get()
        assert 2 in winner.numbers()
        taken = TicketNumber.objects.filter(raffle=raffle).exclude(status=AVAILABLE)
        assert sorted(taken.values_list("number", flat=True)) == winner.numbers()
        assert set(taken.values_list("reserved_by_order_id", flat=True)) == {winner.pk}
