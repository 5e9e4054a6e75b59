"""Run the conversation over a contact's inbound messages: in order, one worker at a time.

A task claims the contact with a conditional UPDATE on its lease columns, then handles every
unprocessed message of that contact in order (Meta timestamp, then arrival), renewing the
lease when a good part of it has gone by. A second task for the same contact finds the lease
taken and leaves: the holder re-checks for new messages after releasing, so nothing is
stranded. A dead worker's lease simply expires and the sweeper enqueues the contact again.

Each message is handled in one transaction together with marking it processed (a conditional
UPDATE from "received"), so its effects (state, outbox rows) happen exactly once.

When handling fails on a transient database error (unavailable, dropped connection, deadlock,
lock timeout, "database is locked": see transient.py), the transaction's effects are rolled
back, the broken connection is dropped, and the message stays pending with its attempt count
and a next-attempt time (capped exponential backoff). It holds back its contact's later
messages (a buyer's messages are handled in order) but no other contact's. The task waits in
place for a retry due within a few seconds; later ones are enqueued by the sweeper when due.
Only a message whose handling is deterministically broken (any other error, or transient
errors past WHATSAPP_INBOUND_MAX_ATTEMPTS) is parked as failed, with an apology to the buyer;
it no longer holds anything back, and staff can retry it (services.retry_inbound_message).

The replies are then sent by the same task, right after (one task per inbound message instead
of two, and no second trip through the queue): the outbox rows are committed first, as always,
and if the worker dies before sending them the outbox sweeper sends them.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from messaging.channel import clock, hook, jobs, outbox, sandbox, sending, statements
from messaging.channel.logutils import mask_phone
from messaging.channel.media import download_media
from messaging.channel.transient import drop_broken_connection, is_transient
from messaging.exceptions import GraphError, MediaRefused
from messaging.models import Contact, InboundMessage

logger = logging.getLogger(__name__)

Status = InboundMessage.Status
MediaStatus = InboundMessage.MediaStatus
PROCESS_BUDGET_SECONDS = 60.0
RENEW_AFTER_FRACTION = 10  # renew the lease once a tenth of it has gone by (12 s of 120 s)
MEDIA_TRIES = 3
INLINE_WAIT_SECONDS = 10.0  # a task waits in place for a retry due this soon
MAX_BACKOFF_EXPONENT = 30
PENDING_BATCH = 20  # messages of one contact read at a time
APOLOGY = (
    "Sorry, something went wrong on our side while reading your message. "
    "We have saved it and a person will look at it."
)


def sleep(seconds: float) -> None:
    """Wait for a retry due soon (tests advance messaging.channel.clock instead)."""
    time.sleep(seconds)


def retry_delay(attempts: int) -> timedelta:
    """How long a message waits after its `attempts`-th transient failure."""
    base = float(settings.WHATSAPP_INBOUND_RETRY_BASE_SECONDS)
    cap = float(settings.WHATSAPP_INBOUND_RETRY_MAX_SECONDS)
    exponent = min(max(attempts - 1, 0), MAX_BACKOFF_EXPONENT)
    return timedelta(seconds=min(cap, base * 2**exponent))


def lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "WHATSAPP_CONTACT_LEASE_SECONDS", 120))


def _claim(contact_id: int) -> str | None:
    at = clock.now()
    token = secrets.token_hex(16)
    return token if statements.claim_contact(contact_id, token, at, at + lease()) else None


def _renew(contact_id: int, token: str) -> bool:
    return bool(
        Contact.objects.filter(pk=contact_id, processing_token=token).update(
            processing_until=clock.now() + lease()
        )
    )


def _release(contact_id: int, token: str) -> None:
    try:
        statements.release_contact(contact_id, token)
    except Exception as exc:
        if not is_transient(exc):
            raise
        # The lease simply expires; the sweeper enqueues the contact again.
        logger.warning("whatsapp contact %s: lease not released: %r", contact_id, exc)
        drop_broken_connection()


def _pending(contact_id: int) -> list[InboundMessage]:
    """The contact's next messages, oldest first: not processed or parked, due or not."""
    return statements.pending_messages(contact_id, PENDING_BATCH)


