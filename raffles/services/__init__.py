"""The only way to write to the raffle domain. Typed, keyword arguments, one transaction."""

from raffles.services.actors import Actor, as_actor
from raffles.services.buyers import (
    add_phone_if_missing,
    change_phone,
    create_buyer_without_phone,
    get_or_create_buyer,
    mark_has_channel,
    normalize_phone,
)
from raffles.services.claims import (
    mark_claim_notified,
    register_claim,
    update_claim,
)
from raffles.services.draws import (
    DrawCheck,
    create_commitment,
    draw_raffle,
    freeze_entries,
    pending_orders,
    verify_draw,
)
from raffles.services.events import log_event
from raffles.services.orders import (
    attach_payment_proof,
    cancel_order,
    confirm_paid,
    reject_payment,
    reserve_replacing,
)
from raffles.services.prize_photos import prize_photo_bytes, set_prize_photo
from raffles.services.raffles import (
    activate_raffle,
    close_raffle,
    create_raffle,
    delete_raffle,
    generate_tickets,
    start_ticket_generation,
    update_raffle,
)
from raffles.services.reservations import (
    expire_reservations,
    nearest_free,
    release_order_reservations,
    reserve_random,
    reserve_specific,
    send_expiry_reminders,
)
from raffles.services.sales import (
    SaleBuyer,
    block_numbers,
    confirm_held,
    pick_free_numbers,
    release_held,
    sell_offline,
    unblock_numbers,
)

__all__ = [
    "Actor",
    "DrawCheck",
    "SaleBuyer",
    "activate_raffle",
    "add_phone_if_missing",
    "as_actor",
    "attach_payment_proof",
    "block_numbers",
    "cancel_order",
    "change_phone",
    "close_raffle",
    "confirm_held",
    "confirm_paid",
    "create_buyer_without_phone",
    "create_commitment",
    "create_raffle",
    "delete_raffle",
    "draw_raffle",
    "expire_reservations",
    "freeze_entries",
    "generate_tickets",
    "get_or_create_buyer",
    "log_event",
    "mark_claim_notified",
    "mark_has_channel",
    "nearest_free",
    "normalize_phone",
    "pending_orders",
    "pick_free_numbers",
    "prize_photo_bytes",
    "register_claim",
    "reject_payment",
    "release_held",
    "release_order_reservations",
    "reserve_random",
    "reserve_replacing",
    "reserve_specific",
    "sell_offline",
    "send_expiry_reminders",
    "set_prize_photo",
    "start_ticket_generation",
    "unblock_numbers",
    "update_claim",
    "update_raffle",
    "verify_draw",
]
