"""Send the outbox: claim a row, pace, POST it, record the result; retry with backoff.

Order: a contact's rows go out in id order. The send task drains one contact: it takes the
oldest pending row, and stops when that row is claimed by another worker or is waiting for a
retry (later rows wait behind it).

Exactly one sender: a row is claimed with a conditional UPDATE (queued and due, or "sending"
with an expired claim) that sets a random claim token and a lease. The lease runs from the
moment of the claim (or from the row's pacing slot, if later) and is longer than the whole
request timeout (connect + read); it is renewed right before the request (which is not made
if the claim was lost) unless the claim was made for this very slot a moment ago, when its
lease still covers the whole request; results are recorded only under the token. A worker that dies
leaves a "sending" row whose lease runs out; the sweeper then sends it again. So a message is
sent at least once, and twice only when a worker died between Meta accepting the message and
us recording it; never while its first sender may still be sending.

What is retried and for how long: channel.retry_policy. Time is read from channel.clock.
"""

from __future__ import annotations

import logging
import random
import secrets
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q

from messaging.channel import (
    clock,
    jobs,
    outbound_media,
    pacing,
    payloads,
    retry_policy,
    statements,
)
from messaging.channel.graph import CONNECT_TIMEOUT, GraphClient, SendResult, default_read_timeout
from messaging.channel.logutils import mask_phone
from messaging.channel.statuses import replay_statuses
from messaging.exceptions import GraphError
from messaging.models import OutboundMessage

logger = logging.getLogger(__name__)

S = OutboundMessage.Status
BACKOFF_CAP_SECONDS = 900.0
DRAIN_BUDGET_SECONDS = 60.0  # stay well under django-q2's task timeout
MAX_ROWS_PER_DRAIN = 1000
BATCH = 20  # rows read (and pacing slots reserved) at a time
LEASE_MARGIN_SECONDS = 5.0  # past the request timeout: the time to read the body, record it


class ClaimLost(Exception):
    """Another worker took the row over: this one must not send it."""


def lease() -> timedelta:
    """WHATSAPP_SEND_LEASE_SECONDS, but always longer than a whole request (connect + read
    timeouts): a claim never runs out while its request may still be in flight."""
    configured = float(getattr(settings, "WHATSAPP_SEND_LEASE_SECONDS", 60))
    request = CONNECT_TIMEOUT + default_read_timeout()
    return timedelta(seconds=max(configured, request + LEASE_MARGIN_SECONDS))


