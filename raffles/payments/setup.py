"""Reading a raffle's payment setup: its methods, and the Pix code of an order."""

from __future__ import annotations

from raffles.payment_models import PaymentMethod, PaymentSetup, StatementMatching
from raffles.payments import pix

__all__ = ["PaymentMethod", "StatementMatching", "pix_code_for", "setup_of"]


def setup_of(raffle: object) -> PaymentSetup:
    """The raffle's setup, or the default (bank transfer, automatic matching) unsaved."""
    try:
        setup = raffle.payment_setup  # type: ignore[attr-defined]
    except PaymentSetup.DoesNotExist:
        setup = None
    if setup is None:
        return PaymentSetup(raffle=raffle)  # type: ignore[misc]
    return setup  # type: ignore[no-any-return]


def pix_code_for(order: object) -> str:
    """The order's Pix copy-and-paste text, when its raffle takes Pix in reais and its Pix
    data is complete; else "". Reads `order.raffle.payment_setup` (select it with the order)."""
    raffle = order.raffle  # type: ignore[attr-defined]
    setup = setup_of(raffle)
    if not setup.accepts(PaymentMethod.PIX) or raffle.currency.upper() != pix.BRL:
        return ""
    try:
        return pix.br_code(
            key=setup.pix_key,
            name=setup.pix_merchant_name,
            city=setup.pix_merchant_city,
            amount=order.total_amount,  # type: ignore[attr-defined]
            code=order.code,  # type: ignore[attr-defined]
        )
    except pix.PixError:
        return ""
