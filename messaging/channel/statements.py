"""The statements every inbound message runs, written once.

Each new sender's "hi" runs a dozen small statements on the contact's lease, its message, its
outbox rows and the pacing slot. Through the ORM each one is built and compiled anew for every
message, which costs several times what the database spends running it. Here they are SQL
strings built once from the models' own table and column names (so a renamed column renames
them too), executed through Django's cursor: query-count tests count them, the SQLite write
queue (`config.sqlite_backend`) orders them, and the same text runs on SQLite and PostgreSQL.

Every function is one statement, atomic by itself. `take_received` changes the message inside
the transaction of the turn it belongs to and refuses to run outside one. Datetimes go in as
the ORM would write them (`adapt_datetimefield_value`) and come out aware, in UTC.
`messaging/tests/test_statements.py` runs each beside the ORM statement it stands for.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from config.db.rows import Inserts, Rows, adapt, aware, model_sql, table
from messaging.models import (
    Contact,
    InboundMessage,
    MessageStatus,
    OutboundMedia,
    OutboundMessage,
    SendRateSlot,
    WebhookDelivery,
)
from raffles.models import Buyer


@functools.cache
def _statements() -> dict[str, str]:
    received, processed = InboundMessage.Status.RECEIVED, InboundMessage.Status.PROCESSED
    out = OutboundMessage.Status
    return {
        "claim_contact": model_sql(
            Contact,
            "UPDATE {table} SET {processing_token} = %s, {processing_until} = %s"
            " WHERE {id} = %s AND ({processing_until} IS NULL OR {processing_until} < %s)",
        ),
        "release_contact": model_sql(
            Contact,
            "UPDATE {table} SET {processing_token} = '', {processing_until} = NULL"
            " WHERE {id} = %s AND {processing_token} = %s",
        ),
        "save_turn": model_sql(
            Contact,
            "UPDATE {table} SET {state} = %s, {context} = %s, {language} = %s, {updated_at} = %s"
            " WHERE {id} = %s",
        ),
        "has_received": model_sql(
            InboundMessage,
            "SELECT 1 FROM {table} WHERE {contact} = %s AND {status} = '{received}' LIMIT 1",
            received=received,
        ),
        "take_received": model_sql(
            InboundMessage,
            "UPDATE {table} SET {status} = '{processed}', {processed_at} = %s,"
            " {next_attempt_at} = NULL, {error} = ''"
            " WHERE {id} = %s AND {status} = '{received}'",
            received=received,
            processed=processed,
        ),
        "stored_ids": model_sql(
            InboundMessage, "SELECT {wa_message_id} FROM {table} WHERE {wa_message_id} IN ({ids})"
        ),
        "open_window": model_sql(
            Contact,
            "UPDATE {table} SET {last_inbound_at} = %s, {resolved_at} = NULL"
            " WHERE {id} = %s AND ({last_inbound_at} IS NULL OR {last_inbound_at} < %s)",
        ),
        "early_statuses": model_sql(
            MessageStatus,
            "SELECT {wa_message_id}, {status}, {timestamp}, {error_code}, {error_title}"
            " FROM {table} WHERE {wa_message_id} IN ({ids}) ORDER BY {id}",
        ),
        "has_answered": model_sql(
            OutboundMessage,
            "SELECT 1 FROM {table} WHERE {contact} = %s AND {kind} <> '{read}' LIMIT 1",
            read=OutboundMessage.Kind.READ,
        ),
        "claim_rows": model_sql(
            OutboundMessage,
            "UPDATE {table} SET {status} = '{sending}', {claimed_until} = %s,"
            " {claim_token} = %s, {attempts} = {attempts} + 1"
            " WHERE {id} IN ({ids})"
            " AND ({claimed_until} IS NULL OR {claimed_until} < %s)"
            " AND ({status} = '{sending}' OR ({status} = '{queued}' AND {next_attempt_at} <= %s))",
            sending=out.SENDING,
            queued=out.QUEUED,
        ),
        "finish_sent": model_sql(
            OutboundMessage,
            "UPDATE {table} SET {claimed_until} = NULL, {claim_token} = '',"
            " {status} = '{sent}', {wa_message_id} = %s, {sent_at} = %s,"
            " {error_code} = NULL, {last_error} = ''"
            " WHERE {id} = %s AND {claim_token} = %s",
            sent=out.SENT,
        ),
        "read_slot": model_sql(
            SendRateSlot, "SELECT {id}, {next_at} FROM {table} WHERE {key} = %s"
        ),
        "move_slot": model_sql(
            SendRateSlot, "UPDATE {table} SET {next_at} = %s WHERE {id} = %s AND {next_at} = %s"
        ),
    }


def _write(name: str, params: Sequence[Any], ids: str = "") -> int:
    sql = _statements()[name]
    if ids:
        sql = sql.replace("{ids}", ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _read(name: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(_statements()[name], params)
        row = cursor.fetchone()
    return tuple(row) if row is not None else None


def _read_all(name: str, params: Sequence[Any], ids: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(_statements()[name].replace("{ids}", ids), params)
        return [tuple(row) for row in cursor.fetchall()]


def _marks(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


# The contact's lease (channel.processing).


def claim_contact(contact_id: int, token: str, now: datetime, until: datetime) -> bool:
    """Take the contact's lease if it is free or ran out before `now`."""
    return _write("claim_contact", (token, adapt(until), contact_id, adapt(now))) == 1


