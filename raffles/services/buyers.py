"""Buyers: one per phone number, or without one (known only through a channel)."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from raffles.exceptions import InvalidInput
from raffles.models import Buyer

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


def normalize_phone(phone: str) -> str:
    """'+52 155 1234-5678' or '5215512345678' (a WhatsApp id) → '+5215512345678'."""
    digits = re.sub(r"[\s().-]", "", str(phone or ""))
    if not digits.startswith("+"):
        digits = "+" + digits
    if not E164.match(digits):
        raise InvalidInput(f"Not a phone number in international format: {phone!r}", field="phone")
    return digits


def get_or_create_buyer(*, phone: str, name: str = "", has_channel: bool = False) -> Buyer:
    """The buyer with this phone number, created if new. `name` fills an empty name only:
    a name the buyer already has (typed by staff, or given earlier) is never overwritten.
    `has_channel`: a new buyer is created with a channel pointing to it (see
    `mark_has_channel`), saving the caller that UPDATE."""
    phone = normalize_phone(phone)
    name = (name or "").strip()[:200]
    buyer = Buyer.objects.filter(phone=phone).first()
    if buyer is None:
        try:
            with transaction.atomic():
                return Buyer.objects.create(phone=phone, name=name, has_channel=has_channel)
        except IntegrityError:
            buyer = Buyer.objects.get(phone=phone)
    if name and not buyer.name and fill_name_if_empty(buyer.pk, name):
        buyer.name = name
    return buyer


def fill_name_if_empty(buyer_id: int, name: str) -> bool:
    """Give the buyer this name if they have none (one conditional UPDATE). True if set."""
    name = (name or "").strip()[:200]
    if not name:
        return False
    return bool(Buyer.objects.filter(pk=buyer_id, name="").update(name=name))


def create_buyer_without_phone(*, name: str = "") -> Buyer:
    """A buyer we cannot reach by phone (a channel knows them by another id)."""
    return Buyer.objects.create(phone=None, name=(name or "").strip()[:200])


def add_phone_if_missing(buyer: Buyer, phone: str) -> bool:
    """Give a buyer without a phone number this one, unless another buyer has it. True if set."""
    try:
        phone = normalize_phone(phone)
    except InvalidInput:
        return False
    if buyer.phone or Buyer.objects.filter(phone=phone).exists():
        return False
    try:
        with transaction.atomic():
            updated = Buyer.objects.filter(pk=buyer.pk, phone__isnull=True).update(phone=phone)
    except IntegrityError:
        return False
    if updated:
        buyer.phone = phone
    return bool(updated)


def change_phone(buyer: Buyer, old: str, new: str) -> bool:
    """The buyer's number changed from `old` to `new` (their messaging app said so). Only a
    buyer still on `old` moves, and never onto a number another buyer has. True if moved."""
    try:
        old, new = normalize_phone(old), normalize_phone(new)
    except InvalidInput:
        return False
    if buyer.phone not in (None, old) or Buyer.objects.filter(phone=new).exists():
        return False
    try:
        with transaction.atomic():
            updated = Buyer.objects.filter(pk=buyer.pk, phone=buyer.phone).update(phone=new)
    except IntegrityError:
        return False
    if updated:
        buyer.phone = new
    return bool(updated)


def mark_has_channel(buyer: Buyer | int) -> None:
    """A channel (for instance a WhatsApp contact) now points to this buyer. Idempotent."""
    if isinstance(buyer, Buyer) and buyer.has_channel:
        return  # never cleared: nothing to write
    pk = buyer if isinstance(buyer, int) else buyer.pk
    Buyer.objects.filter(pk=pk, has_channel=False).update(has_channel=True)
    if isinstance(buyer, Buyer):
        buyer.has_channel = True
