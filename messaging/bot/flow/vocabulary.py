"""The words buyers type, in English, Spanish and Portuguese: commands, greetings, number
words and the filler allowed around numbers. Folded (lower case, no accents); read by
`buyer_text`."""

from __future__ import annotations

from enum import StrEnum


class Command(StrEnum):
    MENU = "menu"
    HELP = "help"
    BACK = "back"
    CANCEL = "cancel"
    TICKETS = "tickets"
    AGENT = "agent"
    RESULTS = "results"
    RAFFLES = "raffles"
    CONFIRM = "confirm"
    PAY = "pay"
    ENGLISH = "english"
    SPANISH = "spanish"
    PORTUGUESE = "portuguese"


_COMMANDS: dict[Command, tuple[str, ...]] = {
    Command.MENU: (
        "menu",
        "main menu",
        "menu principal",
        "inicio",
        "start",
        "home",
        "hi",
        "hello",
        "hey",
        "hola",
        "ola",
        "buenas",
        "buenos dias",
        "buenas tardes",
        "buenas noches",
        "good morning",
        "good afternoon",
        "good evening",
        "empezar",
        "comenzar",
        "restart",
        "reiniciar",
        "oi",
        "bom dia",
        "boa tarde",
        "boa noite",
        "comecar",
    ),
    Command.HELP: (
        "help",
        "ayuda",
        "ayudame",
        "info",
        "informacion",
        "como funciona",
        "commands",
        "comandos",
        "informacao",
    ),
    Command.BACK: ("back", "go back", "atras", "volver", "regresar", "voltar"),
    Command.CANCEL: (
        "cancel",
        "cancelar",
        "cancela",
        "cancel order",
        "cancelar pedido",
        "cancelar orden",
        "anular",
    ),
    Command.TICKETS: (
        "my tickets",
        "tickets",
        "my numbers",
        "mis boletos",
        "boletos",
        "mis numeros",
        "mis tickets",
        "mis rifas",
        "my orders",
        "mis pedidos",
        "mis compras",
        "status",
        "estado",
        "meus numeros",
        "meus bilhetes",
        "meus pedidos",
        "bilhetes",
    ),
    Command.AGENT: (
        "agent",
        "agente",
        "asesor",
        "asesora",
        "humano",
        "human",
        "person",
        "persona",
        "operator",
        "operador",
        "support",
        "soporte",
        "talk to a person",
        "hablar con alguien",
        "hablar con una persona",
        "atendente",
        "pessoa",
        "falar com alguem",
        "falar com uma pessoa",
    ),
    Command.RESULTS: (
        "results",
        "result",
        "resultados",
        "resultado",
        "winners",
        "ganadores",
        "ganhadores",
        "vencedores",
    ),
    Command.RAFFLES: (
        "raffles",
        "raffle",
        "rifas",
        "rifa",
        "sorteos",
        "sorteo",
        "buy",
        "comprar",
        "buy tickets",
        "comprar boletos",
        "catalogo",
        "comprar bilhetes",
        "comprar numeros",
        "sorteios",
    ),
    Command.CONFIRM: (
        "confirm",
        "confirmar",
        "confirmo",
        "yes",
        "si",
        "sim",
        "ok",
        "okay",
        "dale",
        "listo",
    ),
    Command.PAY: (
        "pay",
        "pagar",
        "payment",
        "pago",
        "pagamento",
        "how to pay",
        "como pago",
        "como pagar",
        # Pix (Brazil): the payment message carries its QR and code
        "pix",
        "pay pix",
        "pay with pix",
        "pagar pix",
        "pagar com pix",
        "pagar con pix",
        "codigo pix",
        "chave pix",
        "qr pix",
        "pix code",
    ),
    Command.ENGLISH: ("english", "ingles", "in english", "en ingles"),
    Command.SPANISH: ("espanol", "spanish", "castellano", "en espanol", "in spanish"),
    Command.PORTUGUESE: ("portugues", "portuguese", "em portugues", "in portuguese"),
}
LANGUAGE_COMMANDS = frozenset({Command.ENGLISH, Command.SPANISH, Command.PORTUGUESE})
LANGUAGE_CODES = {Command.ENGLISH: "en", Command.SPANISH: "es", Command.PORTUGUESE: "pt-br"}
COMMANDS: dict[str, Command] = {
    phrase: command for command, phrases in _COMMANDS.items() for phrase in phrases
}

GREETINGS = frozenset(
    {"hi", "hello", "hey", "hola", "ola", "oi", "buenas", "buenos", "buen", "good", "bom", "boa"}
)
RANDOM_WORDS = frozenset(
    {"random", "azar", "aleatorio", "aleatorios", "aleatoria", "aleatorias", "randoms"}
)
# "coupon SAVE10", "cupón SAVE10", "cupom SAVE10" (folded): the word, then the code.
COUPON_WORDS = frozenset({"coupon", "cupon", "cupom", "promo", "voucher"})
# Words allowed around numbers and quantities; they carry no meaning of their own.
FILLER = frozenset(
    {
        "number",
        "numbers",
        "num",
        "nums",
        "no",
        "nro",
        "nros",
        "n",
        "numero",
        "numeros",
        "el",
        "los",
        "la",
        "las",
        "the",
        "de",
        "del",
        "i",
        "want",
        "quiero",
        "give",
        "me",
        "dame",
        "please",
        "pls",
        "por",
        "favor",
        "porfa",
        "al",
        "a",
        "an",
        "and",
        "y",
        "e",
        "con",
        "quero",
        "eu",
        "o",
        "os",
        "da",
        "do",
        "com",
    }
)
RANGE_WORDS = frozenset({"to", "al", "a", "hasta", "through", "thru"})
SEPARATOR_WORDS = frozenset({"and", "y", "e"})
QTY_WORDS = frozenset(
    {"tickets", "ticket", "boletos", "boleto", "numeros", "numbers", "bilhetes", "bilhete"}
)
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "un": 1,
    "uno": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "um": 1,
    "dois": 2,
    "duas": 2,
    "quatro": 4,
    "sete": 7,
    "oito": 8,
    "nove": 9,
    "dez": 10,
}
