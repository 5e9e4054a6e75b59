"""Who a WhatsApp user is: a contact known by phone (`wa_id`), by business-scoped user id
(`user_id`, a BSUID), or both.

Meta identifies a user who adopted a username by their BSUID only; one who did not by both.
A BSUID changes when the user changes their number, and Meta says so (a `system` message, the
`user_id_update` webhook field). The rules, in one place:

- A sender is matched by BSUID first (the id Meta always sends), then by phone.
- A matched contact learns the id it lacked (a phone contact that shows its BSUID stays the
  same contact and buyer), unless another contact already holds that id: ids are never taken
  from one contact to give to another.
- A change of number or BSUID moves the contact known by the old ids to the new ones.
- The profile name (else the username) names the raffles Buyer when the buyer is created and
  whenever the buyer has no name yet; a buyer's name is never overwritten (staff may have typed
  it). A later change of profile name updates the contact, shown in conversations, not the
  buyer.
- The raffles Buyer gets the phone number only if there is one; a BSUID is never a phone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction

from messaging.channel import statements
from messaging.channel.logutils import mask_phone
from messaging.channel.statements import LOOKUP_FIELDS
from messaging.channel.webhook_parsing import Batch, ContactIn, IdentityChangeIn
from messaging.models import Contact

if TYPE_CHECKING:
    from raffles.models import Buyer

logger = logging.getLogger(__name__)


class ContactIndex:
    """The contacts a delivery concerns, by each id they are or were known by."""

    def __init__(self, contacts: Iterable[Contact] = ()) -> None:
        self.by_wa_id: dict[str, Contact] = {}
        self.by_user_id: dict[str, Contact] = {}
        self.created: set[int] = set()  # contacts inserted for this delivery
        for contact in contacts:
            self.add(contact)

    def add(self, contact: Contact) -> None:
        if contact.wa_id:
            self.by_wa_id[contact.wa_id] = contact
        if contact.user_id:
            self.by_user_id[contact.user_id] = contact

    def find(self, wa_id: str, user_id: str) -> Contact | None:
        return (user_id and self.by_user_id.get(user_id)) or (
            (wa_id and self.by_wa_id.get(wa_id)) or None
        )

    def holder(self, *, wa_id: str = "", user_id: str = "") -> Contact | None:
        """The contact holding this id now (its current id, not an old one)."""
        contact = self.by_user_id.get(user_id) if user_id else self.by_wa_id.get(wa_id)
        if contact is None:
            return None
        current = contact.user_id == user_id if user_id else contact.wa_id == wa_id
        return contact if current else None


def ids_of(batch: Batch) -> tuple[set[str], set[str]]:
    """Every (wa_id, user_id) the batch's senders and identity changes are or were known by."""
    wa_ids: set[str] = set()
    user_ids: set[str] = set()
    changes = [m.identity_change for m in batch.messages if m.identity_change]
    for change in [*changes, *batch.identity_changes]:
        wa_ids.update((change.old_wa_id, change.new_wa_id))
        user_ids.update((change.old_user_id, change.new_user_id))
    for message in batch.messages:
        wa_ids.add(message.from_wa_id)
        user_ids.add(message.from_user_id)
    wa_ids.discard("")
    user_ids.discard("")
    return wa_ids, user_ids


def known_contacts(wa_ids: set[str], user_ids: set[str]) -> list[Contact]:
    """One read: the contacts holding any of these ids."""
    return statements.known_contacts(sorted(wa_ids), sorted(user_ids))


def sender(
    index: ContactIndex,
    wa_id: str,
    user_id: str,
    info: ContactIn | None,
    change: IdentityChangeIn | None = None,
    opened_at: datetime | None = None,
) -> Contact:
    """The contact a message came from: found, updated, or created (with its raffles Buyer;
    a new one with `opened_at` as its last inbound time, noted in `index.created`)."""
    if change is not None:  # already applied (apply_change): the sender is who they are now
        contact = index.find(change.new_wa_id, change.new_user_id) or index.find(wa_id, user_id)
        wa_id, user_id = change.new_wa_id, change.new_user_id  # never a contact for old ids
    else:
        contact = index.find(wa_id, user_id)
    if contact is None:
        contact, created = _create(wa_id, user_id, info, opened_at)
        if created:
            index.created.add(contact.pk)
    else:
        _refresh(index, contact, wa_id, user_id, info)
    index.add(contact)
    link_buyer(contact)
    return contact