def _any_pending(contact_id: int) -> bool:
    return statements.has_received(contact_id)


def process_contact(contact_id: int) -> int:
    """Handle every unprocessed message of one contact, then send what that queued in its
    outbox. Returns how many messages were handled (processed or parked)."""
    with jobs.held_back(jobs.SEND_CONTACT_OUTBOX, contact_id):
        try:
            handled = _process(contact_id)
        except Exception as exc:
            if not is_transient(exc):
                raise
            # The database is away: what is pending stays pending for the sweeper.
            logger.warning("whatsapp contact %s: processing stopped: %r", contact_id, exc)
            drop_broken_connection()
            return 0
    if handled:
        try:
            sending.drain_contact(contact_id)
        except Exception:
            logger.exception("whatsapp contact %s: sending the replies failed", contact_id)
            jobs.enqueue(jobs.SEND_CONTACT_OUTBOX, contact_id)
    return handled


def _process(contact_id: int) -> int:
    started = time.monotonic()
    handled = 0
    while True:
        token = _claim(contact_id)
        if token is None:
            return handled  # another worker holds the contact and will see our messages
        leased_at = time.monotonic()
        out_of_time = waiting = False
        try:
            more = True
            while more and not (out_of_time or waiting):
                batch = _pending(contact_id)
                # A full batch may have more behind it; a short one was all there was, and what
                # arrives meanwhile is seen after the release (`_any_pending`).
                more = len(batch) == PENDING_BATCH
                for message in batch:
                    tick = time.monotonic()
                    if tick - started > PROCESS_BUDGET_SECONDS:
                        out_of_time = True
                        break
                    if tick - leased_at > lease().total_seconds() / RENEW_AFTER_FRACTION:
                        # Long enough for the lease to matter: renew it, stop if it was lost.
                        if not _renew(contact_id, token):
                            logger.warning("whatsapp contact %s: lease lost", contact_id)
                            return handled
                        leased_at = tick
                    wait = _seconds_until_due(message)
                    if wait > 0:
                        if wait > INLINE_WAIT_SECONDS or tick + wait - started > (
                            PROCESS_BUDGET_SECONDS
                        ):
                            waiting = True  # the sweeper enqueues the contact when it is due
                            break
                        sleep(wait)
                    if not handle_message(message):
                        more = True  # left pending for a retry: read it again, with its time
                        break
                    handled += 1
        finally:
            _release(contact_id, token)
        if out_of_time:
            jobs.enqueue(jobs.PROCESS_CONTACT, contact_id)
            return handled
        if waiting or not _any_pending(contact_id):  # arrived while we held the lease?
            return handled


def _seconds_until_due(message: InboundMessage) -> float:
    if message.next_attempt_at is None:
        return 0.0
    return max(0.0, (message.next_attempt_at - clock.now()).total_seconds())


def handle_message(message: InboundMessage) -> bool:
    """Handle one message. True when it is done with (processed, or parked as failed); False
    when a transient error left it pending for a retry."""
    try:
        if message.media_status == MediaStatus.PENDING:
            fetch_media(message)
        with transaction.atomic():
            if not statements.take_received(message.pk, clock.now()):
                return True  # handled meanwhile by a worker whose lease had expired
            message.status = Status.PROCESSED
            hook.handle_inbound(message)
    except Exception as exc:
        return _failed(message, exc)
    return True


