"""/api/raffles/: raffles, their numbers and their lifecycle. Thin: services do the work."""

from typing import cast

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from raffles import selectors, services
from raffles.api.common import Pagination, actor, id_path, read, write
from raffles.api.schemas import (
    AvailabilityOut,
    GenerationOut,
    GenerationStatus,
    OrderDetailOut,
    RaffleCreate,
    RaffleFilters,
    RaffleOut,
    RafflePatch,
    SaleIn,
    TicketFilters,
    TicketOut,
)
from raffles.exceptions import (
    InvalidInput,
    NumbersOutOfRange,
    QuantityOutOfBounds,
    RaffleNotFound,
)
from raffles.models import Order, Raffle, TicketNumber

router = Router(tags=["raffles"])

RaffleId = id_path("Raffle id.")


def _raffle(raffle_id: int) -> Raffle:
    raffle = selectors.raffle_by_id(raffle_id)
    if raffle is None:
        raise RaffleNotFound(f"Raffle {raffle_id} does not exist")
    return raffle


@router.get("/", response=read(list[RaffleOut]))
@paginate(Pagination)
def list_raffles(request: HttpRequest, filters: Query[RaffleFilters]) -> QuerySet[Raffle]:
    """Raffles, newest first, archived ones left out. `?is_active=true`: only those selling
    now; `?archived=true`: the archived ones."""
    return selectors.raffles_listed(
        status=filters.status, selling=filters.is_active, archived=filters.archived
    )


@router.post("/", response=write(RaffleOut, status=201))
def create_raffle(request: HttpRequest, payload: RaffleCreate) -> Status[Raffle]:
    """Create a draft raffle. Generate its numbers, then activate it to start selling."""
    raffle = services.create_raffle(by=actor(request), **payload.model_dump())
    return Status(201, raffle)


@router.get("/{raffle_id}/", response=read(RaffleOut, 404))
def get_raffle(request: HttpRequest, raffle_id: int = RaffleId) -> Raffle:
    return _raffle(raffle_id)


@router.put("/{raffle_id}/", response=write(RaffleOut, 404, 409))
def replace_raffle(
    request: HttpRequest, payload: RaffleCreate, raffle_id: int = RaffleId
) -> Raffle:
    """Replace every editable field (those left out take their defaults)."""
    return services.update_raffle(
        raffle=_raffle(raffle_id), by=actor(request), **payload.model_dump()
    )


@router.patch("/{raffle_id}/", response=write(RaffleOut, 404, 409))
def update_raffle(request: HttpRequest, payload: RafflePatch, raffle_id: int = RaffleId) -> Raffle:
    """Change the fields sent. The number range cannot change once numbers exist."""
    return services.update_raffle(
        raffle=_raffle(raffle_id), by=actor(request), **payload.model_dump(exclude_unset=True)
    )


@router.delete("/{raffle_id}/", response=write(None, 404, 409, status=204))
def delete_raffle(request: HttpRequest, raffle_id: int = RaffleId) -> Status[None]:
    """Delete a raffle nobody bought from (409 `raffle_has_sales` otherwise: archive it)."""
    services.delete_raffle(raffle=_raffle(raffle_id), by=actor(request))
    return Status(204, None)


@router.post(
    "/{raffle_id}/generate-tickets/",
    response={**write(GenerationOut, 404, 409), 202: GenerationOut},
)
def generate_tickets(request: HttpRequest, raffle_id: int = RaffleId) -> Status[GenerationOut]:
    """Create the raffle's numbers: at once for small ranges (200), in a background task
    for big ones (202; follow `generation_status` and `generated_count`)."""
    raffle = _raffle(raffle_id)
    ready = services.start_ticket_generation(raffle=raffle, by=actor(request))
    raffle.refresh_from_db()
    return Status(
        200 if ready else 202, GenerationOut(ready=ready, raffle=RaffleOut.model_validate(raffle))
    )


