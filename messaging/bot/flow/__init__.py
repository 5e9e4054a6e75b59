"""The WhatsApp bot: a deterministic conversation flow.

`machine` is the pure core: (state, context, event, queries) → Turn (new state and context,
replies, effects). `runner` is the thin shell that reads the database, runs the effects with
`raffles.services`, saves the contact and queues the replies in one transaction.
"""
