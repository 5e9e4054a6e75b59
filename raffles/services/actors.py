"""Who did something: staff user, buyer, the system or an API key. Recorded on every event."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from raffles.models import Buyer, OrderEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


@dataclass(frozen=True)
class Actor:
    type: str
    user: AbstractBaseUser | None = None
    label: str = ""

    @classmethod
    def staff(cls, user: AbstractBaseUser) -> Actor:
        return cls(OrderEvent.Actor.STAFF, user, str(user.get_username()))

    @classmethod
    def buyer(cls, buyer: Buyer) -> Actor:
        return cls(OrderEvent.Actor.BUYER, None, buyer.label)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(OrderEvent.Actor.SYSTEM, None, label)

    @classmethod
    def api(cls, key_name: str, user: AbstractBaseUser | None = None) -> Actor:
        return cls(OrderEvent.Actor.API, user, key_name)


ActorLike = Actor | Buyer | Any | None  # Any: a Django user


def as_actor(by: ActorLike) -> Actor:
    """Accept an Actor, a Buyer, a user or None (the system)."""
    if by is None:
        return Actor.system()
    if isinstance(by, Actor):
        return by
    if isinstance(by, Buyer):
        return Actor.buyer(by)
    if hasattr(by, "get_username"):
        return Actor.staff(by)
    raise TypeError(f"Cannot record {by!r} as an actor")
