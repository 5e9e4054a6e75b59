"""What an everyday message is about, when it is not a command or numbers. Pure and
deterministic.

Each intent has patterns in English, Spanish and Portuguese (pt-BR). A pattern is a few words
that must all appear in the message, in any order ("when" + "draw" matches "so when is the
draw??"). Case, accents and punctuation do not matter (`buyer_text.fold`), and a word of five
letters or more may have one typo (one letter missing, extra, wrong, or two swapped:
"paymnet", "gracais"). The pattern with the most words wins; on a tie the intent listed first
in `INTENTS` wins (a person or an opt-out before thanks). Staff FAQ entries (`FaqView`) are
matched the same way; an entry wins over a built-in intent only with a longer pattern.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from messaging.bot.flow.buyer_text import tokens

FUZZY_MIN = 5  # words this long may have one typo


class Intent(StrEnum):
    HUMAN = "human"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    PAYMENT_STATUS = "payment_status"
    MY_NUMBERS = "my_numbers"
    FREE_NUMBERS = "free_numbers"
    CLAIM = "claim"
    DRAW_DATE = "draw_date"
    PRICE = "price"
    PRIZES = "prizes"
    VERIFY = "verify"
    HELP = "help"
    THANKS = "thanks"


def _p(*patterns: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(p.split()) for p in patterns)


# Folded (lower case, no accents). Listed per intent in priority order.
INTENTS: dict[Intent, tuple[tuple[str, ...], ...]] = {
    Intent.HUMAN: _p(
        # en
        "human",
        "agent",
        "talk person",
        "speak person",
        "talk someone",
        "speak someone",
        "real person",
        "talk human",
        "customer service",
        # es
        "humano",
        "asesor",
        "hablar alguien",
        "hablar persona",
        "hablar humano",
        "hablar asesor",
        "hablar agente",
        "atencion cliente",
        # pt
        "atendente",
        "falar alguem",
        "falar pessoa",
        "falar humano",
        "falar atendente",
    ),
    Intent.OPT_OUT: _p(
        "stop",
        "unsubscribe",
        "opt out",
        "no more messages",
        "stop messages",
        "baja",
        "darme baja",
        "desuscribir",
        "desuscribirme",
        "no mas mensajes",
        "no quiero mensajes",
        "parar",
        "pare",
        "descadastrar",
        "cancelar inscricao",
        "nao quero mensagens",
        "parar mensagens",
    ),
    Intent.OPT_IN: _p(
        "subscribe",
        "opt in",
        "send me news",
        "alta",
        "darme de alta",
        "suscribir",
        "suscribirme",
        "quiero mensajes",
        "quero mensagens",
        "quero receber mensagens",
        "inscrever",
    ),
    Intent.PAYMENT_STATUS: _p(
        "my payment",
        "payment status",
        "get payment",
        "got payment",
        "receive payment",
        "received payment",
        "payment received",
        "payment confirmed",
        "receive money",
        "got money",
        "mi pago",
        "recibieron pago",
        "recibiste pago",
        "recibio pago",
        "llego pago",
        "estado pago",
        "confirmaron pago",
        "mi transferencia",
        "recibieron transferencia",
        "llego transferencia",
        "meu pagamento",
        "recebeu pagamento",
        "receberam pagamento",
        "status pagamento",
        "meu pix",
        "recebeu pix",
        "receberam pix",
        "caiu pix",
    ),
    Intent.MY_NUMBERS: _p(
        "my numbers",
        "my tickets",
        "numbers have",
        "tickets have",
        "mis numeros",
        "mis boletos",
        "numeros tengo",
        "boletos tengo",
        "meus numeros",
        "meus bilhetes",
        "numeros tenho",
        "numbers bought",
        "numbers buy",
        "numeros compre",
        "numeros comprei",
    ),
    Intent.FREE_NUMBERS: _p(
        "numbers free",
        "numbers left",
        "numbers available",
        "numbers still available",
        "which numbers",
        "what numbers",
        "numbers remain",
        "numeros quedan",
        "numeros libres",
        "numeros disponibles",
        "cuales numeros",
        "que numeros quedan",
        "numeros livres",
        "numeros disponiveis",
        "numeros restam",
        "numeros sobram",
        "quais numeros",
    ),
    Intent.CLAIM: _p(
        "claim",
        "claim prize",
        "reclamar",
        "reclamar premio",
        "cobrar premio",
        "resgatar",
        "resgatar premio",
        "retirar premio",
    ),
    Intent.DRAW_DATE: _p(
        "when draw",
        "draw date",
        "drawing",
        "when raffle",
        "cuando sorteo",
        "fecha sorteo",
        "cuando rifa",
        "cuando juega",
        "cuando sortea",
        "cuando sortean",
        "quando sorteio",
        "data sorteio",
        "quando rifa",
        "quando sorteia",
    ),
    Intent.PRICE: _p(
        "price",
        "how much",
        "cost",
        "costs",
        "precio",
        "cuanto",
        "cuesta",
        "costo",
        "valor",
        "preco",
        "quanto",
        "custa",
    ),
    Intent.PRIZES: _p(
        "prize",
        "prizes",
        "what win",
        "premio",  # es; pt "prêmio" folds to it
        "premios",
        "que gana",
        "que ganha",
    ),
    Intent.VERIFY: _p(
        # en
        "verify",
        "verification",
        "how winner",
        "winner chosen",
        "winner picked",
        "winner selected",
        "commitment",
        "hash",
        "fair draw",
        "draw fair",
        "rigged",
        # es
        "verificar",
        "verificacion",
        "como ganador",
        "elige ganador",
        "eligen ganador",
        "escoge ganador",
        "sorteo justo",
        "sorteo transparente",
        "trampa",
        # pt
        "verificacao",
        "escolhe ganhador",
        "escolhido ganhador",
        "como ganhador",
        "sorteio justo",
        "sorteio transparente",
    ),
    Intent.HELP: _p(
        "help",
        "how works",
        "what can you do",
        "dont understand",
        "ayuda",
        "como funciona",
        "no entiendo",
        "ajuda",
        "nao entendi",
        "nao entendo",
    ),
    Intent.THANKS: _p(
        "thanks",
        "thank",
        "thx",
        "ty",
        "gracias",
        "grax",
        "obrigado",
        "obrigada",
        "valeu",
    ),
}


# Everyday words one letter away from a pattern word ("prize" is not "price", "premio" is not
# "precio", "cuenta" is not "cuesta").
LOOKALIKES = frozenset(
    {"prize", "prizes", "premio", "premios", "cuenta", "cuentas", "costa", "agente", "paper"}
)
# A word the bot knows is never read as a typo of another one ("cuando" is not "cuanto").
KNOWN = frozenset(w for patterns in INTENTS.values() for p in patterns for w in p) | LOOKALIKES


@dataclass(frozen=True)
class FaqView:
    """A question staff answer in the portal: its keywords (one phrase each, any language)
    and its answer per language."""

    id: int
    keywords: tuple[str, ...]
    answers: Mapping[str, str] = field(default_factory=dict)

    def answer(self, language: str) -> str:
        """The answer in this language, else in English, else in any language it has."""
        base = (language or "en").split("-")[0].lower()
        for code in (language, base, "en", *self.answers):
            if self.answers.get(code):
                return self.answers[code]
        return ""


@dataclass(frozen=True)
class Match:
    intent: Intent | None = None
    faq: FaqView | None = None


def similar(word: str, known: str, exact: frozenset[str] = KNOWN) -> bool:
    """Equal, or one edit apart (insert, delete, substitute, swap) when both are long and the
    word is not one the bot knows as itself (`exact`)."""
    if word == known:
        return True
    if (
        word in exact
        or len(word) < FUZZY_MIN
        or len(known) < FUZZY_MIN
        or abs(len(word) - len(known)) > 1
    ):
        return False
    if len(word) == len(known):
        diff = [i for i, (a, b) in enumerate(zip(word, known, strict=True)) if a != b]
        if len(diff) == 1:
            return True
        i, j = ([*diff, 0, 0])[:2]
        return len(diff) == 2 and j == i + 1 and word[i] == known[j] and word[j] == known[i]
    short, long = sorted((word, known), key=len)
    i = next((k for k, (a, b) in enumerate(zip(short, long, strict=False)) if a != b), len(short))
    return short[i:] == long[i + 1 :]


def _has(words: Sequence[str], pattern: Sequence[str], exact: frozenset[str]) -> bool:
    return all(any(similar(w, p, exact) for w in words) for p in pattern)


def _best(
    words: Sequence[str], patterns: Iterable[Sequence[str]], exact: frozenset[str] = KNOWN
) -> int:
    """The length of the longest pattern the words hold (0: none)."""
    return max((len(p) for p in patterns if p and _has(words, p, exact)), default=0)


def _faq_patterns(faq: FaqView) -> list[list[str]]:
    return [[t for t in tokens(k) if t != "-"] for k in faq.keywords]


def match_intent(text: str, exact: frozenset[str] = KNOWN) -> Intent | None:
    """The built-in intent of a text; words in `exact` are never read as typos."""
    return _scored_intent(text, exact)[1]


def _scored_intent(text: str, exact: frozenset[str]) -> tuple[int, Intent | None]:
    words = [t for t in tokens(text) if not t.isdigit() and t != "-"]
    if not words:
        return 0, None
    best, found = 0, None
    for intent, patterns in INTENTS.items():
        score = _best(words, patterns, exact)
        if score > best:
            best, found = score, intent
    return best, found


def match_faq(text: str, faqs: Sequence[FaqView]) -> FaqView | None:
    return _scored_faq(text, faqs)[1]


def _scored_faq(text: str, faqs: Sequence[FaqView]) -> tuple[int, FaqView | None]:
    words = [t for t in tokens(text) if t != "-"]
    best, found = 0, None
    for faq in faqs:
        score = _best(words, _faq_patterns(faq))
        if score > best:
            best, found = score, faq
    return best, found


def match(text: str, faqs: Sequence[FaqView] = ()) -> Match | None:
    """What a text asks: the built-in intent or the staff FAQ entry whose pattern holds more
    of its words ("prize delivery" is the staff's answer, "prize" alone the built-in one);
    on a tie the built-in intent. None when neither matches."""
    staff_words = {w for faq in faqs for p in _faq_patterns(faq) for w in p}
    intent_score, intent = _scored_intent(text, KNOWN | staff_words)
    faq_score, faq = _scored_faq(text, faqs)
    if faq is not None and faq_score > intent_score:
        return Match(faq=faq)
    if intent is not None:
        return Match(intent=intent)
    return None