@router.post("/{raffle_id}/activate/", response=write(RaffleOut, 404, 409))
def activate_raffle(request: HttpRequest, raffle_id: int = RaffleId) -> Raffle:
    """Start selling (the numbers must exist)."""
    return services.activate_raffle(raffle=_raffle(raffle_id), by=actor(request))


@router.post("/{raffle_id}/close/", response=write(RaffleOut, 404, 409))
def close_raffle(request: HttpRequest, raffle_id: int = RaffleId) -> Raffle:
    """Stop sales. Orders already waiting for payment can still be confirmed."""
    return services.close_raffle(_raffle(raffle_id), by=actor(request))


@router.post("/{raffle_id}/archive/", response=write(RaffleOut, 404))
def archive_raffle(request: HttpRequest, raffle_id: int = RaffleId) -> Raffle:
    """Hide the raffle from lists and the bot, keeping it with its orders for the records; a
    raffle selling numbers stops selling. Idempotent."""
    return services.archive_raffle(raffle=_raffle(raffle_id), by=actor(request))


@router.post("/{raffle_id}/restore/", response=write(RaffleOut, 404))
def restore_raffle(request: HttpRequest, raffle_id: int = RaffleId) -> Raffle:
    """List an archived raffle again, in the status it had (one that was selling stays
    closed). Idempotent."""
    return services.restore_raffle(raffle=_raffle(raffle_id), by=actor(request))


@router.post("/{raffle_id}/sales/", response=write(OrderDetailOut, 404, 409, status=201))
def sell_tickets(request: HttpRequest, payload: SaleIn, raffle_id: int = RaffleId) -> Status[Order]:
    """Record a sale made by staff: exactly these numbers to this buyer, all or nothing
    (409 names the taken numbers). A `coupon` is applied as to a buyer's order; an unknown
    code (404 coupon_not_found) or one disabled, expired or used up (409 coupon_unusable)
    refuses the sale. Paid sales are confirmed at once and the buyer gets her receipt on
    WhatsApp if she has a contact; reserved ones are held until confirmed."""
    try:
        order = services.sell_offline(
            raffle=_raffle(raffle_id),
            numbers=payload.numbers,
            buyer=services.SaleBuyer(name=payload.buyer_name, phone=payload.buyer_phone),
            paid=payload.paid,
            method=payload.method,
            note=payload.note,
            coupon=payload.coupon,
            by=actor(request),
        )
    except (NumbersOutOfRange, QuantityOutOfBounds) as exc:
        # Each number is valid alone; together with this raffle (its range, its most per
        # order) they are not: a rule across fields.
        raise InvalidInput(str(exc), field="numbers", conflicts_with=["raffle_id"]) from exc
    detail = selectors.order_detail(order.pk)
    return Status(201, detail or order)


@router.get("/{raffle_id}/availability/", response=read(AvailabilityOut, 404))
def raffle_availability(request: HttpRequest, raffle_id: int = RaffleId) -> AvailabilityOut:
    """Counts and the free numbers as ranges: what a website needs to show a ticket grid."""
    raffle = _raffle(raffle_id)
    now = timezone.now()
    counts = selectors.raffle_counts(raffle, now)
    return AvailabilityOut(
        raffle_id=raffle.pk,
        min_number=raffle.min_number,
        max_number=raffle.max_number,
        number_width=raffle.number_width,
        # The column holds one of its choices (the schema validates it again).
        generation_status=cast(GenerationStatus, raffle.generation_status),
        total=counts.total,
        available=counts.available,
        reserved=counts.reserved,
        sold=counts.sold,
        available_ranges=selectors.available_ranges(raffle, counts, now),
        as_of=now,
    )


@router.get("/{raffle_id}/tickets/", response=read(list[TicketOut], 404))
@paginate(Pagination)
def list_tickets(
    request: HttpRequest, filters: Query[TicketFilters], raffle_id: int = RaffleId
) -> QuerySet[TicketNumber]:
    """The raffle's numbers in order, with their status as a buyer would see it."""
    return selectors.raffle_tickets(
        _raffle(raffle_id),
        number_min=filters.number_min,
        number_max=filters.number_max,
        showing_as=filters.status,
    )
