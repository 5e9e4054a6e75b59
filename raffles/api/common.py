"""What every router of the API shares: input types that can never crash the database,
the one pagination, the error responses to document, and who is calling.

Lives in raffles (the app that defines the error shape, `RaffleError.to_dict()`), so that
raffles needs no other project package; messaging's router and config import it from here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Path, Schema
from ninja.pagination import PageNumberPagination
from pydantic import AfterValidator, ConfigDict

from raffles.services import Actor, as_actor

# Largest id a BigAutoField holds; bigger ids are refused as invalid input (422).
MAX_ID = 2**63 - 1
# Largest whole number a raffle field takes (the domain refuses more than 2,000,000,000).
MAX_INT = 2_000_000_000
MAX_PAGE = 100_000
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _clean_text(value: str) -> str:
    """Refuse what no database column can store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _clean_datetime(value: datetime) -> datetime:
    """Naive values are read in the site's time zone; years outside 1900-9000 are refused
    (they overflow when converted to UTC by the database layer)."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    try:
        in_utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("is out of range") from None
    if not 1900 <= in_utc.year <= 9000:
        raise ValueError("must be between the years 1900 and 9000")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
DateTime = Annotated[datetime, AfterValidator(_clean_datetime)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def id_path(description: str) -> Any:
    return Path(..., ge=1, le=MAX_ID, description=description)


class Pagination(PageNumberPagination):
    """`?page=1&page_size=50` (at most 500). Answers `{"items": [...], "count": N,
    "page": P, "page_size": S}`: `count` is the total number of matching items."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
        page_size: int = Field(
            PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page (at most 500)."
        )

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any
    ) -> Any:
        size = pagination.page_size
        offset = (pagination.page - 1) * size
        return {
            "items": queryset[offset : offset + size],
            "count": self._items_count(queryset),
            "page": pagination.page,
            "page_size": size,
        }


class FieldError(Schema):
    loc: list[str | int] = Field(description="Where: e.g. ['body', 'payload', 'title'].")
    msg: str
    type: str


class Error(Schema):
    """Every failure has this shape: a message for people, a stable `code` for programs,
    and, depending on the code, structured fields (`errors` for invalid input, `taken`
    and `alternatives` for numbers_taken, …)."""

    model_config = ConfigDict(extra="allow")

    detail: str = Field(description="What went wrong, for people.")
    code: str = Field(description="Stable machine-readable code, e.g. invalid, not_found.")
    errors: list[FieldError] | None = Field(
        None, description="Invalid input (code `invalid`): one entry per bad field."
    )


# Which error statuses each kind of operation can answer; documented in the OpenAPI.
READ_ERRORS = (401, 422, 429)
WRITE_ERRORS = (400, 401, 403, 422, 429)


def errors(*statuses: int) -> dict[int, type[Error]]:
    return dict.fromkeys(statuses, Error)


def read(ok: Any, *extra: int) -> dict[Any, Any]:
    """Responses of a read operation: `ok` for 200 and the error schema for the rest."""
    return {200: ok, **errors(*READ_ERRORS, *extra)}


def write(ok: Any, *extra: int, status: int = 200) -> dict[Any, Any]:
    """Responses of a write operation (read-only keys get 403, rule conflicts 409)."""
    return {status: ok, **errors(*WRITE_ERRORS, *extra)}


def actor(request: HttpRequest) -> Actor:
    """Who is calling, as recorded on every write: the API key or the staff user.

    The API's authentication (config/api_auth.py) puts an Actor on `request.auth`."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, Actor) else as_actor(auth)
