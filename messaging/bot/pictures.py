"""The bot's pictures as outbox rows: a raffle's board (rendered by raffles.images, cached
until the raffle's next change) and its prize photo. The texts on the board are in the
buyer's language (the caller's active translation)."""

from __future__ import annotations

from messaging.bot.flow.replies import Picture
from messaging.bot.flow.screens.pictures import board_labels
from messaging.channel import outbox
from messaging.models import Contact, OutboundMessage
from raffles import services
from raffles.images.board import Block, BoardLabels
from raffles.images.cache import board_picture
from raffles.models import Raffle
from raffles.payments import pix


def board_png(raffle: Raffle, around: int | None = None) -> bytes:
    def labels(block: Block) -> BoardLabels:
        subtitle, free, taken = board_labels(
            raffle.format_number(block.first),
            raffle.format_number(block.last),
            raffle.format_number(raffle.min_number),
            raffle.format_number(raffle.max_number),
        )
        return BoardLabels(title=raffle.title, subtitle=subtitle, free=free, taken=taken)

    return board_picture(raffle, labels, around=around).png


def queue_picture(contact: Contact, picture: Picture) -> OutboundMessage | None:
    """Queue the picture; None when there is nothing to show (no such raffle, no photo)."""
    raffle = Raffle.objects.filter(pk=picture.raffle_id).first()
    if raffle is None:
        return None
    if picture.what == "board":
        return outbox.queue_image(contact, board_png(raffle, picture.around), caption=raffle.title)
    if picture.what == "pix" and picture.text:
        return outbox.queue_image(contact, pix.qr_png(picture.text), caption="Pix")
    if picture.what == "prize":
        photo = services.prize_photo_bytes(raffle)
        if photo is None:
            return None
        content, mime_type = photo
        return outbox.queue_image(contact, content, mime_type, caption=raffle.prize or raffle.title)
    return None
