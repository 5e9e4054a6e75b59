"""WhatsApp channel errors. One base class; subclasses carry what staff or the bot need."""

from __future__ import annotations


class MessagingError(Exception):
    """Base class of every messaging error."""

    code = "messaging_error"

    def __init__(self, message: str = "") -> None:
        self.message = message or (self.__doc__ or self.code).strip()
        super().__init__(self.message)


class InvalidOutboundMessage(MessagingError, ValueError):
    """The message cannot be sent as asked (too many buttons, empty text, ...)."""

    code = "invalid_outbound_message"


class WindowClosed(MessagingError):
    """The buyer's 24-hour customer-service window is closed: free-form replies are not
    allowed until they write again."""

    code = "window_closed"


class MessageNotFailed(MessagingError):
    """Only a message parked as failed can be retried: this one is not (any more)."""

    code = "message_not_failed"


class GraphError(MessagingError):
    """The Graph API refused a request or could not be reached."""

    code = "graph_error"

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        error_code: int | None = None,
        error_subcode: int | None = None,
        details: str = "",
        fbtrace_id: str = "",
        retryable: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.error_code = error_code
        self.error_subcode = error_subcode
        self.details = details
        self.fbtrace_id = fbtrace_id
        self.retryable = retryable
        self.retry_after = retry_after

    def describe(self) -> str:
        """One line for staff: code, message and Meta's details."""
        parts = []
        if self.error_code is not None:
            parts.append(f"[{self.error_code}]")
        elif self.http_status is not None:
            parts.append(f"[HTTP {self.http_status}]")
        parts.append(self.message)
        if self.details and self.details != self.message:
            parts.append(f"- {self.details}")
        return " ".join(parts)


class MediaRefused(MessagingError):
    """A media file was not downloaded: it broke a safety rule."""

    code = "media_refused"


class MediaHostNotAllowed(MediaRefused):
    """The media URL (or a redirect) points to a host we do not trust."""

    code = "media_host_not_allowed"


class MediaTooLarge(MediaRefused):
    """The media file is larger than allowed."""

    code = "media_too_large"


class MediaTypeNotAllowed(MediaRefused):
    """The file's content is not a JPEG, PNG, WebP image or a PDF."""

    code = "media_type_not_allowed"


class MediaIntegrityError(MediaRefused):
    """The downloaded bytes do not match the checksum Meta announced."""

    code = "media_integrity_error"


class NotResendable(MessagingError):
    """This outbound message cannot be re-sent: only failed or undeliverable messages can."""

    code = "not_resendable"


class InvalidMediaId(MediaRefused):
    """The media id is not one Meta sends (letters, digits, '-' or '_', at most 128): it
    was not requested from the Graph API."""

    code = "invalid_media_id"
