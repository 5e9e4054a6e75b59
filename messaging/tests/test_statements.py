"""The hot path's statements written once (channel.statements), each beside the ORM statement
it stands for: the same rows chosen, the same values written, read back through the ORM."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.utils import timezone

from messaging.channel import statements
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

pytestmark = pytest.mark.django_db

S = OutboundMessage.Status


@pytest.fixture
def contact() -> Contact:
    return Contact.objects.create(wa_id="5215550001234")


def _now():
    # Microseconds kept: a datetime must come back exactly as it was written.
    return timezone.now().replace(microsecond=123456)


def test_the_contact_lease_is_taken_only_when_free_or_run_out(contact):
    now = _now()
    assert statements.claim_contact(contact.pk, "a" * 32, now, now + timedelta(minutes=2))
    contact.refresh_from_db()
    assert (contact.processing_token, contact.processing_until) == (
        "a" * 32,
        now + timedelta(minutes=2),
    )
    # Held: refused, and nothing changes.
    later = now + timedelta(minutes=1)
    assert not statements.claim_contact(contact.pk, "b" * 32, later, later + timedelta(minutes=2))
    contact.refresh_from_db()
    assert contact.processing_token == "a" * 32
    # Run out: taken.
    late = now + timedelta(minutes=3)
    assert statements.claim_contact(contact.pk, "c" * 32, late, late + timedelta(minutes=2))
    # The same rows the ORM condition picks.
    held = Q(processing_until__isnull=True) | Q(processing_until__lt=late)
    assert not Contact.objects.filter(held, pk=contact.pk).exists()


def test_the_lease_is_given_back_only_under_its_token(contact):
    now = _now()
    statements.claim_contact(contact.pk, "a" * 32, now, now + timedelta(minutes=2))
    assert not statements.release_contact(contact.pk, "b" * 32)
    assert statements.release_contact(contact.pk, "a" * 32)
    contact.refresh_from_db()
    assert (contact.processing_token, contact.processing_until) == ("", None)
    assert not statements.release_contact(contact.pk, "a" * 32)


def test_received_messages_are_seen_and_taken_once(contact):
    assert not statements.has_received(contact.pk)
    message = InboundMessage.objects.create(
        wa_message_id="wamid.s1",
        contact=contact,
        type="text",
        text="hola",
        error="before",
        next_attempt_at=_now(),
    )
    assert statements.has_received(contact.pk)
    now = _now()
    with transaction.atomic():
        assert statements.take_received(message.pk, now)
        assert not statements.take_received(message.pk, now)  # taken already
    message.refresh_from_db()
    assert (message.status, message.processed_at) == (InboundMessage.Status.PROCESSED, now)
    assert (message.next_attempt_at, message.error) == (None, "")
    assert not statements.has_received(contact.pk)
    orm = InboundMessage.objects.filter(contact=contact, status=InboundMessage.Status.RECEIVED)
    assert not orm.exists()


@pytest.mark.django_db(transaction=True)
def test_a_message_is_taken_only_inside_the_transaction_that_handles_it(contact):
    message = InboundMessage.objects.create(wa_message_id="wamid.s2", contact=contact, type="text")
    with pytest.raises(RuntimeError):
        statements.take_received(message.pk, _now())
    message.refresh_from_db()
    assert message.status == InboundMessage.Status.RECEIVED


def _row(contact: Contact, **fields) -> OutboundMessage:
    fields.setdefault("kind", OutboundMessage.Kind.TEXT)
    return OutboundMessage.objects.create(contact=contact, to=contact.wa_id, payload={}, **fields)


def test_a_contact_is_answered_by_anything_but_a_read_receipt(contact):
    assert not statements.has_answered(contact.pk)
    _row(contact, kind=OutboundMessage.Kind.READ)
    assert not statements.has_answered(contact.pk)
    _row(contact, status=S.FAILED)
    assert statements.has_answered(contact.pk)


def test_rows_are_claimed_when_queued_and_due_or_left_by_a_sender_whose_claim_ran_out(contact):
    now = _now()
    past, future = now - timedelta(seconds=1), now + timedelta(seconds=30)
    rows = {
        "due": _row(contact, next_attempt_at=past),
        "due now": _row(contact, next_attempt_at=now),
        "retry later": _row(contact, next_attempt_at=future),
        "claim ran out": _row(contact, status=S.SENDING, claimed_until=past),
        "being sent": _row(contact, status=S.SENDING, claimed_until=future),
        "queued, claim live": _row(contact, next_attempt_at=past, claimed_until=future),
        "sent": _row(contact, status=S.SENT, next_attempt_at=past),
    }
    # The ORM's statement of the rule, for comparison.
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    rule = (Q(status=S.QUEUED, next_attempt_at__lte=now) & free) | (Q(status=S.SENDING) & free)
    expected = set(OutboundMessage.objects.filter(rule).values_list("pk", flat=True))
    assert expected == {rows["due"].pk, rows["due now"].pk, rows["claim ran out"].pk}

    until = now + timedelta(minutes=1)
    ids = [row.pk for row in rows.values()]
    assert statements.claim_rows(ids, "t" * 32, now, until) == 3
    claimed = OutboundMessage.objects.filter(claim_token="t" * 32)
    assert set(claimed.values_list("pk", flat=True)) == expected
    for row in claimed:
        assert (row.status, row.claimed_until, row.attempts) == (S.SENDING, until, 1)
    assert statements.claim_rows(ids, "u" * 32, now, until) == 0  # all held now
    assert statements.claim_rows([rows["retry later"].pk], "u" * 32, future, until) == 1


def test_a_sent_row_is_recorded_only_under_its_claim(contact):
    now = _now()
    row = _row(contact, next_attempt_at=now, error_code=131, last_error="was failing")
    statements.claim_rows([row.pk], "t" * 32, now, now + timedelta(minutes=1))
    assert not statements.finish_sent(row.pk, "x" * 32, "wamid.OUT", now)
    assert statements.finish_sent(row.pk, "t" * 32, "wamid.OUT", now)
    row.refresh_from_db()
    assert (row.status, row.wa_message_id, row.sent_at) == (S.SENT, "wamid.OUT", now)
    assert (row.claim_token, row.claimed_until, row.error_code, row.last_error) == (
        "",
        None,
        None,
        "",
    )


def test_the_pacing_slot_moves_only_from_where_it_was_seen():
    assert statements.read_slot("phone-1") is None
    now = _now()
    slot = SendRateSlot.objects.create(key="phone-1", next_at=now)
    assert statements.read_slot("phone-1") == (slot.pk, now)
    later = now + timedelta(milliseconds=25)
    assert not statements.move_slot(slot.pk, now - timedelta(microseconds=1), later)
    assert statements.move_slot(slot.pk, now, later)
    slot.refresh_from_db()
    assert slot.next_at == later
    assert statements.read_slot("phone-1") == (slot.pk, later)
    # A slot on a whole second (no microseconds) compares as the ORM wrote it.
    whole = later.replace(microsecond=0) + timedelta(seconds=1)
    SendRateSlot.objects.filter(pk=slot.pk).update(next_at=whole)
    seen = statements.read_slot("phone-1")
    assert seen == (slot.pk, whole)
    assert statements.move_slot(slot.pk, whole, whole + timedelta(milliseconds=1))


def test_stored_message_ids_are_found(contact):
    InboundMessage.objects.create(wa_message_id="wamid.in1", contact=contact, type="text")
    assert statements.stored_ids([]) == set()
    assert statements.stored_ids(["wamid.in1", "wamid.in2"]) == {"wamid.in1"}


def test_a_message_opens_the_window_only_forward_and_reopens_a_resolved_conversation(contact):
    now = _now()
    Contact.objects.filter(pk=contact.pk).update(resolved_at=now)
    assert statements.open_window(contact.pk, now)
    contact.refresh_from_db()
    assert (contact.last_inbound_at, contact.resolved_at) == (now, None)
    Contact.objects.filter(pk=contact.pk).update(resolved_at=now)
    assert not statements.open_window(contact.pk, now - timedelta(seconds=5))  # older
    contact.refresh_from_db()
    assert (contact.last_inbound_at, contact.resolved_at) == (now, now)
    assert statements.open_window(contact.pk, now + timedelta(microseconds=1))


def test_early_statuses_are_read_in_arrival_order():
    now = _now()
    MessageStatus.objects.create(wa_message_id="wamid.o1", status="read", timestamp=now)
    MessageStatus.objects.create(
        wa_message_id="wamid.o1", status="failed", error_code=131026, error_title="Undeliverable"
    )
    MessageStatus.objects.create(wa_message_id="wamid.other", status="sent", timestamp=now)
    assert statements.early_statuses([]) == []
    assert statements.early_statuses(["wamid.o1", "wamid.none"]) == [
        statements.EarlyStatus("wamid.o1", "read", now, None, ""),
        statements.EarlyStatus("wamid.o1", "failed", None, 131026, "Undeliverable"),
    ]


def test_a_turn_writes_the_contacts_state_context_and_language(contact):
    contact.state, contact.language = "picking", "pt"
    contact.context = {"raffle": 7, "numbers": [5, 12], "note": "ação ü ñ", "nested": {"a": None}}
    now = _now()
    with transaction.atomic():
        statements.save_turn(contact, now)
    fresh = Contact.objects.get(pk=contact.pk)
    assert (fresh.state, fresh.language, fresh.updated_at) == ("picking", "pt", now)
    assert fresh.context == contact.context
    # The JSON reads back through the ORM's lookups too.
    assert Contact.objects.filter(pk=contact.pk, context__raffle=7).exists()


@pytest.mark.django_db(transaction=True)
def test_a_turn_is_written_only_inside_its_transaction(contact):
    contact.state = "picking"
    with pytest.raises(RuntimeError):
        statements.save_turn(contact, _now())
    assert Contact.objects.get(pk=contact.pk).state == "start"


# Whole rows (config.db.rows): the same instances the ORM builds, joined rows cached.


def _same(ours, orm) -> None:
    assert type(ours) is type(orm)
    for field in orm._meta.concrete_fields:
        assert getattr(ours, field.attname) == getattr(orm, field.attname), field.name


def test_pending_messages_are_the_orms_with_their_contact(contact, django_assert_num_queries):
    Contact.objects.filter(pk=contact.pk).update(
        context={"raffle": 3}, bot_paused=True, last_inbound_at=_now()
    )
    t0 = _now()
    for n, at in enumerate([t0 + timedelta(seconds=2), t0, None, t0 + timedelta(seconds=1)]):
        InboundMessage.objects.create(
            wa_message_id=f"wamid.p{n}",
            contact=contact,
            type="text",
            text=f"hola {n}",
            timestamp=at,
            payload={"text": {"body": f"hola {n}"}, "n": n},
        )
    InboundMessage.objects.create(
        wa_message_id="wamid.done",
        contact=contact,
        type="text",
        status=InboundMessage.Status.PROCESSED,
        timestamp=t0,
    )
    orm = list(
        InboundMessage.objects.filter(contact_id=contact.pk, status=InboundMessage.Status.RECEIVED)
        .select_related("contact")
        .order_by("timestamp", "id")[:3]
    )
    with django_assert_num_queries(1):
        ours = statements.pending_messages(contact.pk, 3)
        assert [m.contact.bot_paused for m in ours] == [True, True, True]  # cached, no query
    assert [m.wa_message_id for m in ours] == [m.wa_message_id for m in orm]
    for mine, theirs in zip(ours, orm, strict=True):
        _same(mine, theirs)
        _same(mine.contact, theirs.contact)
    # (Where a message without a time sorts depends on the database, for both reads alike.)
    assert all(m.payload == {"text": {"body": m.text}, "n": int(m.text[-1])} for m in ours)
    assert ours[0].contact.context == {"raffle": 3}
    assert statements.pending_messages(contact.pk + 1000, 3) == []


def test_the_turns_contact_comes_with_its_buyer_or_none(contact, django_assert_num_queries):
    with transaction.atomic():
        with django_assert_num_queries(1):
            ours = statements.lock_contact(contact.pk)
            assert ours.buyer is None  # a LEFT JOIN that found nothing, cached
        _same(ours, Contact.objects.get(pk=contact.pk))
        buyer = Buyer.objects.create(phone="+5215550001234", name="Ana")
        Contact.objects.filter(pk=contact.pk).update(buyer=buyer)
        with django_assert_num_queries(1):
            ours = statements.lock_contact(contact.pk)
            assert ours.buyer.name == "Ana"
        _same(ours.buyer, buyer)
        with pytest.raises(Contact.DoesNotExist):
            statements.lock_contact(contact.pk + 1000)


@pytest.mark.django_db(transaction=True)
def test_the_turns_contact_is_locked_only_inside_its_transaction(contact):
    with pytest.raises(RuntimeError):
        statements.lock_contact(contact.pk)


def test_known_contacts_by_either_id_with_only_the_lookup_fields(contact):
    other = Contact.objects.create(user_id="MX.1234567890", username="ana", profile_name="Ana")
    Contact.objects.create(wa_id="5215550009999")
    assert statements.known_contacts([], []) == []
    found = statements.known_contacts(["5215550001234"], ["MX.1234567890"])
    assert sorted(c.pk for c in found) == [contact.pk, other.pk]
    by_user = statements.known_contacts([], ["MX.1234567890"])
    assert [c.pk for c in by_user] == [other.pk]
    assert (by_user[0].username, by_user[0].profile_name) == ("ana", "Ana")
    assert (
        by_user[0].get_deferred_fields()
        == Contact.objects.only(*statements.LOOKUP_FIELDS).get(pk=other.pk).get_deferred_fields()
    )
    assert [c.pk for c in statements.known_contacts(["5215550001234"], [])] == [contact.pk]


def test_outbox_rows_come_in_order_with_contact_and_file(contact, django_assert_num_queries):
    media = OutboundMedia.objects.create(
        sha256="a" * 64, file="outbound-media/ticket.png", mime_type="image/png", size=3
    )
    now = _now()
    first = _row(contact, next_attempt_at=now)
    _row(contact, status=S.SENT)
    second = _row(contact, status=S.SENDING, claimed_until=now, media=media)
    with django_assert_num_queries(1):
        ours = statements.outbox_rows(contact.pk, 20)
        assert [r.media for r in ours] == [None, media]
        assert [r.contact.wa_id for r in ours] == [contact.wa_id] * 2
    orm = list(
        OutboundMessage.objects.filter(
            contact_id=contact.pk, status__in=OutboundMessage.PENDING_STATUSES
        )
        .select_related("contact", "media")
        .order_by("id")
    )
    assert [r.pk for r in ours] == [first.pk, second.pk] == [r.pk for r in orm]
    for mine, theirs in zip(ours, orm, strict=True):
        _same(mine, theirs)
    _same(ours[1].media, orm[1].media)
    assert len(statements.outbox_rows(contact.pk, 1)) == 1


# Inserts (config.db.rows): the row Model.save would write, its id read back.


def test_an_outbox_row_is_written_as_the_orm_writes_it(contact):
    payload = {"type": "text", "text": {"body": "¡Hola! ação"}, "nested": [1, None, True]}
    ours = statements.insert_outbound(
        OutboundMessage(
            contact=contact, to=contact.wa_id, kind=OutboundMessage.Kind.TEXT, payload=payload
        )
    )
    orm = OutboundMessage.objects.create(
        contact=contact, to=contact.wa_id, kind=OutboundMessage.Kind.TEXT, payload=payload
    )
    assert ours.pk is not None
    assert ours.pk < orm.pk
    assert not ours._state.adding
    mine, theirs = (OutboundMessage.objects.get(pk=pk) for pk in (ours.pk, orm.pk))
    for field in OutboundMessage._meta.concrete_fields:
        if field.get_internal_type() == "DateTimeField":  # defaults to the time of creation
            assert getattr(mine, field.attname) == getattr(ours, field.attname), field.name
        elif field.name != "id":
            assert getattr(mine, field.attname) == getattr(theirs, field.attname), field.name
    assert OutboundMessage.objects.filter(pk=ours.pk, payload__text__body="¡Hola! ação").exists()


def test_new_messages_skip_the_ones_stored_meanwhile_in_batches(contact):
    InboundMessage.objects.create(wa_message_id="wamid.n5", contact=contact, type="text")
    messages = [
        InboundMessage(wa_message_id=f"wamid.n{n}", contact=contact, type="text", text=str(n))
        for n in range(120)  # more than one statement's worth of parameters on SQLite
    ]
    statements.insert_new_messages(messages)
    stored = InboundMessage.objects.filter(contact=contact)
    assert stored.count() == 120
    assert stored.get(wa_message_id="wamid.n5").text == ""  # the one stored first stays
    assert stored.get(wa_message_id="wamid.n119").text == "119"


def test_a_delivery_gets_its_id(contact):
    delivery = statements.insert_delivery(
        WebhookDelivery(body="{}", body_sha256="0" * 64, size=2, signature_ok=True)
    )
    assert WebhookDelivery.objects.get(pk=delivery.pk).body_sha256 == "0" * 64


def test_an_insert_refuses_to_skip_a_save_receiver(contact):
    def receiver(**kwargs):
        pass

    post_save.connect(receiver, sender=OutboundMessage, weak=False)
    try:
        with pytest.raises(RuntimeError):
            statements.insert_outbound(
                OutboundMessage(contact=contact, to="x", kind="text", payload={})
            )
    finally:
        post_save.disconnect(receiver, sender=OutboundMessage)
    assert not OutboundMessage.objects.exists()
