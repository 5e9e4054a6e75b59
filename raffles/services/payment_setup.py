"""A raffle's payment methods and Pix data, as staff set them."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from raffles.audit import EventKind
from raffles.exceptions import InvalidInput
from raffles.models import Raffle
from raffles.payment_models import PaymentMethod, PaymentSetup, StatementMatching
from raffles.payments import pix
from raffles.services.actors import ActorLike
from raffles.services.events import log_event


def update_payment_setup(
    raffle: Raffle,
    *,
    methods: Sequence[str],
    pix_key: str = "",
    pix_merchant_name: str = "",
    pix_merchant_city: str = "",
    statement_matching: str = StatementMatching.AUTOMATIC,
    by: ActorLike = None,
) -> PaymentSetup:
    """Set the raffle's payment methods. Pix needs a raffle in reais and a valid key,
    merchant name and city (they go into every BR Code)."""
    chosen = [m for m in PaymentMethod.values if m in set(methods)]
    if not chosen or len(chosen) != len(set(methods)):
        raise InvalidInput("Choose at least one known payment method", field="methods")
    if statement_matching not in StatementMatching.values:
        raise InvalidInput("Statement matching is automatic or suggest", field="statement_matching")
    key = pix_key.strip()
    if PaymentMethod.PIX in chosen:
        if raffle.currency.upper() != pix.BRL:
            raise InvalidInput("Pix takes payments in reais (BRL) only", field="methods")
        try:
            who = pix.receiver(pix_key, pix_merchant_name, pix_merchant_city)
        except pix.PixError as exc:
            raise InvalidInput(f"Pix: {exc}", field="pix_key") from None
        key = who.key
    with transaction.atomic():
        setup, _created = PaymentSetup.objects.update_or_create(
            raffle=raffle,
            defaults={
                "methods": chosen,
                "pix_key": key,
                "pix_merchant_name": pix_merchant_name.strip()[: pix.MAX_NAME],
                "pix_merchant_city": pix_merchant_city.strip()[: pix.MAX_CITY],
                "statement_matching": statement_matching,
            },
        )
        log_event(
            kind=EventKind.PAYMENT_SETUP_CHANGED,
            by=by,
            raffle=raffle,
            methods=chosen,
            pix_key=key,
            statement_matching=statement_matching,
        )
    return setup
