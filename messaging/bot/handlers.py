"""The bot's inbound handler: the channel calls it (WHATSAPP_INBOUND_HANDLER, through
`messaging.channel.hook`) once for each inbound message, in order per contact.

It runs inside the transaction that marks the message processed: raise to roll back its
effects. A transient database error (see messaging/channel/transient.py) leaves the message pending
for a retry; any other error parks it as failed and the buyer gets an apology. Send replies only
through `messaging.channel.outbox`.
"""

from __future__ import annotations

from messaging import staff_approvals
from messaging.bot.flow import runner
from messaging.models import InboundMessage

NOT_READ_TYPES = frozenset({"system"})


def handle_inbound(message: InboundMessage) -> None:
    if message.type in NOT_READ_TYPES:
        return
    if staff_approvals.handle(message):  # a reviewer's Approve / Reject, by her sender id
        return
    runner.respond(message)  # the read receipt, then the answer (if any: see runner.respond)
