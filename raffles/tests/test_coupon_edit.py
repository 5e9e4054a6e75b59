"""Editing a coupon: its usage limit and its end date change, its code and discount never do;
the limit can never go below the uses already counted, even against buyers applying it at
the same moment (real threads)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import timezone

from raffles import services
from raffles.exceptions import CouponUnusable, InvalidInput
from raffles.models import Coupon, Order, OrderEvent
from raffles.services.pricing import (
    apply_coupon,
    create_coupon,
    set_coupon_active,
    update_coupon,
)
from raffles.tests.coupon_threads import coupon_applier
from raffles.tests.factories import BuyerFactory, make_raffle

pytestmark = pytest.mark.django_db


def test_extend_the_end_date_of_an_expired_coupon(raffle, buyer):
    coupon = create_coupon(
        raffle=raffle, code="WEEK", kind="percent", value="10", ends_at=timezone.now()
    )
    order = services.reserve_specific(raffle.pk, [1], buyer)
    with pytest.raises(CouponUnusable) as err:
        apply_coupon(order=order, code="week")
    assert err.value.reason == "expired"
    later = timezone.now() + timedelta(days=7)
    edited = update_coupon(coupon=coupon, ends_at=later)
    assert (edited.ends_at, edited.max_uses) == (later, None)
    assert apply_coupon(order=order, code="week").coupon_code == "WEEK"


def test_raise_the_limit_and_the_next_use_succeeds(raffle, buyer, other_buyer):
    coupon = create_coupon(raffle=raffle, code="ONCE", kind="fixed", value="2", max_uses=1)
    apply_coupon(order=services.reserve_specific(raffle.pk, [1], buyer), code="once")
    second = services.reserve_specific(raffle.pk, [2], other_buyer)
    with pytest.raises(CouponUnusable) as err:
        apply_coupon(order=second, code="once")
    assert err.value.reason == "used_up"
    edited = update_coupon(coupon=coupon, max_uses=2)
    assert (edited.max_uses, edited.used_count, edited.remaining) == (2, 1, 1)
    assert apply_coupon(order=second, code="once").coupon_discount == Decimal("2.00")
    assert Coupon.objects.get().used_count == 2


def test_a_limit_below_the_uses_is_refused(raffle, buyer, other_buyer):
    coupon = create_coupon(raffle=raffle, code="TWO", kind="fixed", value="1", max_uses=5)
    for number, who in ((1, buyer), (2, other_buyer)):
        apply_coupon(order=services.reserve_specific(raffle.pk, [number], who), code="two")
    with pytest.raises(InvalidInput) as err:
        update_coupon(coupon=coupon, max_uses=1)
    assert err.value.fields["field"] == "max_uses"
    assert "2" in err.value.message
    assert Coupon.objects.get().max_uses == 5
    assert update_coupon(coupon=coupon, max_uses=2).remaining == 0  # as many as used: fine


@pytest.mark.parametrize("bad", [0, -3, 2_000_000_001, True])
def test_a_limit_is_a_whole_number_from_one(raffle, bad):
    coupon = create_coupon(raffle=raffle, code="L", kind="fixed", value="1", max_uses=5)
    with pytest.raises(InvalidInput) as err:
        update_coupon(coupon=coupon, max_uses=bad)
    assert err.value.fields["field"] == "max_uses"
    assert Coupon.objects.get().max_uses == 5


def test_none_clears_the_limit_and_the_end_date_and_unset_keeps_them(raffle):
    ends = timezone.now() + timedelta(days=2)
    coupon = create_coupon(
        raffle=raffle, code="KEEP", kind="fixed", value="1", max_uses=5, ends_at=ends
    )
    assert update_coupon(coupon=coupon, max_uses=9).ends_at == ends
    assert update_coupon(coupon=coupon, ends_at=None).max_uses == 9
    cleared = update_coupon(coupon=coupon, max_uses=None)
    assert (cleared.max_uses, cleared.ends_at, cleared.remaining) == (None, None, None)


def test_a_past_end_date_ends_the_coupon_as_on_creation(raffle, buyer):
    """create_coupon takes a past end date (the coupon is expired from then on); editing
    follows the same rule, so buyers are told the coupon has expired."""
    coupon = create_coupon(raffle=raffle, code="NOW", kind="fixed", value="1")
    update_coupon(coupon=coupon, ends_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(CouponUnusable) as err:
        apply_coupon(order=services.reserve_specific(raffle.pk, [1], buyer), code="now")
    assert err.value.reason == "expired"


@pytest.mark.parametrize(
    "bad",
    [datetime(2030, 1, 1, 12, 0), datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC)],
)
def test_an_end_date_needs_its_zone_and_a_sane_year(raffle, bad):
    coupon = create_coupon(raffle=raffle, code="Z", kind="fixed", value="1")
    with pytest.raises(InvalidInput) as err:
        update_coupon(coupon=coupon, ends_at=bad)
    assert err.value.fields["field"] == "ends_at"
    with pytest.raises(InvalidInput):
        create_coupon(raffle=raffle, code="Z2", kind="fixed", value="1", ends_at=bad)


def test_a_disabled_coupon_edited_stays_disabled(raffle, buyer):
    coupon = create_coupon(raffle=raffle, code="OFF", kind="fixed", value="1", max_uses=1)
    set_coupon_active(coupon=coupon, active=False)
    edited = update_coupon(coupon=coupon, max_uses=10, ends_at=None)
    assert (edited.active, edited.max_uses) == (False, 10)
    with pytest.raises(CouponUnusable) as err:
        apply_coupon(order=services.reserve_specific(raffle.pk, [1], buyer), code="off")
    assert err.value.reason == "disabled"


def test_the_code_and_the_discount_never_change(raffle):
    coupon = create_coupon(raffle=raffle, code="SAME", kind="percent", value="15")
    with pytest.raises(TypeError):
        update_coupon(coupon=coupon, value="50")  # type: ignore[call-arg]
    update_coupon(coupon=coupon, max_uses=3)
    stored = Coupon.objects.get()
    assert (stored.code, stored.kind, stored.value) == ("SAME", "percent", Decimal("15.00"))


def test_an_edit_is_audited_with_what_changed(raffle, staff_user):
    ends = timezone.now() + timedelta(days=1)
    coupon = create_coupon(raffle=raffle, code="LOG", kind="fixed", value="1", max_uses=50)
    update_coupon(coupon=coupon, max_uses=100, ends_at=ends, by=staff_user)
    event = OrderEvent.objects.filter(kind="coupon_changed").get()
    assert event.raffle_id == raffle.pk
    assert event.actor_user == staff_user
    assert event.details["code"] == "LOG"
    assert event.details["max_uses"] == 100
    assert event.details["ends_at"] == ends.isoformat()
    assert event.details["before"] == {"max_uses": 50, "ends_at": None}
    update_coupon(coupon=coupon, max_uses=100)  # nothing changes: nothing to record
    update_coupon(coupon=coupon)
    assert OrderEvent.objects.filter(kind="coupon_changed").count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("start", "new"), [(3, 6), (10, 4)], ids=["raise", "lower"])
def test_a_limit_edit_racing_buyers_never_passes_the_limit(start: int, new: int) -> None:
    """Ten buyers apply a coupon at the same moment as an organizer raises or lowers its
    limit: whatever the order, the uses never pass the limit in force, the coupon's count is
    the orders that carry it, and a lowering is refused only when more were already used."""
    raffle = make_raffle(size=50)
    create_coupon(raffle=raffle, code="RACE", kind="percent", value="10", max_uses=start)
    coupon = Coupon.objects.get()
    orders = [services.reserve_specific(raffle.pk, [n], BuyerFactory()) for n in range(10)]
    start_line = threading.Barrier(len(orders) + 1)
    results: list[str] = []
    edit: list[str] = []

    apply = coupon_applier("race", start_line, results)

    def change() -> None:
        try:
            start_line.wait()
            update_coupon(coupon=coupon, max_uses=new)
            edit.append("ok")
        except InvalidInput as exc:
            edit.append(str(exc.fields.get("field")))
        except Exception as exc:  # recorded and failed on below
            edit.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=apply, args=(o,)) for o in orders]
    threads.append(threading.Thread(target=change))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = Coupon.objects.get()
    used = results.count("ok")
    assert sorted(set(results) - {"ok", "used_up"}) == []
    assert edit in (["ok"], ["max_uses"])
    assert stored.used_count == used == Order.objects.filter(coupon=stored).count()
    assert stored.used_count <= stored.max_uses
    if edit == ["ok"]:
        assert stored.max_uses == new
        assert used == min(len(orders), new) or (new > start and used >= start)
    else:  # lowering refused: more than `new` were used before it, and the old limit stood
        assert new < start
        assert (stored.max_uses, used) == (start, min(len(orders), start))