def backoff_delay(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter: base * 2^(attempt-1), half fixed and half random."""
    base = float(getattr(settings, "WHATSAPP_RETRY_BASE_SECONDS", 2.0))
    growth: int = 2 ** max(attempt - 1, 0)
    delay = min(BACKOFF_CAP_SECONDS, base * growth)
    delay = delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not crypto
    if retry_after:
        delay = max(delay, min(retry_after, BACKOFF_CAP_SECONDS))
    return delay


def claim(row_id: int, *, slot: datetime | None = None) -> str | None:
    """Take a row for sending: a lease from now, or from its pacing `slot` if that is later.
    Returns the claim token, or None if someone else has it."""
    now = clock.now()
    token = secrets.token_hex(16)
    claimed = statements.claim_rows([row_id], token, now, max(now, slot or now) + lease())
    return token if claimed else None


def _sendable_prefix(rows: list[OutboundMessage], now: datetime) -> list[OutboundMessage]:
    """The rows that may go now, in order: up to the first one another worker is sending
    or that waits for a retry (the rows after it wait behind it)."""
    prefix = []
    for row in rows:
        if row.claimed_until is not None and row.claimed_until >= now:
            break  # another worker is sending it; it will go on with the rest
        if row.status == S.QUEUED and row.next_attempt_at > now:
            break  # waiting for a retry; the sweeper comes back for it
        prefix.append(row)
    return prefix


def drain_contact(contact_id: int) -> int:
    """Send this contact's pending rows in order. Returns how many were handled.

    Rows are read a batch at a time, their pacing slots reserved together and the rows
    claimed together (one UPDATE with one token, its lease running from the batch's last
    slot), so one row costs its request and its result. If another worker took one of them
    meanwhile, the batch's claims are undone and the rows are claimed one by one."""
    started = time.monotonic()
    handled = 0
    sent_ids: list[str] = []
    try:
        while handled < MAX_ROWS_PER_DRAIN:
            rows = statements.outbox_rows(contact_id, BATCH)
            batch = _sendable_prefix(rows, clock.now())
            if not batch:
                return handled
            if time.monotonic() - started > DRAIN_BUDGET_SECONDS:
                jobs.enqueue(jobs.SEND_CONTACT_OUTBOX, contact_id)
                return handled
            slots = _slots(len(batch))
            claimed = _claim_batch(batch, slots)
            for row, slot in zip(batch, slots, strict=True):
                if claimed is not None:
                    token, claimed_at = claimed
                else:
                    own = claim(row.pk, slot=slot)
                    if own is None:
                        return handled  # taken meanwhile: its sender goes on with the rest
                    token, claimed_at = own, clock.now()
                row.attempts += 1
                handled += 1
                if not send_claimed(row, token, slot=slot, claimed_at=claimed_at, sent=sent_ids):
                    if claimed is not None:
                        _give_back(batch, token)
                    return handled  # back in the queue for a retry: the rest wait behind it
            if len(rows) < BATCH and len(batch) == len(rows):
                return handled
        return handled
    finally:
        if sent_ids:
            replay_statuses(*sent_ids)


def _claim_batch(
    batch: list[OutboundMessage], slots: list[datetime | None]
) -> tuple[str, datetime] | None:
    """Claim every row of the batch with one token, or none of them (None: another worker
    took one meanwhile; the rows are as they were). Returns the token and the claim's time."""
    if len(batch) == 1:
        return None  # one row: `claim` is the same single statement
    now = clock.now()
    token = secrets.token_hex(16)
    last = max((slot for slot in slots if slot is not None), default=now)
    claimed = statements.claim_rows([row.pk for row in batch], token, now, max(now, last) + lease())
    if claimed == len(batch):
        return token, now
    _give_back(batch, token)
    return None


def _give_back(batch: list[OutboundMessage], token: str) -> None:
    """Undo the batch claim on the rows still held under `token` and not sent: they go back
    to what they were when read (a row claimed by the batch and not tried is claimable again
    at once, in order, by whoever drains the contact next)."""
    for row in batch:
        OutboundMessage.objects.filter(pk=row.pk, claim_token=token, status=S.SENDING).update(
            status=row.status,
            claimed_until=row.claimed_until,
            claim_token=row.claim_token,
            attempts=F("attempts") - 1,
        )


def _slots(count: int) -> list[datetime | None]:
    if settings.WHATSAPP_SANDBOX:
        return [None] * count
    key = settings.WHATSAPP_PHONE_NUMBER_ID or "default"
    return list(pacing.reserve_slots(key, count))


def _finish(row: OutboundMessage, token: str, **changes: object) -> bool:
    updated = OutboundMessage.objects.filter(pk=row.pk, claim_token=token).update(
        claimed_until=None, claim_token="", **changes
    )
    return _recorded(row, bool(updated))


def _recorded(row: OutboundMessage, recorded: bool) -> bool:
    """Whether the result was recorded under the row's claim; a lost claim is logged."""
    if not recorded:
        logger.warning("whatsapp outbox %s: claim lost before the result was recorded", row.pk)
    return recorded


def _renew(row: OutboundMessage, token: str) -> None:
    """Right before the request: the claim is still ours, for a full lease from now."""
    renewed = OutboundMessage.objects.filter(pk=row.pk, claim_token=token, status=S.SENDING).update(
        claimed_until=clock.now() + lease()
    )
    if not renewed:
        raise ClaimLost


def _send(
    row: OutboundMessage, token: str, slot: datetime | None, claimed_at: datetime | None = None
) -> SendResult:
    if row.media_id is None and row.render:
        _attach_rendered(row, token)
    if settings.WHATSAPP_SANDBOX:
        wa_id = (
            "" if row.kind == OutboundMessage.Kind.READ else f"wamid.SANDBOX{secrets.token_hex(12)}"
        )
        return SendResult(wa_id, {"sandbox": True})
    client = GraphClient()
    if slot is None:  # a retry, or a caller that reserved nothing: take the next slot now
        slot = pacing.reserve_slot(client.phone_number_id or "default")
    pacing.wait_until(slot)
    if row.media_id is not None:
        # An upload takes its own request: the lease is renewed around it.
        _renew(row, token)
        _attach_upload(row, token, client)
        _renew(row, token)
    elif not _fresh(claimed_at, slot):
        _renew(row, token)
    return client.send(row.payload)


def _attach_rendered(row: OutboundMessage, token: str) -> None:
    """Draw the row's picture (the send task's work, not the change's) and keep it on the
    row, so a retry uploads the same bytes without drawing again."""
    assert row.render is not None
    media = outbound_media.render(row.render)
    if not OutboundMessage.objects.filter(pk=row.pk, claim_token=token).update(media=media):
        raise ClaimLost
    row.media = media


def _attach_upload(row: OutboundMessage, token: str, client: GraphClient) -> None:
    """Upload the row's file (once: a recorded id is reused while Meta keeps it) and point its
    payload to it (again after a staff re-send, if the id it had ran out)."""
    assert row.media is not None
    media_id = outbound_media.ensure_uploaded(row.media, client)
    if payloads.media_id_of(row.payload) == media_id:
        return
    payload = payloads.with_media_id(row.payload, media_id)
    if not OutboundMessage.objects.filter(pk=row.pk, claim_token=token).update(payload=payload):
        raise ClaimLost
    row.payload = payload


def _fresh(claimed_at: datetime | None, slot: datetime) -> bool:
    """Whether the claim made at `claimed_at` for this `slot` still covers a whole request
    starting now: its lease ran from max(claim, slot) and only a fraction of the margin has
    gone by since, so no other worker can take the row before the request ends and renewing
    it would change nothing."""
    if claimed_at is None:
        return False
    start = max(claimed_at, slot)
    return clock.now() - start < timedelta(seconds=LEASE_MARGIN_SECONDS / 5)


def send_claimed(
    row_or_id: OutboundMessage | int,
    token: str,
    *,
    slot: datetime | None = None,
    claimed_at: datetime | None = None,
    sent: list[str] | None = None,
) -> bool:
    """Send a row this worker claimed (with `token`) and record the result. True when the
    row is finished (sent, or failed, undeliverable or dropped for good); False when it went
    back to the queue for a later retry or the claim was lost. `claimed_at`: when the caller
    claimed it for `slot`, so that a claim that cannot have run out is not renewed. `sent`: a
    list that collects the Meta ids of sent messages, whose early statuses the caller replays
    (all of them in one read); without it they are replayed here."""
    row = (
        row_or_id
        if isinstance(row_or_id, OutboundMessage)
        else OutboundMessage.objects.select_related("contact").get(pk=row_or_id)
    )
    inline_max = float(getattr(settings, "WHATSAPP_INLINE_RETRY_MAX_SECONDS", 10))
    while True:
        verdict = retry_policy.before_attempt(row, clock.now())
        if isinstance(verdict, retry_policy.Stop):
            logger.warning("whatsapp outbox %s %s: %s", row.pk, verdict.status, verdict.reason)
            _finish(
                row, token, status=verdict.status, failed_at=clock.now(), last_error=verdict.reason
            )
            return True
        if isinstance(verdict, retry_policy.Rewrite):
            if not OutboundMessage.objects.filter(pk=row.pk, claim_token=token).update(
                kind=verdict.kind, payload=verdict.payload
            ):
                return False
            row.kind, row.payload = verdict.kind, verdict.payload
        try:
            result = _send(row, token, slot, claimed_at)
        except ClaimLost:
            logger.warning("whatsapp outbox %s: claim lost before the request; not sent", row.pk)
            return False
        except outbound_media.RenderFailed as exc:
            logger.warning("whatsapp outbox %s: %s", row.pk, exc)
            _finish(row, token, status=S.FAILED, failed_at=clock.now(), last_error=str(exc))
            return True
        except GraphError as exc:
            slot = claimed_at = None  # a retry of this row takes a new slot, and renews
            reason = exc.describe()
            logger.warning(
                "whatsapp outbox %s to %s attempt %d failed: %s",
                row.pk,
                mask_phone(row.to),
                row.attempts,
                reason,
            )
            now = clock.now()
            give_up = reason if not exc.retryable else retry_policy.give_up_reason(row, now, reason)
            if give_up:
                _finish(
                    row,
                    token,
                    status=S.FAILED,
                    failed_at=now,
                    error_code=exc.error_code,
                    last_error=give_up,
                )
                return True
            delay = backoff_delay(row.attempts, exc.retry_after)
            if delay > inline_max:
                _finish(
                    row,
                    token,
                    status=S.QUEUED,
                    next_attempt_at=now + timedelta(seconds=delay),
                    error_code=exc.error_code,
                    last_error=reason,
                )
                return False
            still_ours = OutboundMessage.objects.filter(pk=row.pk, claim_token=token).update(
                attempts=F("attempts") + 1,
                claimed_until=now + timedelta(seconds=delay) + lease(),
                error_code=exc.error_code,
                last_error=reason,
            )
            if not still_ours:
                return False
            time.sleep(delay)
            row.attempts += 1
            row.last_error = reason
            continue
        finished = _recorded(
            row, statements.finish_sent(row.pk, token, result.wa_message_id, clock.now())
        )
        if finished:
            logger.info(
                "whatsapp outbox %s %s sent to %s as %s",
                row.pk,
                row.kind,
                mask_phone(row.to),
                result.wa_message_id or "-",
            )
            if result.wa_message_id and sent is not None:
                sent.append(result.wa_message_id)
            elif result.wa_message_id:
                replay_statuses(result.wa_message_id)
        return finished


def sweep_outbox(grace_seconds: float = 30) -> int:
    """Enqueue a send for every contact with a row left queued (its task was lost) or
    half-sent (its worker died), and every row whose next attempt (after an error) is due.
    Claims make duplicate tasks harmless."""
    now = clock.now()
    due = Q(status=S.QUEUED, next_attempt_at__lte=now) & (
        Q(created_at__lte=now - timedelta(seconds=grace_seconds)) | Q(attempts__gt=0)
    )
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    contact_ids = list(
        OutboundMessage.objects.filter((due | Q(status=S.SENDING)) & free)
        .order_by()
        .values_list("contact_id", flat=True)
        .distinct()[:500]
    )
    for contact_id in contact_ids:
        jobs.enqueue(jobs.SEND_CONTACT_OUTBOX, contact_id)
    if contact_ids:
        logger.info("whatsapp outbox sweep: %d contacts to send", len(contact_ids))
    return len(contact_ids)