def get_contact(wa_id: str = "", info: ContactIn | None = None, *, user_id: str = "") -> Contact:
    """The contact with this phone-based id or BSUID, created if new."""
    index = ContactIndex(known_contacts({wa_id} - {""}, {user_id} - {""}))
    return sender(index, wa_id, user_id, info)


def _create(
    wa_id: str, user_id: str, info: ContactIn | None, opened_at: datetime | None = None
) -> tuple[Contact, bool]:
    """A new contact. One known by phone is inserted with its buyer already linked (one
    INSERT, no UPDATE after); if the INSERT clashes (a concurrent delivery created the
    contact, or that buyer has another contact) it falls back to reading or creating the
    contact alone, and `link_buyer` links what it can."""
    defaults: dict[str, Any] = {
        "wa_id": wa_id,
        "user_id": user_id,
        "profile_name": info.profile_name if info else "",
        "username": info.username if info else "",
        "last_inbound_at": opened_at,
    }
    if wa_id:
        contact = Contact(**defaults)
        buyer = _phone_buyer(contact)
        if buyer is not None:
            contact.buyer = buyer
            try:
                with transaction.atomic():
                    contact.save(force_insert=True)
            except IntegrityError:
                pass
            else:
                logger.info("whatsapp new contact %s", mask_phone(wa_id))
                return contact, True
    key = {"wa_id": wa_id} if wa_id else {"user_id": user_id}
    contact, created = Contact.objects.get_or_create(**key, defaults=defaults)
    if created:
        logger.info("whatsapp new contact %s", mask_phone(wa_id or user_id))
    return contact, created


def _phone_buyer(contact: Contact) -> Buyer | None:
    """The buyer with the contact's phone number (created if new, already marked as having
    a channel), or None when its wa_id is not a phone number."""
    from raffles import services
    from raffles.exceptions import InvalidInput

    try:
        return services.get_or_create_buyer(
            phone=contact.wa_id,
            name=contact.profile_name or contact.username,
            has_channel=True,
        )
    except InvalidInput:
        return None


def _refresh(
    index: ContactIndex, contact: Contact, wa_id: str, user_id: str, info: ContactIn | None
) -> None:
    """Keep the profile up to date; learn an id the contact lacked (if no one else has it)."""
    changed: list[str] = []
    if info and info.profile_name and info.profile_name != contact.profile_name:
        contact.profile_name = info.profile_name
        changed.append("profile_name")
    if info and info.username and info.username != contact.username:
        contact.username = info.username
        changed.append("username")
    ids = _learn(index, contact, wa_id=wa_id, user_id=user_id)
    if not changed and not ids:
        return
    if ids:
        _save_ids(contact, [*changed, *ids])
    else:
        contact.save(update_fields=[*changed, "updated_at"])
    if "wa_id" in ids:
        _buyer_phone(contact, contact.wa_id)
    if changed and contact.buyer_id is not None:
        _buyer_name(contact)


def _learn(index: ContactIndex, contact: Contact, *, wa_id: str, user_id: str) -> list[str]:
    """Set the ids this contact lacks, if no other contact has them. An id it has is changed
    only by an identity change (apply_change), never by a message that may be late."""
    fields: list[str] = []
    if wa_id and not contact.wa_id and _free(index, contact, wa_id=wa_id):
        contact.wa_id = wa_id
        fields.append("wa_id")
    if user_id and not contact.user_id and _free(index, contact, user_id=user_id):
        contact.user_id = user_id
        fields.append("user_id")
    return fields


