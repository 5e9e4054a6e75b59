"""Staff re-send outbound messages that did not reach the buyer, and see why they did not.

One home for the rule, used by the portal, the API and `manage.py resend_outbox`: a failed or
undeliverable row goes back to the queue in place (so it keeps its place in the contact's
order), with a fresh retry period (retry_policy, counted from `resent_at`). Read receipts are
never re-sent: they would be older than a minute. Every re-send is audited with who did it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from messaging.channel import clock, jobs
from messaging.exceptions import NotResendable
from messaging.models import OutboundMessage
from raffles.audit import EventKind
from raffles.services import log_event
from raffles.services.actors import ActorLike

logger = logging.getLogger(__name__)

S = OutboundMessage.Status


def resendable() -> QuerySet[OutboundMessage]:
    return OutboundMessage.objects.filter(status__in=OutboundMessage.UNSENT_STATUSES).exclude(
        kind=OutboundMessage.Kind.READ
    )


def troubled_messages(*, include_failing: bool = True) -> QuerySet[OutboundMessage]:
    """What staff should look at, newest first: failed, undeliverable and dropped rows, and
    (with `include_failing`) rows still being retried after an error."""
    problems = Q(status__in=[*OutboundMessage.UNSENT_STATUSES, S.DROPPED])
    if include_failing:
        problems |= Q(status__in=OutboundMessage.PENDING_STATUSES, attempts__gt=0) & ~Q(
            last_error=""
        )
    return (
        OutboundMessage.objects.filter(problems)
        .select_related("contact")
        .order_by("-created_at", "-id")
    )


def resend_message(row_id: int, *, by: ActorLike = None, via: str = "") -> OutboundMessage:
    """Queue a failed or undeliverable row again and send it after commit. Audited."""
    with transaction.atomic():
        row = OutboundMessage.objects.filter(pk=row_id).first()
        if row is None:
            raise NotResendable(_("Outbound message %(id)s does not exist.") % {"id": row_id})
        if row.kind == OutboundMessage.Kind.READ:
            raise NotResendable(_("Read receipts are never re-sent."))
        now = clock.now()
        updated = (
            resendable()
            .filter(pk=row.pk)
            .update(
                status=S.QUEUED,
                attempts=0,
                next_attempt_at=now,
                resent_at=now,
                claimed_until=None,
                claim_token="",
                failed_at=None,
            )
        )
        if not updated:
            raise NotResendable(
                _("Only failed or undeliverable messages can be re-sent (this one is %(s)s).")
                % {"s": row.get_status_display()}
            )
        log_event(
            kind=EventKind.OUTBOX_RESENT,
            by=by,
            outbound=row.pk,
            contact=row.contact_id,
            previous_status=row.status,
            previous_error=row.last_error[:500],
            via=via,
        )
        jobs.enqueue_after_commit(jobs.SEND_CONTACT_OUTBOX, row.contact_id)
    logger.info("whatsapp outbox %s re-sent by staff (was %s)", row.pk, row.status)
    row.refresh_from_db()
    return row


def unsent_between(since: datetime, until: datetime) -> QuerySet[OutboundMessage]:
    """Failed and undeliverable rows queued in [since, until), oldest first."""
    return resendable().filter(created_at__gte=since, created_at__lt=until).order_by("id")


def resend_between(
    since: datetime, until: datetime, *, by: ActorLike = None, via: str = ""
) -> list[OutboundMessage]:
    """Re-send every failed or undeliverable row queued in [since, until), oldest first.
    Rows that changed meanwhile (re-sent by someone else) are skipped."""
    done = []
    for row_id in unsent_between(since, until).values_list("pk", flat=True):
        try:
            done.append(resend_message(row_id, by=by, via=via))
        except NotResendable:
            continue
    return done
