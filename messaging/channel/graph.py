"""A small client for the WhatsApp Cloud (Graph) API.

URLs are `WHATSAPP_API_BASE_URL/WHATSAPP_API_VERSION/...`; the bearer token comes from
settings and is never logged. Errors become `GraphError`, classified as retryable or not.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from messaging.channel import graph_http
from messaging.channel.media_ids import check_media_id
from messaging.exceptions import GraphError, InvalidMediaId

# Meta error codes worth trying again: throttling, temporary errors, pair rate limit.
RETRYABLE_CODES = frozenset({4, 80007, 130429, 131000, 131016, 131056})
CONNECT_TIMEOUT = 5.0

_local = threading.local()


def default_read_timeout() -> float:
    """20 s, but always well inside the send lease (a row is re-sent once its lease expires)."""
    lease = float(getattr(settings, "WHATSAPP_SEND_LEASE_SECONDS", 60))
    return min(float(getattr(settings, "WHATSAPP_HTTP_TIMEOUT_SECONDS", 20)), lease / 2)


def session() -> requests.Session:
    """One pooled session per thread (a Session is not guaranteed thread-safe)."""
    current = getattr(_local, "session", None)
    if current is None:
        current = requests.Session()
        current.headers["User-Agent"] = "raffle-backoffice/whatsapp"
        _local.session = current
    return current


@dataclass(frozen=True)
class SendResult:
    wa_message_id: str  # "" for mark-as-read
    response: dict[str, Any]


@dataclass(frozen=True)
class MediaInfo:
    id: str
    url: str
    mime_type: str
    sha256: str
    file_size: int | None


def error_from_response(response: requests.Response) -> GraphError:
    """Meta's error body: {"error": {"message", "type", "code", "error_subcode",
    "error_data": {"details"}, "fbtrace_id"}}."""
    try:
        data = response.json()
    except ValueError:
        data = None
    return error_from_parts(response.status_code, response.headers.get("Retry-After", ""), data)


def error_from_parts(status: int, retry_after_header: str, data: object) -> GraphError:
    """The GraphError for an answer with HTTP `status`, its Retry-After header and its
    decoded JSON body (None when it was not JSON)."""
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        error = {}
    code = error.get("code") if isinstance(error.get("code"), int) else None
    details = error.get("error_data", {})
    details = details.get("details", "") if isinstance(details, dict) else ""
    retry_after: float | None = None
    try:
        retry_after = float(retry_after_header or "")
    except ValueError:
        retry_after = None
    return GraphError(
        str(error.get("message") or f"HTTP {status} from the Graph API"),
        http_status=status,
        error_code=code,
        error_subcode=error.get("error_subcode")
        if isinstance(error.get("error_subcode"), int)
        else None,
        details=str(details),
        fbtrace_id=str(error.get("fbtrace_id") or ""),
        retryable=status == 429 or status >= 500 or code in RETRYABLE_CODES,
        retry_after=retry_after,
    )


class GraphClient:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        version: str | None = None,
        token: str | None = None,
        phone_number_id: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.base_url = (base_url or settings.WHATSAPP_API_BASE_URL).rstrip("/")
        self.version = version or settings.WHATSAPP_API_VERSION
        self._token = token if token is not None else settings.WHATSAPP_ACCESS_TOKEN
        self.phone_number_id = phone_number_id or settings.WHATSAPP_PHONE_NUMBER_ID
        self.timeout = (
            CONNECT_TIMEOUT,
            timeout or default_read_timeout(),
        )

    def __repr__(self) -> str:  # never show the token
        return f"GraphClient({self.base_url}/{self.version}, phone {self.phone_number_id})"

    def url(self, *parts: str) -> str:
        return "/".join([self.base_url, self.version, *parts])

    @property
    def auth_header(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            response = session().request(
                method, url, headers=self.auth_header, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise GraphError(
                f"Could not reach the Graph API ({type(exc).__name__})", retryable=True
            ) from None
        if response.status_code >= 400:
            raise error_from_response(response)
        return response

    # --- sending ------------------------------------------------------------------------
    def send(self, payload: dict[str, Any]) -> SendResult:
        """POST one message body (or a mark-as-read body) as built by `channel.payloads`."""
        url = self.url(self.phone_number_id, "messages")
        data = (
            self._post_message(url, payload)
            if graph_http.direct(url)
            else self._post_slow(url, payload)
        )
        if payload.get("status") == "read":
            return SendResult("", data)
        try:
            wa_message_id = str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            raise GraphError("The Graph API answered without a message id") from None
        return SendResult(wa_message_id, data)

    def _post_message(self, url: str, payload: dict[str, Any]) -> Any:
        """The message POST on this thread's kept-alive connection (graph_http)."""
        try:
            answer = graph_http.post(
                url, graph_http.dumps(payload), self.auth_header, *self.timeout
            )
        except (OSError, http.client.HTTPException) as exc:
            raise GraphError(
                f"Could not reach the Graph API ({type(exc).__name__})", retryable=True
            ) from None
        try:
            data = answer.json()
        except ValueError:
            data = None
        if answer.status >= 400:
            raise error_from_parts(answer.status, answer.retry_after, data)
        if data is None:
            raise GraphError("The Graph API answered with something that is not JSON")
        return data

    def _post_slow(self, url: str, payload: dict[str, Any]) -> Any:
        """The same through `requests` (an origin behind a proxy)."""
        response = self._request("POST", url, json=payload)
        try:
            return response.json()
        except ValueError:
            raise GraphError("The Graph API answered with something that is not JSON") from None

    # --- media --------------------------------------------------------------------------
    def upload_media(self, content: bytes, mime_type: str, filename: str = "file") -> str:
        """POST /{version}/{phone-number-id}/media (multipart): Meta's id for the file."""
        response = self._request(
            "POST",
            self.url(self.phone_number_id, "media"),
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename or "file", content, mime_type)},
        )
        try:
            return check_media_id(str(response.json()["id"]))
        except (ValueError, KeyError, TypeError, InvalidMediaId):
            raise GraphError("The media upload answered without an id") from None

    def media_info(self, media_id: str) -> MediaInfo:
        """GET /{version}/{media-id}: where to download it (the URL is valid for minutes)."""
        response = self._request("GET", self.url(check_media_id(media_id)))
        try:
            data = response.json()
            size = data.get("file_size")
            return MediaInfo(
                id=str(data.get("id") or media_id),
                url=str(data["url"]),
                mime_type=str(data.get("mime_type") or ""),
                sha256=str(data.get("sha256") or ""),
                file_size=int(size) if size not in (None, "") else None,
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            raise GraphError("The media endpoint answered without a download URL") from None

    def open_download(self, url: str) -> requests.Response:
        """GET a media URL with the bearer token, streamed, redirects not followed."""
        try:
            return session().get(
                url,
                headers=self.auth_header,
                timeout=self.timeout,
                stream=True,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise GraphError(
                f"Could not download the media ({type(exc).__name__})", retryable=True
            ) from None
