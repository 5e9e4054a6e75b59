"""The only way to write to the raffle domain. Typed, keyword arguments, one transaction."""

from raffles.services.actors import Actor, as_actor
from raffles.services.buyers import (
    add_phone_if_missing,
    change_phone,
    create_buyer_without_phone,
    fill_name_if_empty,
    get_or_create_buyer,
    mark_has_channel,
    normalize_phone,
)
from raffles.services.claims import (
    mark_claim_notified,
    register_claim,
    update_claim,
)
from raffles.services.draw_checks import DrawCheck, verify_draw, verify_early_draw
from raffles.services.draw_setup import set_draw_setup
from raffles.services.draws import (
    create_commitment,
    draw_raffle,
    freeze_entries,
    pending_orders,
)
from raffles.services.early_draws import create_early_draw, draw_early, freeze_early_draw
from raffles.services.events import log_event
from raffles.services.orders import (
    attach_payment_proof,
    cancel_order,
    confirm_paid,
    reject_payment,
    reserve_replacing,
)
from raffles.services.payment_links import (
    apply_payment,
    checkout_link,
    mark_link_payment_handled,
    process_notification,
    record_notification,
)
from raffles.services.payment_setup import update_payment_setup
from raffles.services.prize_photos import prize_photo_bytes, set_prize_photo
from raffles.services.raffle_records import archive_raffle, delete_raffle, restore_raffle
from raffles.services.raffles import (
    activate_raffle,
    close_raffle,
    create_raffle,
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
from raffles.services.reversals import (
    can_undo_confirmation,
    cancel_paid_order,
    record_refund,
    refund_left,
    refunded_amount,
    undo_confirmation,
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
from raffles.services.statements import (
    ImportResult,
    LineResult,
    assign_statement_line,
    discard_statement_line,
    import_statement,
    save_statement_mapping,
)

__all__ = [
    "Actor",
    "DrawCheck",
    "ImportResult",
    "LineResult",
    "SaleBuyer",
    "activate_raffle",
    "add_phone_if_missing",
    "apply_payment",
    "archive_raffle",
    "as_actor",
    "assign_statement_line",
    "attach_payment_proof",
    "block_numbers",
    "can_undo_confirmation",
    "cancel_order",
    "cancel_paid_order",
    "change_phone",
    "checkout_link",
    "close_raffle",
    "confirm_held",
    "confirm_paid",
    "create_buyer_without_phone",
    "create_commitment",
    "create_early_draw",
    "create_raffle",
    "delete_raffle",
    "discard_statement_line",
    "draw_early",
    "draw_raffle",
    "expire_reservations",
    "fill_name_if_empty",
    "freeze_early_draw",
    "freeze_entries",
    "generate_tickets",
    "get_or_create_buyer",
    "import_statement",
    "log_event",
    "mark_claim_notified",
    "mark_has_channel",
    "mark_link_payment_handled",
    "nearest_free",
    "normalize_phone",
    "pending_orders",
    "pick_free_numbers",
    "prize_photo_bytes",
    "process_notification",
    "record_notification",
    "record_refund",
    "refund_left",
    "refunded_amount",
    "register_claim",
    "reject_payment",
    "release_held",
    "release_order_reservations",
    "reserve_random",
    "reserve_replacing",
    "reserve_specific",
    "restore_raffle",
    "save_statement_mapping",
    "sell_offline",
    "send_expiry_reminders",
    "set_draw_setup",
    "set_prize_photo",
    "start_ticket_generation",
    "unblock_numbers",
    "undo_confirmation",
    "update_claim",
    "update_payment_setup",
    "update_raffle",
    "verify_draw",
    "verify_early_draw",
]
