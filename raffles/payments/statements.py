"""Bank statements read into lines: a generic CSV (its header names the date, description
and amount columns in English, Spanish or Portuguese), a CSV with a saved column mapping,
and OFX (1.x SGML or 2.x XML). Pure: bytes in, `ParsedStatement` out."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from raffles.payments.amounts import (
    StatementValueError,
    infer_date_order,
    infer_decimal,
    read_amount,
    read_date,
)

FORMATS = ("csv", "ofx")
MAX_LINES = 20_000
HEADER_SCAN = 25

# Header words per role (accents dropped, lower case). A header's first word found in any
# set decides its role ("fecha valor" is a date, "valor" an amount).
DATE_WORDS = {"date", "fecha", "data", "posted", "dia", "day"}
TEXT_WORDS = {
    "description", "descripcion", "concepto", "referencia", "reference", "historico",
    "memo", "detalle", "detalles", "detalhe", "detalhes", "descricao", "lancamento",
    "narrative", "details", "payee", "documento", "document", "ordenante", "remitente",
    "pagador", "observaciones",
}  # fmt: skip
AMOUNT_WORDS = {"amount", "monto", "importe", "valor", "value", "quantia"}
CREDIT_WORDS = {"credit", "credito", "creditos", "abono", "abonos", "entrada", "entradas"}


class StatementFormatError(ValueError):
    """The file is not a statement this reader understands; the message says why."""


@dataclass(frozen=True)
class Mapping:
    """Which columns hold what (header names as in the file), and how values are written."""

    date_column: str
    description_columns: tuple[str, ...]
    amount_column: str
    decimal: str | None = None  # "," or "."; None: read from the column
    date_order: str | None = None  # "dmy", "mdy", "ymd"; None: read from the column
    delimiter: str | None = None


@dataclass
class ParsedLine:
    row: int  # line of the file (1 = first)
    date: date | None
    amount: Decimal | None
    description: str
    reference: str = ""  # OFX FITID
    currency: str = ""
    error: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedStatement:
    format: str
    lines: list[ParsedLine]
    columns: dict[str, Any] = field(default_factory=dict)


def decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def header_key(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def detect_format(content: bytes, filename: str = "") -> str:
    head = content[:2048].lstrip().upper()
    if filename.lower().endswith((".ofx", ".qfx")) or head.startswith((b"OFXHEADER", b"<?XML")):
        return "ofx"
    if b"<OFX>" in content[:8192].upper():
        return "ofx"
    return "csv"


def parse(
    content: bytes, *, format: str = "", filename: str = "", mapping: Mapping | None = None
) -> ParsedStatement:
    """Read a statement file. `format` "csv" or "ofx" (empty: detected)."""
    kind = format or detect_format(content, filename)
    if kind not in FORMATS:
        raise StatementFormatError(f"unknown format “{kind}”: use csv or ofx")
    if kind == "ofx":
        return parse_ofx(content)
    return parse_csv(content, mapping=mapping)


# --- CSV -------------------------------------------------------------------------------


def _rows(text: str, delimiter: str | None) -> list[list[str]]:
    lines = text.splitlines()  # any line end: \n, \r\n, a lone \r
    sample = "\n".join(lines[:HEADER_SCAN])
    try:
        if delimiter is None:
            try:
                delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
            except csv.Error:
                delimiter = ";" if sample.count(";") > sample.count(",") else ","
        return list(csv.reader(lines, delimiter=delimiter))
    except csv.Error as exc:
        raise StatementFormatError(f"the CSV cannot be read: {exc}") from None


def _role(name: str) -> str:
    for word in header_key(name).split():
        if word in DATE_WORDS:
            return "date"
        if word in AMOUNT_WORDS:
            return "amount"
        if word in CREDIT_WORDS:
            return "credit"
        if word in TEXT_WORDS:
            return "text"
        if word in {"saldo", "balance", "debit", "debito", "cargo", "cargos", "saida"}:
            return ""
    return ""


def guess_columns(header: list[str]) -> Mapping | None:
    """The mapping a header implies, or None when it lacks a date, text or amount column."""
    roles = [_role(name) for name in header]
    dates = [header[i] for i, r in enumerate(roles) if r == "date"]
    texts = tuple(header[i] for i, r in enumerate(roles) if r == "text")
    amounts = [header[i] for i, r in enumerate(roles) if r == "amount"] or [
        header[i] for i, r in enumerate(roles) if r == "credit"
    ]
    if not (dates and texts and amounts):
        return None
    return Mapping(date_column=dates[0], description_columns=texts, amount_column=amounts[0])


def _find_header(rows: list[list[str]], mapping: Mapping | None) -> tuple[int, Mapping]:
    for index, row in enumerate(rows[:HEADER_SCAN]):
        cells = [c.strip() for c in row]
        if mapping is not None:
            keys = {header_key(c) for c in cells}
            wanted = (mapping.date_column, mapping.amount_column, *mapping.description_columns)
            if all(header_key(w) in keys for w in wanted):
                return index, mapping
            continue
        guessed = guess_columns(cells)
        if guessed is not None:
            return index, guessed
    if mapping is not None:
        raise StatementFormatError(
            "the file has no header row with the mapping's columns "
            f"({mapping.date_column}, {', '.join(mapping.description_columns)}, "
            f"{mapping.amount_column})"
        )
    raise StatementFormatError(
        "no header row names a date (date/fecha/data), a description "
        "(description/concepto/referencia/histórico) and an amount (amount/monto/importe/valor)"
    )


def parse_csv(content: bytes, *, mapping: Mapping | None = None) -> ParsedStatement:
    rows = _rows(decode(content), mapping.delimiter if mapping else None)
    start, used = _find_header(rows, mapping)
    header = [header_key(c) for c in rows[start]]
    position = {name: i for i, name in reversed(list(enumerate(header)))}

    def cell(row: list[str], column: str) -> str:
        i = position.get(header_key(column))
        return row[i].strip() if i is not None and i < len(row) else ""

    body = [
        (start + 2 + n, row)
        for n, row in enumerate(rows[start + 1 :])
        if any(c.strip() for c in row)
    ]
    if len(body) > MAX_LINES:
        raise StatementFormatError(f"the file has more than {MAX_LINES} lines")
    decimal, order = used.decimal, used.date_order
    try:
        decimal = decimal or infer_decimal(cell(r, used.amount_column) for _n, r in body)
        order = order or infer_date_order(cell(r, used.date_column) for _n, r in body)
    except StatementValueError as exc:
        raise StatementFormatError(str(exc)) from None
    lines = []
    for number, row in body:
        text = " ".join(filter(None, (cell(row, c) for c in used.description_columns)))
        raw = {rows[start][i].strip(): value for i, value in enumerate(row) if i < len(rows[start])}
        line = ParsedLine(row=number, date=None, amount=None, description=text, raw=raw)
        try:
            line.date = read_date(cell(row, used.date_column), order)
            line.amount = read_amount(cell(row, used.amount_column), decimal)
        except StatementValueError as exc:
            line.error = str(exc)
        lines.append(line)
    columns = {
        "date": used.date_column,
        "description": list(used.description_columns),
        "amount": used.amount_column,
        "decimal": decimal,
        "date_order": order,
    }
    return ParsedStatement("csv", lines, columns)


# --- OFX -------------------------------------------------------------------------------

_TRANSACTION = re.compile(
    r"<STMTTRN>(.*?)(?:</STMTTRN>|(?=<STMTTRN>)|(?=</BANKTRANLIST>))", re.S | re.I
)
_TAG = re.compile(r"<([A-Z0-9.]+)>([^<\r\n]*)", re.I)


def _tags(block: str) -> dict[str, str]:
    return {name.upper(): value.strip() for name, value in _TAG.findall(block)}


def parse_ofx(content: bytes) -> ParsedStatement:
    text = decode(content)
    if "<OFX>" not in text.upper():
        raise StatementFormatError("not an OFX file (no <OFX> element)")
    currency = ""
    found = re.search(r"<CURDEF>([A-Za-z]{3})", text, re.I)
    if found:
        currency = found[1].upper()
    blocks = _TRANSACTION.findall(text)
    if len(blocks) > MAX_LINES:
        raise StatementFormatError(f"the file has more than {MAX_LINES} lines")
    tags = [_tags(block) for block in blocks]
    try:
        decimal = infer_decimal(t.get("TRNAMT", "") for t in tags) or "."
    except StatementValueError as exc:
        raise StatementFormatError(str(exc)) from None
    lines = []
    for number, values in enumerate(tags, start=1):
        description = " ".join(
            dict.fromkeys(filter(None, (values.get("NAME", ""), values.get("MEMO", ""))))
        )
        line = ParsedLine(
            row=number,
            date=None,
            amount=None,
            description=description,
            reference=values.get("FITID", ""),
            currency=currency,
            raw=values,
        )
        try:
            line.date = read_date(values.get("DTPOSTED", ""), "ymd")
            line.amount = read_amount(values.get("TRNAMT", ""), decimal)
        except StatementValueError as exc:
            line.error = str(exc)
        lines.append(line)
    return ParsedStatement("ofx", lines, {"currency": currency})
