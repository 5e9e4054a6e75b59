"""What every router of the API shares: input types that can never crash the database,
the one pagination, the error responses to document, and who is calling.

Lives in raffles (the app that defines the error shape, `RaffleError.to_dict()`), so that
raffles needs no other project package; messaging's router and config import it from here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from ninja.params.functions import Path
from pydantic import AfterValidator, BeforeValidator, ConfigDict, WithJsonSchema

from raffles.services import Actor, as_actor

# Largest id a BigAutoField holds; bigger ids are refused as invalid input (422).
MAX_ID = 2**63 - 1
# Largest whole number a raffle field takes (the domain refuses more than 2,000,000,000).
MAX_INT = 2_000_000_000
MAX_PAGE = 100_000
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


# White space as str.strip() sees it (the services strip what they store), and what no
# column can store (NUL), written out so that every regex dialect reads the same classes.
# Lone surrogates are refused too; no regex dialect can name them portably, and they are not
# Unicode text (RFC 8259 leaves their meaning undefined).
_SPACE = r"\t-\r\u001c- \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_UNSTORABLE = r"\u0000"
TEXT_PATTERN = rf"^[^{_UNSTORABLE}]*$"
NON_BLANK_PATTERN = rf"^[^{_UNSTORABLE}]*[^{_UNSTORABLE}{_SPACE}][^{_UNSTORABLE}]*$"


def _clean_text(value: str) -> str:
    """Refuse what no database column can store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


# What a date-time accepts, stated in the OpenAPI document and enforced by validation alike:
# RFC 3339 with a real calendar date from the year 1900 to 9000; the time (midnight), its
# seconds and the offset (the site's time zone) may be left out; up to 6 decimals.
_YEAR = r"(19[0-9]{2}|[2-8][0-9]{3}|9000)"
_LEAP_YEAR = r"((19|[2-8][0-9])(0[48]|[2468][048]|[13579][26])|([2468][048]|[357][26])00)"
_MONTH_DAY = (
    r"((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
    r"|02-(0[1-9]|1[0-9]|2[0-8]))"
)
DATETIME_PATTERN = (
    rf"^({_YEAR}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29)"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?)?$"
)
DATETIME_DESCRIPTION = (
    "RFC 3339 date-time, years 1900 to 9000, e.g. 2030-12-24T20:00:00Z. The seconds, the"
    " offset (then: the site's time zone) and the time (then: midnight) may be left out."
)
_DATETIME_RE = re.compile(DATETIME_PATTERN)


def _datetime_text(value: Any) -> Any:
    """Only the documented shape (no Unix timestamps, no other separators)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATETIME_RE.fullmatch(value):
        raise ValueError("must be a date-time like 2030-12-24T20:00:00Z, years 1900 to 9000")
    return value


def _clean_datetime(value: datetime) -> datetime:
    """Naive values are read in the site's time zone; the year is 1900 to 9000."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not 1900 <= value.year <= 9000:
        raise ValueError("must be between the years 1900 and 9000")
    try:
        value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ValueError("is out of range") from None
    return value


def _whole_number(value: Any) -> Any:
    """JSON Schema's `integer` includes 1.0: a float without a fraction is that integer.
    Anything else goes on to strict validation (true, "5" and 1.5 are refused)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def text_field(*, max_length: int | None = None, blank: bool = True) -> Any:
    """The constraints of text a column can store, up to `max_length` characters; with
    blank=False it must say something (a character that is not white space). They come
    before the validators, so that the OpenAPI document states them; the pattern is enforced
    by the validators (Python's own rules: CLEAN_TEXT, and NOT_BLANK with blank=False), and
    documented as the same classes."""
    return Field(
        min_length=None if blank else 1,
        max_length=max_length,
        json_schema_extra={"pattern": TEXT_PATTERN if blank else NON_BLANK_PATTERN},
    )


CLEAN_TEXT = AfterValidator(_clean_text)
NOT_BLANK = AfterValidator(_not_blank)


def text(*, max_length: int | None = None, blank: bool = True) -> Any:
    """The type of such text, built at run time (a checker sees Any: spell the alias out as
    `Annotated[str, text_field(...), CLEAN_TEXT]` where the type matters)."""
    if blank:
        return Annotated[str, text_field(max_length=max_length), CLEAN_TEXT]
    return Annotated[str, text_field(max_length=max_length, blank=False), CLEAN_TEXT, NOT_BLANK]


Text = Annotated[str, text_field(), CLEAN_TEXT]
DateTime = Annotated[
    datetime,
    AfterValidator(_clean_datetime),
    BeforeValidator(_datetime_text),
    WithJsonSchema(
        {"type": "string", "pattern": DATETIME_PATTERN, "description": DATETIME_DESCRIPTION}
    ),
]
# Whole numbers in JSON bodies: strict (true or "5" are refused), but 1.0 is 1. With bounds:
# Annotated[int, Field(strict=True, ge=..., le=...), TO_WHOLE_NUMBER].
TO_WHOLE_NUMBER = BeforeValidator(_whole_number)
WholeNumber = Annotated[int, Field(strict=True), TO_WHOLE_NUMBER]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def id_path(description: str) -> Any:
    return Path(..., ge=1, le=MAX_ID, description=description)


class Pagination(PageNumberPagination):
    """`?page=1&page_size=50` (at most 500). Answers `{"items": [...], "count": N,
    "page": P, "page_size": S}`: `count` is the total number of matching items."""

    class Input(PageNumberPagination.Input):
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
        self,
        queryset: QuerySet[Any],
        pagination: PageNumberPagination.Input,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        # Always our Input (a page_size from 1 to 500), whatever the base class declares.
        size = self._get_page_size(pagination.page_size)
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
        None, description="Invalid input (code `invalid`, 422): one entry per bad field."
    )
    field_errors: dict[str, str] | None = Field(
        None,
        description="A raffle's fields (code `invalid`, 400): every field's error at once,"
        " by field name; `field` and `detail` give the first.",
    )
    conflicts_with: list[str] | None = Field(
        None,
        description="A rule across fields (code `invalid`, 400): each field is valid alone,"
        " `field` does not go with these (e.g. max_number below min_number; `now` for a"
        " date that must not be in the past).",
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