def release_contact(contact_id: int, token: str) -> bool:
    """Give the lease back, if it is still the one taken with `token`."""
    return _write("release_contact", (contact_id, token)) == 1


def save_turn(contact: Contact, now: datetime) -> None:
    """Write what a bot turn changed on the contact (its state, context and language), as
    `save(update_fields=[...])` would with `updated_at`, in the turn's transaction."""
    if not connection.in_atomic_block:
        raise RuntimeError("save_turn runs inside the transaction of the turn")
    context = Contact._meta.get_field("context")
    value = context.get_db_prep_save(contact.context, connection)
    _write("save_turn", (contact.state, value, contact.language, adapt(now), contact.pk))
    contact.updated_at = now


def has_received(contact_id: int) -> bool:
    """Whether the contact has a message not yet processed or parked."""
    return _read("has_received", (contact_id,)) is not None


def take_received(message_id: int, now: datetime) -> bool:
    """Mark a received message processed, in the transaction that handles it. False when
    another worker took it first."""
    if not connection.in_atomic_block:
        raise RuntimeError("take_received runs inside the transaction that handles the message")
    return _write("take_received", (adapt(now), message_id)) == 1


# The webhook (channel.inbound).


def stored_ids(wa_message_ids: Sequence[str]) -> set[str]:
    """Which of these Meta message ids are stored already."""
    if not wa_message_ids:
        return set()
    rows = _read_all("stored_ids", wa_message_ids, _marks(wa_message_ids))
    return {row[0] for row in rows}


def open_window(contact_id: int, sent_at: datetime) -> bool:
    """The contact wrote at `sent_at`: its service window opens from then (unless a later
    message opened it already), and a conversation staff had resolved opens again."""
    at = adapt(sent_at)
    return _write("open_window", (at, contact_id, at)) == 1


@dataclass(frozen=True)
class EarlyStatus:
    wa_message_id: str
    status: str
    timestamp: datetime | None
    error_code: int | None
    error_title: str


def early_statuses(wa_message_ids: Sequence[str]) -> list[EarlyStatus]:
    """The status events stored for these Meta message ids, in the order they arrived."""
    if not wa_message_ids:
        return []
    rows = _read_all("early_statuses", wa_message_ids, _marks(wa_message_ids))
    return [
        EarlyStatus(wa_id, status, None if at is None else aware(at), code, title)
        for wa_id, status, at, code, title in rows
    ]


# The bot.


def has_answered(contact_id: int) -> bool:
    """Whether the contact was ever sent (or queued) anything but a read receipt."""
    return _read("has_answered", (contact_id,)) is not None


# The outbox (channel.sending) and its pacing.


def claim_rows(ids: Sequence[int], token: str, now: datetime, until: datetime) -> int:
    """Claim the rows that are claimable at `now` (queued and due, or sending with a lapsed
    claim) with `token` until `until`, counting an attempt. Returns how many were claimed."""
    at = adapt(now)
    return _write("claim_rows", (adapt(until), token, *ids, at, at), ids=_marks(ids))


def finish_sent(row_id: int, token: str, wa_message_id: str, now: datetime) -> bool:
    """Record a row as sent, under its claim. False when the claim was lost."""
    return _write("finish_sent", (wa_message_id, adapt(now), row_id, token)) == 1


def read_slot(key: str) -> tuple[int, datetime] | None:
    """The pacing row of `key` and its next free slot."""
    row = _read("read_slot", (key,))
    return None if row is None else (int(row[0]), aware(row[1]))


def move_slot(slot_id: int, seen: datetime, to: datetime) -> bool:
    """Move the pacing slot to `to`, if it still is where it was `seen` (compare and set)."""
    return _write("move_slot", (adapt(to), slot_id, adapt(seen))) == 1


# Whole rows, with the rows the caller reads beside them (config.db.rows).

MESSAGES = Rows(InboundMessage, contact=Contact)
CONTACT = Rows(Contact, buyer=Buyer)
# What the webhook matches a sender by (channel.identity).
LOOKUP_FIELDS = ("id", "wa_id", "profile_name", "user_id", "username", "buyer_id")
KNOWN = Rows(Contact, only=LOOKUP_FIELDS)
OUTBOX = Rows(OutboundMessage, contact=Contact, media=OutboundMedia)


