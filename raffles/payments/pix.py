"""The static Pix "BR Code": the EMV QRCPS-MPM payload a Brazilian bank app reads from a QR
code or takes as "Pix copia e cola" text.

Each field is `ID` (two digits), `length` (two digits) and the value, in this order:
00 payload format "01"; 26 merchant account (00 GUI "br.gov.bcb.pix", 01 the Pix key);
52 merchant category "0000"; 53 currency "986" (BRL); 54 amount ("10.00"); 58 country "BR";
59 merchant name (up to 25); 60 merchant city (up to 15); 62 additional data (05 the
transaction id: the order code, up to 25 letters and digits); 63 the CRC16-CCITT-FALSE of
everything before it, "6304" included, in four upper-case hex digits.

Deterministic and offline: the same order always gives the same text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

GUI = "br.gov.bcb.pix"
MAX_NAME = 25
MAX_CITY = 15
MAX_TXID = 25
MAX_KEY = 77  # the merchant account field (26) holds at most 99 characters
BRL = "BRL"
NO_TXID = "***"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+[1-9]\d{7,14}$")
_EVP = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class PixError(ValueError):
    """The Pix data cannot make a valid BR Code; the message says which part."""


def crc16(data: str) -> str:
    """CRC-16/CCITT-FALSE (polynomial 0x1021, start 0xFFFF, no reflection, no final XOR)
    of the text's bytes, as four upper-case hex digits."""
    crc = 0xFFFF
    for byte in data.encode("utf-8"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def field(field_id: str, value: str) -> str:
    if len(value) > 99:
        raise PixError(f"field {field_id} is longer than 99 characters")
    return f"{field_id}{len(value):02d}{value}"


def ascii_text(value: str, limit: int) -> str:
    """Upper-case ASCII letters, digits and spaces (accents dropped: "São Paulo" → "SAO
    PAULO"), single-spaced, cut to `limit` characters."""
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9 ]", " ", plain).upper()
    return re.sub(r"\s+", " ", plain).strip()[:limit].strip()


def normalize_key(key: str) -> str:
    """A Pix key as the BR Code carries it: an e-mail (lower case), a phone in E.164
    (+55…), a CPF (11 digits) or CNPJ (14 digits) without punctuation, or a random key
    (UUID, lower case). Raises PixError for anything else."""
    key = (key or "").strip()
    if not key:
        raise PixError("the Pix key is empty")
    if "@" in key:
        key = key.lower()
        if not _EMAIL.match(key) or len(key) > MAX_KEY:
            raise PixError("the Pix key is not a valid e-mail address")
        return key
    if _EVP.match(key.lower()):
        return key.lower()
    if key.startswith("+"):
        phone = "+" + re.sub(r"\D", "", key)
        if not _PHONE.match(phone):
            raise PixError("the Pix key is not a valid phone number (+55…)")
        return phone
    digits = re.sub(r"[.\-/\s]", "", key)
    if digits.isdigit() and len(digits) in (11, 14):
        return digits
    raise PixError("the Pix key must be an e-mail, a +55 phone, a CPF, a CNPJ or a random key")


def txid(code: str) -> str:
    """The transaction id: the letters and digits of the order code (at most 25)."""
    value = re.sub(r"[^A-Za-z0-9]", "", code)[:MAX_TXID]
    return value or NO_TXID


@dataclass(frozen=True)
class PixReceiver:
    key: str
    name: str
    city: str


def receiver(key: str, name: str, city: str) -> PixReceiver:
    """Checked and normalised receiver data (raises PixError naming what is missing)."""
    clean_name, clean_city = ascii_text(name, MAX_NAME), ascii_text(city, MAX_CITY)
    if not clean_name:
        raise PixError("the Pix merchant name is empty")
    if not clean_city:
        raise PixError("the Pix merchant city is empty")
    return PixReceiver(normalize_key(key), clean_name, clean_city)


def amount_text(amount: Decimal) -> str:
    value = Decimal(amount).quantize(Decimal("0.01"))
    if value <= 0:
        raise PixError("the amount must be positive")
    text = f"{value:f}"
    if len(text) > 13:
        raise PixError("the amount is too large for a BR Code")
    return text


def br_code(
    *, key: str, name: str, city: str, amount: Decimal | None = None, code: str = ""
) -> str:
    """The static BR Code ("Pix copia e cola") for one payment."""
    who = receiver(key, name, city)
    parts = [
        field("00", "01"),
        field("26", field("00", GUI) + field("01", who.key)),
        field("52", "0000"),
        field("53", "986"),
    ]
    if amount is not None:
        parts.append(field("54", amount_text(amount)))
    parts += [
        field("58", "BR"),
        field("59", who.name),
        field("60", who.city),
        field("62", field("05", txid(code))),
        "6304",
    ]
    body = "".join(parts)
    return body + crc16(body)


def parse_fields(payload: str) -> dict[str, str]:
    """The top-level fields of a payload, by id (for checks and tests)."""
    found: dict[str, str] = {}
    i = 0
    while i < len(payload):
        field_id, length = payload[i : i + 2], int(payload[i + 2 : i + 4])
        found[field_id] = payload[i + 4 : i + 4 + length]
        i += 4 + length
    return found


def verifies(payload: str) -> bool:
    """Is the trailing CRC (field 63) right for the rest of the payload?"""
    return len(payload) > 8 and payload[-8:-4] == "6304" and crc16(payload[:-4]) == payload[-4:]


def qr_png(payload: str, *, scale: int = 8) -> bytes:
    """The payload as a QR code picture (PNG, error correction M, with its quiet zone)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