def _failed(message: InboundMessage, exc: Exception) -> bool:
    """Leave the message pending for a retry (transient error, under the limit: no apology),
    or park it as failed with the apology. Returns whether it was parked."""
    transient = is_transient(exc)
    if transient:
        drop_broken_connection()  # the next statement opens a new connection
    attempts = message.attempts + 1
    who = mask_phone(message.contact.send_to)
    error = repr(exc)[:2000]
    if transient and attempts < settings.WHATSAPP_INBOUND_MAX_ATTEMPTS:
        next_attempt_at = clock.now() + retry_delay(attempts)
        logger.warning(
            "whatsapp message %s from %s: transient error (attempt %d), retry at %s: %s",
            message.wa_message_id,
            who,
            attempts,
            next_attempt_at.isoformat(),
            error,
        )
        InboundMessage.objects.filter(pk=message.pk, status=Status.RECEIVED).update(
            attempts=attempts, next_attempt_at=next_attempt_at, error=error
        )
        message.attempts, message.next_attempt_at, message.error = attempts, next_attempt_at, error
        return False
    logger.error(
        "whatsapp handler failed on message %s from %s (attempt %d), parked as failed",
        message.wa_message_id,
        who,
        attempts,
        exc_info=exc,
    )
    with transaction.atomic():
        failed = InboundMessage.objects.filter(pk=message.pk, status=Status.RECEIVED).update(
            status=Status.FAILED,
            processed_at=clock.now(),
            attempts=attempts,
            next_attempt_at=None,
            error=error,
        )
        if failed:
            message.status = Status.FAILED
            outbox.queue_text(message.contact, APOLOGY)
    return True


def fetch_media(message: InboundMessage) -> None:
    """Download a buyer's image or PDF right away (Meta's URLs expire) and keep it privately."""
    changes: dict[str, object]
    changes = _download(message)
    for field, value in changes.items():
        setattr(message, field, value)
    message.save(update_fields=list(changes))


def _download(message: InboundMessage) -> dict[str, object]:
    who = mask_phone(message.contact.send_to)
    for attempt in range(1, MEDIA_TRIES + 1):
        try:
            media = (
                sandbox.download_media(message.media_id)
                if settings.WHATSAPP_SANDBOX
                else download_media(message.media_id)
            )
        except MediaRefused as exc:
            logger.warning(
                "whatsapp media %s from %s refused: %s", message.media_id, who, exc.message
            )
            return {"media_status": MediaStatus.REFUSED, "media_error": exc.message}
        except GraphError as exc:
            if exc.retryable and attempt < MEDIA_TRIES:
                time.sleep(0.5 * attempt)
                continue
            logger.warning(
                "whatsapp media %s from %s failed: %s", message.media_id, who, exc.describe()
            )
            return {"media_status": MediaStatus.FAILED, "media_error": exc.describe()}
        name = default_storage.save(
            f"whatsapp-media/{message.contact_id}/{message.pk}.{media.extension}",
            ContentFile(media.content),
        )
        return {
            "media_status": MediaStatus.DOWNLOADED,
            "media_file": name,
            "media_content_type": media.mime_type,
            "media_sha256": media.sha256,
            "media_size": media.size,
            "media_error": "",
        }
    raise AssertionError("unreachable")  # pragma: no cover


def sweep_inbox(grace_seconds: float = 30) -> int:
    """Enqueue processing for contacts with messages left unprocessed (a lost task or a dead
    worker whose lease expired) and messages whose retry is due. A contact whose next message
    waits for a retry not due yet is left alone."""
    at = clock.now()
    due = Q(next_attempt_at__isnull=True, received_at__lte=at - timedelta(seconds=grace_seconds))
    waiting = InboundMessage.objects.filter(status=Status.RECEIVED, next_attempt_at__gt=at).values(
        "contact_id"
    )
    contact_ids = list(
        InboundMessage.objects.filter(status=Status.RECEIVED)
        .filter(due | Q(next_attempt_at__lte=at))
        .filter(Q(contact__processing_until__isnull=True) | Q(contact__processing_until__lt=at))
        .exclude(contact_id__in=waiting)
        .order_by()
        .values_list("contact_id", flat=True)
        .distinct()[:500]
    )
    for contact_id in contact_ids:
        jobs.enqueue(jobs.PROCESS_CONTACT, contact_id)
    if contact_ids:
        logger.info("whatsapp inbox sweep: %d contacts to process", len(contact_ids))
    return len(contact_ids)
