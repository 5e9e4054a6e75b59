"""Domain signals. Sent inside the service's transaction, so receivers (messaging's outbox)
write in the same transaction as the change. Every signal passes `order` (and `raffle`)."""

from django.dispatch import Signal

order_reserved = Signal()  # order
order_expiring_soon = Signal()  # order
order_expired = Signal()  # order
proof_received = Signal()  # order, proof
order_paid = Signal()  # order
payment_rejected = Signal()  # order, proof, reason
order_cancelled = Signal()  # order, by_buyer: bool
raffle_drawn = Signal()  # raffle
early_draw_drawn = Signal()  # raffle, early_draw
