"""What the pure core asks the runner to do. Domain effects have a result the core must see
(`machine.settle`); the others only change the contact."""

from __future__ import annotations

from dataclasses import dataclass

from messaging.bot.flow.events import Media


@dataclass(frozen=True)
class Reserve:
    raffle_id: int
    numbers: tuple[int, ...] = ()  # specific numbers, or
    qty: int = 0  # this many at random
    replace: str = ""  # an unconfirmed order of this buyer to release first (same raffle)
    add: bool = False  # the buyer chose *Add another order* next to the ones she holds
    confirm: bool = False  # ask *Confirm* before the payment details: the request was ambiguous


@dataclass(frozen=True)
class Cancel:
    code: str


@dataclass(frozen=True)
class AttachProof:
    code: str
    media: Media


@dataclass(frozen=True)
class ApplyCoupon:
    """Take a coupon off an order waiting for payment (`services.pricing.apply_coupon`)."""

    code: str  # the order
    coupon: str  # as the buyer typed it


@dataclass(frozen=True)
class PauseBot:
    """Hand the conversation to a person: the bot stays quiet until staff resume it."""


@dataclass(frozen=True)
class ResumeBot:
    """The buyer goes back to the bot: the handover to a person ends."""


@dataclass(frozen=True)
class OptOut:
    """The buyer asked for no more news or promotions (messages about her orders go on), or,
    with `opted_out=False`, for them again."""

    opted_out: bool = True


@dataclass(frozen=True)
class ClaimPrize:
    """The winner claims these prizes (claim ids) in her name."""

    claim_ids: tuple[int, ...]
    name: str = ""


@dataclass(frozen=True)
class SetLanguage:
    code: str


DomainEffect = Reserve | Cancel | AttachProof | ApplyCoupon
Effect = DomainEffect | PauseBot | ResumeBot | SetLanguage | OptOut | ClaimPrize


class ProofUnreadable(Exception):
    """The media could not be fetched or is not a photo or PDF (the runner's result for an
    AttachProof whose file failed)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