@functools.cache
def _reads() -> dict[str, str]:
    joined = {
        "contacts": table(Contact),
        "buyers": table(Buyer),
        "media_table": table(OutboundMedia),
        "pk": connection.ops.quote_name("id"),
    }
    pending = ", ".join(f"'{status}'" for status in OutboundMessage.PENDING_STATUSES)
    lock = (
        " FOR UPDATE OF " + table(Contact) if connection.features.has_select_for_update_of else ""
    )
    return {
        "messages": model_sql(
            InboundMessage,
            "SELECT {columns} FROM {table}"
            " LEFT JOIN {contacts} ON {contacts}.{pk} = {table}.{contact}"
            " WHERE {table}.{contact} = %s AND {table}.{status} = '{received}'"
            " ORDER BY {table}.{timestamp}, {table}.{id} LIMIT %s",
            columns=MESSAGES.columns,
            received=InboundMessage.Status.RECEIVED,
            **joined,
        ),
        "contact": model_sql(
            Contact,
            "SELECT {columns} FROM {table} LEFT JOIN {buyers} ON {buyers}.{pk} = {table}.{buyer}"
            " WHERE {table}.{id} = %s{lock}",
            columns=CONTACT.columns,
            lock=lock,
            **joined,
        ),
        "known": model_sql(
            Contact,
            "SELECT {columns} FROM {table}"
            " WHERE {wa_id} IN ({wa_ids}) OR {user_id} IN ({user_ids})",
            columns=KNOWN.columns,
            wa_ids="{wa_ids}",
            user_ids="{user_ids}",
        ),
        "outbox": model_sql(
            OutboundMessage,
            "SELECT {columns} FROM {table}"
            " LEFT JOIN {contacts} ON {contacts}.{pk} = {table}.{contact}"
            " LEFT JOIN {media_table} ON {media_table}.{pk} = {table}.{media}"
            " WHERE {table}.{contact} = %s AND {table}.{status} IN ({pending})"
            " ORDER BY {table}.{id} LIMIT %s",
            columns=OUTBOX.columns,
            pending=pending,
            **joined,
        ),
    }


def pending_messages(contact_id: int, limit: int) -> list[InboundMessage]:
    """The contact's received messages (not processed or parked), oldest first, each with its
    contact: what `InboundMessage.objects.filter(...).select_related("contact")` reads."""
    return MESSAGES.fetch(_reads()["messages"], (contact_id, limit))


def lock_contact(contact_id: int) -> Contact:
    """The contact, locked for the turn (PostgreSQL; SQLite's write transaction already
    serialises turns), with its buyer unlocked. Raises Contact.DoesNotExist."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_contact runs inside the transaction of the turn")
    found = CONTACT.fetch(_reads()["contact"], (contact_id,))
    if not found:
        raise Contact.DoesNotExist(f"contact {contact_id}")
    return found[0]


def known_contacts(wa_ids: Sequence[str], user_ids: Sequence[str]) -> list[Contact]:
    """The contacts holding any of these WhatsApp or business-scoped user ids, with only
    the fields the webhook matches them by."""
    if not (wa_ids or user_ids):
        return []
    sql = _reads()["known"]
    sql = sql.replace("{wa_ids}", _marks(wa_ids) or "NULL")
    sql = sql.replace("{user_ids}", _marks(user_ids) or "NULL")
    return KNOWN.fetch(sql, (*wa_ids, *user_ids))


def outbox_rows(contact_id: int, limit: int) -> list[OutboundMessage]:
    """The contact's rows still to send (queued or sending), in order, each with its contact
    and its file."""
    return OUTBOX.fetch(_reads()["outbox"], (contact_id, limit))


# Inserts (config.db.rows): no signals, as with bulk_create; these models have no receivers.

DELIVERY = Inserts(WebhookDelivery)
NEW_MESSAGES = Inserts(InboundMessage, ignore_conflicts=True)
OUTBOUND = Inserts(OutboundMessage)


def insert_delivery(delivery: WebhookDelivery) -> WebhookDelivery:
    """Store a webhook delivery; it gets its id."""
    DELIVERY.insert(delivery)
    return delivery


def insert_new_messages(messages: Sequence[InboundMessage]) -> None:
    """Store inbound messages, skipping any whose Meta id is stored already (a concurrent
    delivery of the same message); they get no id here."""
    NEW_MESSAGES.insert(*messages)


def insert_outbound(row: OutboundMessage) -> OutboundMessage:
    """Queue an outbox row; it gets its id."""
    OUTBOUND.insert(row)
    return row
