"""Buyers applying a coupon from real threads, for the coupon race tests."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections

from raffles.exceptions import CouponUnusable
from raffles.models import Order
from raffles.services.pricing import apply_coupon


def coupon_applier(
    code: str, start: threading.Barrier, results: list[str]
) -> Callable[[Order], None]:
    """A thread's body: wait at `start`, apply `code` to the order, record "ok" or the
    refusal's reason (anything else as its repr, for the test to fail on)."""

    def apply(order: Order) -> None:
        try:
            start.wait()
            apply_coupon(order=order, code=code)
            results.append("ok")
        except CouponUnusable as exc:
            results.append(exc.reason)
        except Exception as exc:  # recorded and failed on by the test
            results.append(repr(exc))
        finally:
            connections.close_all()

    return apply