def _free(index: ContactIndex, contact: Contact, **key: str) -> bool:
    other = index.holder(**key)
    if other is None or other.pk == contact.pk:
        return True
    logger.warning(
        "whatsapp contact %s: %s already belongs to contact %s; kept apart",
        contact.pk,
        mask_phone(next(iter(key.values()))),
        other.pk,
    )
    return False


def _save_ids(contact: Contact, fields: list[str]) -> bool:
    """Save new ids in a savepoint: a clash with a concurrent writer leaves the contact as it
    was instead of failing the whole delivery."""
    try:
        with transaction.atomic():
            contact.save(update_fields=[*fields, "updated_at"])
    except IntegrityError:
        contact.refresh_from_db(fields=list(LOOKUP_FIELDS[1:]))
        logger.warning("whatsapp contact %s: new ids clash with another contact", contact.pk)
        return False
    return True


def apply_change(index: ContactIndex, change: IdentityChangeIn) -> Contact | None:
    """A user's number or BSUID changed: the contact known by the old ids takes the new ones
    (a replay finds it already moved). Returns the contact, or None if we never knew them."""
    contact = index.find(change.old_wa_id, change.old_user_id) or index.find(
        change.new_wa_id, change.new_user_id
    )
    if contact is None:
        return None
    old_wa_id = contact.wa_id
    fields: list[str] = []
    new_wa_id, new_user_id = change.new_wa_id, change.new_user_id
    if new_wa_id and new_wa_id != contact.wa_id and _free(index, contact, wa_id=new_wa_id):
        contact.wa_id = new_wa_id
        fields.append("wa_id")
    if (
        new_user_id
        and new_user_id != contact.user_id
        and _free(index, contact, user_id=new_user_id)
    ):
        contact.user_id = new_user_id
        fields.append("user_id")
    if fields and _save_ids(contact, fields):
        logger.info(
            "whatsapp contact %s now %s / %s",
            contact.pk,
            mask_phone(contact.wa_id),
            mask_phone(contact.user_id),
        )
        if "wa_id" in fields:
            _move_buyer_phone(contact, old_wa_id, contact.wa_id)
    index.add(contact)
    return contact


def buyer_for(contact: Contact) -> Buyer:
    """A new raffles Buyer for this contact: by phone number when the contact has one that is
    a phone number, else a buyer without one (a BSUID is never put in a phone field)."""
    from raffles import services
    from raffles.exceptions import InvalidInput

    name = contact.profile_name or contact.username
    if contact.wa_id:
        try:
            return services.get_or_create_buyer(phone=contact.wa_id, name=name)
        except InvalidInput:
            logger.warning("whatsapp id %s is not a phone number", mask_phone(contact.wa_id))
    return services.create_buyer_without_phone(name=name)


def link_buyer(contact: Contact) -> None:
    """Link the raffles Buyer if not linked yet."""
    if contact.buyer_id is not None:
        return
    try:
        with transaction.atomic():
            contact.buyer = buyer_for(contact)
            contact.save(update_fields=["buyer", "updated_at"])
    except IntegrityError:  # that buyer already has another contact
        contact.buyer = None
        logger.warning("whatsapp buyer for %s already linked", mask_phone(contact.send_to))


def _buyer_name(contact: Contact) -> None:
    """The contact's profile now carries a name: its buyer takes it if they have none."""
    from raffles import services

    name = contact.profile_name or contact.username
    if contact.buyer_id is not None and name:
        services.fill_name_if_empty(contact.buyer_id, name)


def _buyer_phone(contact: Contact, wa_id: str) -> None:
    """A contact known only by BSUID showed its phone number: its buyer gets it too."""
    from raffles import services

    if contact.buyer_id is not None and contact.buyer is not None:
        services.add_phone_if_missing(contact.buyer, wa_id)


def _move_buyer_phone(contact: Contact, old: str, new: str) -> None:
    from raffles import services

    if contact.buyer_id is None or contact.buyer is None:
        return
    if old:
        services.change_phone(contact.buyer, old, new)
    else:
        services.add_phone_if_missing(contact.buyer, new)
