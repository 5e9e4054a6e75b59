"""The WhatsApp channel: webhook, signature, inbound store, identity, outbox, sending, the
Graph client, media, pacing and the tasks that move messages. It knows nothing of the bot:
each stored inbound message goes to the handler named by WHATSAPP_INBOUND_HANDLER."""
