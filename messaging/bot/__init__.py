"""The WhatsApp bot: the conversation (flow/), its inbound handler, and the buyer notices
written when raffles reports a change. It uses the channel's outbox to send."""
