"""Payment links: a provider's checkout per order, and what its notifications do.

Every verified notification is stored first (`record_notification`), then processed
(`process_notification`): the payment is fetched back from the provider's API and acted on
once per (payment, status): approved for the order's exact amount and currency confirms it
(`confirm_paid`, which also takes back the numbers of an expired hold when they are still
free); anything that cannot be confirmed, and refunds or charge-backs, is flagged for staff
in the audit log.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from raffles.audit import EventKind
from raffles.exceptions import NumbersNoLongerAvailable, RaffleError
from raffles.models import (
    CheckoutLink,
    LinkFlag,
    LinkPayment,
    Order,
    PaymentNotification,
)
from raffles.payments.provider import (
    CheckoutRequest,
    Notification,
    PaymentProvider,
    PaymentState,
    ProviderError,
    ProviderPayment,
    get_provider,
)
from raffles.selectors import takes_payment_links
from raffles.services.actors import Actor, ActorLike, as_actor
from raffles.services.events import log_event
from raffles.services.orders import confirm_paid

Outcome = LinkPayment.Outcome
logger = logging.getLogger(__name__)


def notification_url(provider: str) -> str:
    path = reverse("raffles:payment-webhook", kwargs={"provider": provider})
    return f"{settings.PUBLIC_BASE_URL}{path}"


def checkout_link(order: Order, provider: PaymentProvider | None = None) -> str:
    """The link where the buyer pays this order ("" when its raffle takes no payment links
    or the order is no longer waiting for payment). Made once per order and amount (a coupon
    applied afterwards makes it again for the new total); raises `ProviderError` when the
    provider cannot make it."""
    if not order.is_waiting_payment or not takes_payment_links(order):
        return ""
    provider = provider or get_provider()
    existing = CheckoutLink.objects.filter(order=order, provider=provider.name).first()
    if existing is not None and existing.amount == order.total_amount:
        return existing.url
    raffle = order.raffle
    checkout = provider.create_checkout(
        CheckoutRequest(
            reference=order.code,
            title=f"{raffle.title} ({order.code})",
            quantity=1,
            unit_price=order.total_amount,
            currency=raffle.currency,
            notification_url=notification_url(provider.name),
            expires_at=order.expires_at,
        )
    )
    made = {
        "ref": checkout.ref,
        "url": checkout.url,
        "expires_at": order.expires_at,
        "amount": order.total_amount,
    }
    if existing is not None:  # the total changed since: the new checkout replaces the old
        CheckoutLink.objects.filter(pk=existing.pk).update(**made)
        return checkout.url
    link, _ = CheckoutLink.objects.get_or_create(order=order, provider=provider.name, defaults=made)
    return link.url


def record_notification(
    provider: str, notification: Notification, body: bytes
) -> tuple[PaymentNotification, bool]:
    """Store a verified notification; (row, False) when this request was stored before."""
    request_id = notification.request_id or hashlib.sha256(body).hexdigest()[:64]
    try:
        with transaction.atomic():
            return PaymentNotification.objects.get_or_create(
                provider=provider,
                request_id=request_id,
                defaults={
                    "payment_id": notification.payment_id,
                    "body": body.decode("utf-8", "replace")[:10_000],
                },
            )
    except IntegrityError:  # the same request, stored by a concurrent delivery
        return PaymentNotification.objects.get(provider=provider, request_id=request_id), False


def process_notification(
    notification_id: int, provider: PaymentProvider | None = None
) -> LinkPayment | None:
    """Fetch the notified payment back and act on it (idempotent)."""
    row = PaymentNotification.objects.get(pk=notification_id)
    provider = provider or get_provider(row.provider)
    payment = provider.fetch_payment(row.payment_id)
    result = apply_payment(provider, payment)
    PaymentNotification.objects.filter(pk=row.pk).update(processed_at=timezone.now())
    return result


def process_waiting_notifications(
    *, older_than: timedelta = timedelta(minutes=1), limit: int = 100
) -> int:
    """Process again the notifications stored but not processed for a while (the provider's
    API failed or a worker died); returns how many were processed now."""
    before = timezone.now() - older_than
    waiting = PaymentNotification.objects.filter(
        processed_at__isnull=True, received_at__lte=before
    ).order_by("received_at")[:limit]
    done = 0
    for row in waiting:
        try:
            process_notification(row.pk)
        except ProviderError:
            logger.warning("payment notification %s still not processed", row.pk, exc_info=True)
            continue
        done += 1
    return done


def _flag(order: Order, payment: ProviderPayment, reason: str, provider: str, flag: str) -> None:
    log_event(
        kind=EventKind.PAYMENT_FLAGGED,
        by=Actor.system(provider),
        order=order,
        payment_id=payment.id,
        status=payment.status,
        amount=str(payment.amount),
        currency=payment.currency,
        reason=reason,
        flag=flag,
    )


def _decide(
    provider: PaymentProvider, payment: ProviderPayment, order: Order
) -> tuple[str, str, str]:
    """(outcome, reason, flag) for one payment of one order; confirms or flags it."""
    state = provider.state_of(payment.status)
    if state == PaymentState.PENDING:
        return Outcome.WAITING, "", ""
    if state == PaymentState.REJECTED:
        return Outcome.REJECTED, "", ""
    if state == PaymentState.REVERSED:
        reason = f"payment {payment.status}: check the order"
        flag = {"refunded": LinkFlag.REFUNDED, "charged_back": LinkFlag.CHARGED_BACK}.get(
            payment.status, LinkFlag.REVERSED
        )
        _flag(order, payment, reason, provider.name, flag)
        return Outcome.FLAGGED, reason, flag
    expected = (order.total_amount, order.raffle.currency)
    if (payment.amount.quantize(Decimal("0.01")), payment.currency) != expected:
        reason = (
            f"paid {payment.amount} {payment.currency}, expected {expected[0]} {expected[1]}: "
            "refund or settle by hand"
        )
        _flag(order, payment, reason, provider.name, LinkFlag.WRONG_AMOUNT)
        return Outcome.FLAGGED, reason, LinkFlag.WRONG_AMOUNT
    if order.is_paid:
        reason = "order already paid: refund this payment"
        _flag(order, payment, reason, provider.name, LinkFlag.ALREADY_PAID)
        return Outcome.FLAGGED, reason, LinkFlag.ALREADY_PAID
    try:
        confirm_paid(order, by=Actor.system(provider.name))
    except RaffleError as exc:
        reason = f"could not confirm ({exc}): refund this payment"
        gone = isinstance(exc, NumbersNoLongerAvailable)
        flag = LinkFlag.NUMBERS_GONE if gone else LinkFlag.NOT_CONFIRMED
        _flag(order, payment, reason, provider.name, flag)
        return Outcome.FLAGGED, reason, flag
    return Outcome.CONFIRMED, "", ""


def apply_payment(provider: PaymentProvider, payment: ProviderPayment) -> LinkPayment | None:
    """Act once on a payment in this status; None when it was acted on before."""
    order = Order.objects.select_related("raffle").filter(code=payment.external_reference).first()
    try:
        with transaction.atomic():
            record = LinkPayment.objects.create(
                provider=provider.name,
                payment_id=payment.id,
                status=payment.status,
                order=order,
                amount=payment.amount,
                currency=payment.currency[:3],
                outcome=Outcome.FLAGGED,
                reason="no order with this reference",
                flag=LinkFlag.NO_ORDER,
            )
            if order is not None:
                record.outcome, record.reason, record.flag = _decide(provider, payment, order)
                record.save(update_fields=["outcome", "reason", "flag"])
    except IntegrityError:
        return None
    return record


def mark_link_payment_handled(payment: LinkPayment, *, by: ActorLike = None) -> LinkPayment:
    """Staff dealt with a flagged payment (refunded it, settled it by hand): it leaves the
    list. Marking one already handled changes nothing."""
    now = timezone.now()
    with transaction.atomic():
        won = LinkPayment.objects.filter(
            pk=payment.pk, outcome=Outcome.FLAGGED, handled_at__isnull=True
        ).update(handled_at=now, handled_by=as_actor(by).user)
        if won:
            log_event(
                kind=EventKind.PAYMENT_FLAG_HANDLED,
                by=by,
                order=payment.order,
                payment_id=payment.payment_id,
                status=payment.status,
                flag=payment.flag,
            )
    payment.refresh_from_db()
    return payment
