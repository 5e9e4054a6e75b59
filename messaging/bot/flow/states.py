"""The conversation's states and what each keeps in its context, and the rule that cleans
whatever was stored into a valid (state, context).

States (context keys):
    start                  main menu, nothing in progress   (want)
    browsing               the raffle list was shown        (page, want)
    raffle                 a raffle was picked              (raffle, ask, offer)
    confirm                numbers reserved, not confirmed  (raffle, order)
    payment                waiting for a proof              (raffle, order, qty)
    review                 proof sent, staff review it      (raffle, order)

`want` keeps a request typed before a raffle was chosen ("random 2" with several raffles on
sale): picking the raffle then reserves straight away. `qty` says the order in progress was
made with that many numbers at random (so the same request again is known as a repeat).
"""

from __future__ import annotations

from typing import Any

START = "start"
BROWSING = "browsing"
RAFFLE = "raffle"
CONFIRM = "confirm"
PAYMENT = "payment"
REVIEW = "review"
STATES = (START, BROWSING, RAFFLE, CONFIRM, PAYMENT, REVIEW)
ORDER_STATES = (CONFIRM, PAYMENT, REVIEW)
ALLOWED_KEYS: dict[str, frozenset[str]] = {
    START: frozenset({"want"}),
    BROWSING: frozenset({"page", "want"}),
    RAFFLE: frozenset({"raffle", "ask", "offer"}),
    CONFIRM: frozenset({"raffle", "order"}),
    PAYMENT: frozenset({"raffle", "order", "qty"}),
    REVIEW: frozenset({"raffle", "order"}),
}
PROOF_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
MAX_WANT = 100
MAX_OFFER = 20


def _int(value: Any, minimum: int = 0) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= minimum:
        return value
    return None


def _clean_want(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    qty = _int(value.get("qty"), 1)
    if qty is not None and set(value) == {"qty"}:
        return {"qty": qty}
    numbers = value.get("numbers")
    if (
        set(value) == {"numbers"}
        and isinstance(numbers, list)
        and 0 < len(numbers) <= MAX_WANT
        and all(_int(n) is not None for n in numbers)
    ):
        return {"numbers": list(numbers)}
    return None


def clean(state: Any, context: Any) -> tuple[str, dict[str, Any]]:
    """A valid (state, context) from whatever was stored: unknown parts are dropped, and a
    state missing what it needs falls back to `start`."""
    if state not in STATES or not isinstance(context, dict):
        return START, {}
    out: dict[str, Any] = {}
    raffle = _int(context.get("raffle"), 1)
    if raffle is not None:
        out["raffle"] = raffle
    order = context.get("order")
    if isinstance(order, str) and 0 < len(order) <= 12 and order.isalnum():
        out["order"] = order
    qty = _int(context.get("qty"), 1)
    if qty is not None:
        out["qty"] = qty
    page = _int(context.get("page"), 1)
    if page is not None:
        out["page"] = page
    if context.get("ask") in {"numbers", "qty"}:
        out["ask"] = context["ask"]
    offer = context.get("offer")
    if (
        isinstance(offer, list)
        and 0 < len(offer) <= MAX_OFFER
        and all(_int(n) is not None for n in offer)
    ):
        out["offer"] = list(offer)
    want = _clean_want(context.get("want"))
    if want is not None:
        out["want"] = want
    if state == RAFFLE and "raffle" not in out:
        return START, {}
    if state in ORDER_STATES and ("raffle" not in out or "order" not in out):
        return START, {}
    allowed = ALLOWED_KEYS[state]
    return state, {k: v for k, v in out.items() if k in allowed}


def is_valid(state: Any, context: Any) -> bool:
    return (state, context) == clean(state, context)
