"""Pictures of the raffle domain, rendered by the server: a raffle's board (which numbers
are free, one block at a time) and a paid order's ticket (with a QR code of its
verification link).

The renderers (`board`, `ticket`) are pure: data in, a Pillow image or PNG bytes out; they
know nothing of WhatsApp or the web, and every label comes from the caller (already in the
reader's language). `cache` reads what a board shows from the database and keeps its PNG
until the raffle's next change.
"""
