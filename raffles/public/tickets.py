"""E-ticket links: the order's id signed with the secret key and a salt of their own, so a
link can be neither forged nor found by counting. The link is the only way to the page."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from raffles.models import Order, Raffle

SALT = "raffles.public.e-ticket"


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)  # no timestamp: one order, one stable link


def ticket_token(order: Order) -> str:
    return _signer().sign_object([order.pk, order.code])


def order_for_token(raffle: Raffle, token: str) -> Order | None:
    """The raffle's order the token was made for, or None (bad signature, other raffle)."""
    try:
        value = _signer().unsign_object(token)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        return None
    return (
        Order.objects.filter(pk=value[0], code=value[1], raffle=raffle)
        .select_related("raffle", "buyer")
        .first()
    )


def ticket_path(order: Order) -> str:
    return reverse(
        "raffles-public:ticket",
        kwargs={"ref": order.raffle.public_id, "token": ticket_token(order)},
    )


def ticket_url(order: Order) -> str:
    """The absolute e-ticket link (for the WhatsApp receipt's button)."""
    return settings.PUBLIC_BASE_URL + ticket_path(order)


def ticket_button_suffix(order: Order) -> str:
    """What follows PUBLIC_BASE_URL + "/raffles/" in a template URL button for the e-ticket."""
    return f"{order.raffle.public_id}/ticket/{ticket_token(order)}/"
