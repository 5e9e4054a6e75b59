"""The static Pix BR Code: published examples (payload → CRC), the field layout, and
properties over any receiver and amount."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from raffles.payments import pix

# Published payloads (the Banco Central's manual example and public generators' outputs):
# the CRC of each must be the four hex digits it ends with.
PUBLISHED = [
    "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-426655440000"
    "5204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D",
    "00020126330014BR.GOV.BCB.PIX0111579466632345204000053039865404"
    "1.005802BR5925CLENILTON CRUZ DE ALENCAR6006MANAUS62070503***6304FA88",
    "00020126330014BR.GOV.BCB.PIX011197212482404520400005303986540530.00"
    "5802BR5918Victor Julio Rocha6006RECIFE62110507VIPSURF630425A1",
    "00020126410014br.gov.bcb.pix0119rayane@alvoz.com.br5204000053039865802BR"
    "5901N6001C62070503***63043A81",
]


@pytest.mark.parametrize("payload", PUBLISHED)
def test_published_examples_verify(payload: str) -> None:
    assert pix.crc16(payload[:-4]) == payload[-4:]
    assert pix.verifies(payload)


def test_crc_check_value() -> None:
    assert pix.crc16("123456789") == "29B1"  # CRC-16/CCITT-FALSE's catalogue check value


def test_an_order_code_payload() -> None:
    payload = pix.br_code(
        key="fulano@example.com",
        name="Rifa São João",
        city="São Paulo",
        amount=Decimal("30"),
        code="ABC234",
    )
    body = (
        "000201"
        "26400014br.gov.bcb.pix0118fulano@example.com"
        "52040000"
        "5303986"
        "540530.00"
        "5802BR"
        "5913RIFA SAO JOAO"
        "6009SAO PAULO"
        "62100506ABC234"
        "6304"
    )
    assert payload == body + pix.crc16(body)
    fields = pix.parse_fields(payload)
    assert fields["00"] == "01"
    assert fields["52"] == "0000"
    assert fields["53"] == "986"
    assert fields["54"] == "30.00"
    assert fields["58"] == "BR"
    assert fields["59"] == "RIFA SAO JOAO"
    assert fields["60"] == "SAO PAULO"
    assert fields["62"] == "0506ABC234"
    assert pix.verifies(payload)


def test_the_manual_example_is_rebuilt_exactly() -> None:
    """The manual's example, rebuilt by our builder, gives the same text but for the
    normalised name (upper-case ASCII) and so its own CRC."""
    payload = pix.br_code(
        key="123e4567-e12b-12d1-a456-426655440000", name="FULANO DE TAL", city="BRASILIA"
    )
    expected = PUBLISHED[0].replace("Fulano de Tal", "FULANO DE TAL")[:-4]
    assert payload[:-4] == expected
    assert pix.verifies(payload)


@pytest.mark.parametrize(
    ("key", "normal"),
    [
        ("Fulano@Example.COM", "fulano@example.com"),
        ("+55 (11) 98765-4321", "+5511987654321"),
        ("123.456.789-09", "12345678909"),
        ("12.345.678/0001-95", "12345678000195"),
        ("123E4567-E12B-12D1-A456-426655440000", "123e4567-e12b-12d1-a456-426655440000"),
    ],
)
def test_keys_are_normalised(key: str, normal: str) -> None:
    assert pix.normalize_key(key) == normal


@pytest.mark.parametrize("key", ["", "abc", "123", "+12", "a@b"])
def test_bad_keys_are_refused(key: str) -> None:
    with pytest.raises(pix.PixError):
        pix.normalize_key(key)


def test_missing_name_or_city_and_bad_amounts_are_refused() -> None:
    with pytest.raises(pix.PixError, match="name"):
        pix.br_code(key="a@b.co", name="   ", city="Rio")
    with pytest.raises(pix.PixError, match="city"):
        pix.br_code(key="a@b.co", name="Ana", city="!!")
    with pytest.raises(pix.PixError, match="positive"):
        pix.br_code(key="a@b.co", name="Ana", city="Rio", amount=Decimal(0))


def test_qr_png_is_a_png() -> None:
    png = pix.qr_png(PUBLISHED[0])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


@given(
    name=st.text(min_size=1, max_size=60).filter(lambda s: pix.ascii_text(s, 25)),
    city=st.text(min_size=1, max_size=40).filter(lambda s: pix.ascii_text(s, 15)),
    cents=st.integers(min_value=1, max_value=10**10),
    code=st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ23456789", min_size=1, max_size=12),
)
def test_every_payload_is_well_formed(name: str, city: str, cents: int, code: str) -> None:
    amount = Decimal(cents) / 100
    payload = pix.br_code(key="pix@example.com", name=name, city=city, amount=amount, code=code)
    assert payload.isascii()
    assert pix.verifies(payload)
    fields = pix.parse_fields(payload)
    assert list(fields) == ["00", "26", "52", "53", "54", "58", "59", "60", "62", "63"]
    assert 1 <= len(fields["59"]) <= pix.MAX_NAME
    assert 1 <= len(fields["60"]) <= pix.MAX_CITY
    assert fields["59"] == fields["59"].upper()
    assert Decimal(fields["54"]) == amount
    assert fields["62"] == "05" + f"{len(code):02d}" + code
    assert len(fields["26"]) <= 99


@given(st.text(min_size=1, max_size=80))
def test_a_changed_character_breaks_the_crc(noise: str) -> None:
    payload = pix.br_code(key="pix@example.com", name="Ana", city="Rio", code="ABC234")
    changed = payload[:40] + ("X" if payload[40] != "X" else "Y") + payload[41:]
    assert not pix.verifies(changed)
