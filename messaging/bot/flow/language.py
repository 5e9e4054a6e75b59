"""Which language a buyer writes: from her words (deterministic, no model) and, as a hint,
from her phone's country code. Pure.

    detect("quero 2 números aleatórios") -> "pt-br"
    from_phone("5215512345678") -> "es"
    normalize("pt") -> "pt-br"
"""

from __future__ import annotations

import re

LANGUAGES = ("en", "es", "pt-br")  # the languages the bot speaks

_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "hi",
            "hello",
            "hey",
            "i",
            "want",
            "would",
            "like",
            "ticket",
            "tickets",
            "number",
            "numbers",
            "random",
            "please",
            "pls",
            "thanks",
            "thank",
            "you",
            "how",
            "much",
            "buy",
            "my",
            "the",
            "and",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "good",
            "morning",
            "afternoon",
            "evening",
            "yes",
            "what",
            "when",
            "is",
            "raffle",
            "raffles",
            "english",
            "need",
            "can",
            "pay",
            "paid",
            "where",
            "who",
        ]
    ),
    "es": frozenset(
        [
            "hola",
            "quiero",
            "quisiera",
            "boletos",
            "boleto",
            "gracias",
            "buenas",
            "buenos",
            "días",
            "dias",
            "tardes",
            "noches",
            "azar",
            "cuánto",
            "cuanto",
            "cuesta",
            "rifa",
            "rifas",
            "sorteo",
            "comprar",
            "pagar",
            "pagué",
            "pague",
            "el",
            "los",
            "las",
            "del",
            "y",
            "con",
            "para",
            "una",
            "uno",
            "dos",
            "cuatro",
            "siete",
            "ocho",
            "nueve",
            "diez",
            "mis",
            "necesito",
            "sí",
            "ayuda",
            "español",
            "espanol",
            "números",
            "número",
            "numeros",
            "numero",
            "aleatorios",
            "aleatorio",
            "por",
            "favor",
            "quién",
            "cuándo",
            "cuando",
            "qué",
            "que",
            "es",
            "está",
            "porfa",
        ]
    ),
    "pt-br": frozenset(
        [
            "olá",
            "oi",
            "quero",
            "queria",
            "bilhete",
            "bilhetes",
            "obrigado",
            "obrigada",
            "bom",
            "boa",
            "dia",
            "noite",
            "quanto",
            "custa",
            "rifa",
            "rifas",
            "sorteio",
            "comprar",
            "pagar",
            "paguei",
            "eu",
            "um",
            "uma",
            "dois",
            "duas",
            "quatro",
            "sete",
            "oito",
            "nove",
            "dez",
            "meus",
            "minhas",
            "sim",
            "não",
            "nao",
            "você",
            "voce",
            "ajuda",
            "português",
            "portugues",
            "números",
            "número",
            "numeros",
            "numero",
            "aleatórios",
            "aleatório",
            "aleatórias",
            "aleatorias",
            "por",
            "favor",
            "quando",
            "que",
            "é",
            "está",
            "tudo",
            "bem",
            "gostaria",
            "preciso",
        ]
    ),
}
# Letters and marks only one of the languages uses.
_MARKS = {"es": "ñ¿¡", "pt-br": "ãõçêôà"}
_WORD = re.compile(r"[^\W\d_]+")

# Country calling codes of Spanish- and Portuguese-speaking countries.
_SPANISH_CODES = (
    "52", "53", "54", "56", "57", "58", "34", "51", "591", "593", "595", "598",
    "502", "503", "504", "505", "506", "507", "240",
    "1809", "1829", "1849", "1787", "1939",
)  # fmt: skip
_PORTUGUESE_CODES = ("55", "351", "244", "258", "238", "245", "239", "670")


def detect(text: str) -> str | None:
    """The language the words of `text` are in, or None when they do not tell (numbers only,
    a tie, nothing known)."""
    lowered = (text or "").lower()
    scores = dict.fromkeys(LANGUAGES, 0)
    for word in _WORD.findall(lowered):
        for code, known in _WORDS.items():
            if word in known:
                scores[code] += 1
    for code, marks in _MARKS.items():
        scores[code] += 2 * sum(lowered.count(m) for m in marks)
    best = max(scores.values())
    winners = [code for code, score in scores.items() if score == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def from_phone(wa_id: str) -> str | None:
    """A hint from the phone's country calling code: "es", "pt-br" or None (unknown, or a
    country of several languages such as the USA and Canada)."""
    digits = "".join(ch for ch in wa_id or "" if ch.isdigit())
    if not digits:
        return None
    for codes, language in ((_SPANISH_CODES, "es"), (_PORTUGUESE_CODES, "pt-br")):
        if any(digits.startswith(code) for code in codes):
            return language
    return None


def normalize(code: str) -> str | None:
    """One of LANGUAGES for a stored or configured code ("es-mx" → "es", "pt" → "pt-br")."""
    code = (code or "").strip().lower().replace("_", "-")
    if code in LANGUAGES:
        return code
    base = code.split("-")[0]
    if base == "pt":
        return "pt-br"
    return base if base in LANGUAGES else None
