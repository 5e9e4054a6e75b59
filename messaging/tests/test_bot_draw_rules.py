"""How the winner is chosen, as the bot tells it: a lottery-digits raffle's rule and fallback
(in English, Spanish and Portuguese) in the "verify" answer and in the raffle's details; a
commit-reveal raffle keeps its secret, commitment and link."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from messaging.bot.flow import screens
from messaging.bot.flow.queries import raffle_view
from messaging.models import Contact
from messaging.testing import world as views
from messaging.testing.world import Phone, all_text
from raffles import draw_lottery, services
from raffles.models import Draw, Raffle
from raffles.tests.drawing import sell
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db

LOTTERY = draw_lottery.METHOD
FALLBACKS = draw_lottery.FALLBACKS

# What the buyer types, her phone, and what the answers must say, in her language.
SPEECH = {
    "en": {
        "phone": "15551234567",
        "hi": "hi",
        "verify": "how is the winner chosen?",
        "opening": "How each raffle's winner is chosen:",
        "rule": "the last 3 digits of the first prize of the official lottery on the draw date",
        "next-prize": "the 2nd prize's digits, then the 3rd",
        "next-sold": "the nearest sold number above it",
        "redraw": "the draw moves to the next lottery date",
        "details": "🎲 Winner: last 3 digits of the lottery's first prize",
        "prizes": "With 2 prizes, they take the lottery's successive prizes",
    },
    "es": {
        "phone": "5215512345678",
        "hi": "hola",
        "verify": "¿cómo se elige el ganador?",
        "opening": "Cómo se elige el ganador de cada rifa:",
        "rule": "las últimas 3 cifras del primer premio de la lotería oficial",
        "next-prize": "las cifras del 2.º premio, luego las del 3.º",
        "next-sold": "el número vendido más próximo por encima",
        "redraw": "el sorteo pasa a la siguiente fecha de la lotería",
        "details": "🎲 Ganador: últimas 3 cifras del primer premio de la lotería",
        "prizes": "Con 2 premios, se usan los premios sucesivos de la lotería",
    },
    "pt-br": {
        "phone": "5511912345678",
        "hi": "oi",
        "verify": "como é escolhido o ganhador?",
        "opening": "Como é escolhido o ganhador de cada rifa:",
        "rule": "os últimos 3 dígitos do primeiro prêmio da loteria oficial",
        "next-prize": "os dígitos do 2º prêmio, depois os do 3º",
        "next-sold": "o número vendido mais próximo acima",
        "redraw": "o sorteio passa para a próxima data da loteria",
        "details": "🎲 Ganhador: últimos 3 dígitos do primeiro prêmio da loteria",
        "prizes": "Com 2 prêmios, valem os prêmios sucessivos da loteria",
    },
}
# Words of the commit-reveal explanation, in every language: never in a lottery's answer.
SECRET_WORDS = ("commitment", "compromiso", "compromisso", "secret", "secreto", "segredo")


def lottery_raffle(
    fallback: str, *, title: str = "Car", prize_names: list[str] | None = None
) -> Raffle:
    """An open 000–999 raffle drawn by the lottery method with this fallback."""
    raffle = make_raffle(
        size=1000,
        active=False,
        title=title,
        prize="A car",
        max_tickets_per_order=5,
        draw_at=timezone.now() + timedelta(days=30),
    )
    services.set_draw_setup(raffle, method=LOTTERY, fallback=fallback, prize_names=prize_names)
    return services.activate_raffle(raffle=raffle)


def buyer(post_webhook, fake_graph, language: str) -> Phone:
    phone = Phone(post_webhook, fake_graph, SPEECH[language]["phone"], "Ana López")
    phone.text(SPEECH[language]["hi"])
    assert Contact.objects.get(wa_id=phone.wa_id).language == language
    return phone


@pytest.mark.parametrize("fallback", FALLBACKS)
@pytest.mark.parametrize("language", ["en", "es", "pt-br"])
def test_verify_explains_the_lottery_rule_and_its_fallback(
    post_webhook, fake_graph, language, fallback
):
    raffle = lottery_raffle(fallback)
    words = SPEECH[language]
    phone = buyer(post_webhook, fake_graph, language)
    answer = all_text(phone.text(words["verify"]))
    assert answer.startswith(words["opening"])
    assert "*Car*" in answer
    assert words["rule"] in answer
    assert words[fallback] in answer
    for other in FALLBACKS:
        if other != fallback:
            assert words[other] not in answer
    assert words["prizes"] not in answer  # one prize
    assert f"/raffles/{raffle.public_id}/draw/" in answer
    assert not any(word in answer.lower() for word in SECRET_WORDS)
    if language != "en":
        assert "If that number" not in answer


@pytest.mark.parametrize("language", ["en", "es", "pt-br"])
def test_the_lottery_raffle_details_say_how_the_winner_is_chosen(
    post_webhook, fake_graph, language
):
    raffle = lottery_raffle("next-prize")
    phone = buyer(post_webhook, fake_graph, language)
    details = all_text(phone.pick(f"raffle:{raffle.pk}"))
    assert SPEECH[language]["details"] in details
    assert "🔐" not in details
    assert not any(word in details.lower() for word in SECRET_WORDS)


def test_several_prizes_take_successive_lottery_prizes(post_webhook, fake_graph):
    lottery_raffle("next-sold", prize_names=["Car", "TV"])
    phone = buyer(post_webhook, fake_graph, "en")
    answer = all_text(phone.text("verify"))
    assert SPEECH["en"]["prizes"] in answer
    assert SPEECH["en"]["next-sold"] in answer


def test_each_raffle_on_sale_gets_its_own_rule(post_webhook, fake_graph):
    bike = make_raffle(size=100, title="Bike", draw_at=timezone.now() + timedelta(days=30))
    lottery_raffle("redraw", title="Car")
    commitment = Draw.objects.get(raffle=bike).commitment
    phone = buyer(post_webhook, fake_graph, "en")
    answer = all_text(phone.text("verify"))
    assert answer.startswith(SPEECH["en"]["opening"])
    bike, car = answer.index("*Bike*"), answer.index("*Car*")
    bike_part = answer[bike:car] if bike < car else answer[bike:]
    car_part = answer[car:bike] if car < bike else answer[car:]
    assert commitment in bike_part
    assert "fingerprint (the commitment)" in bike_part
    assert SPEECH["en"]["rule"] in car_part
    assert SPEECH["en"]["redraw"] in car_part
    assert not any(word in car_part.lower() for word in SECRET_WORDS)


def test_a_commit_reveal_raffle_keeps_its_commitment(post_webhook, fake_graph):
    raffle = make_raffle(size=100, title="Bike", draw_at=timezone.now() + timedelta(days=30))
    commitment = Draw.objects.get(raffle=raffle).commitment
    phone = buyer(post_webhook, fake_graph, "es")
    answer = all_text(phone.text("verificar"))
    assert commitment in answer
    assert "cuya huella (el compromiso)" in answer
    assert "lotería oficial" not in answer
    details = all_text(phone.pick(f"raffle:{raffle.pk}"))
    assert "🔐 Cualquiera puede verificar el sorteo" in details
    assert "🎲 Ganador" not in details


def test_the_lottery_source_is_named_once_results_are_entered():
    raffle = lottery_raffle("redraw")
    sell(raffle, [5])
    services.close_raffle(raffle)
    result = {
        "numbers": ["48317"],  # 317 was not sold: the draw waits for the next date
        "source": "Lotería Nacional",
        "url": "https://lottery.example.test/results",
        "date": timezone.localdate().isoformat(),
    }
    services.draw_raffle(raffle, prizes=1, lottery_result=result)
    view = raffle_view(Raffle.objects.get(pk=raffle.pk))
    assert (view.draw_method, view.draw_fallback, view.lottery_source) == (
        LOTTERY,
        "redraw",
        "Lotería Nacional",
    )
    with translation.override("en"):
        text = "\n".join(r.body for r in screens.verification([view]))
    assert "on the draw date (Lotería Nacional)." in text


def test_the_secret_is_explained_once_and_a_raffle_without_a_draw_is_left_out():
    first = views.make_raffle(1, title="Bike", commitment="ab" * 32, draw_url="https://d.test/1")
    second = views.make_raffle(2, title="TV", commitment="cd" * 32, draw_url="https://d.test/2")
    draft = views.make_raffle(3, title="Draft")
    with translation.override("en"):
        text = "\n".join(r.body for r in screens.verification([first, draft, second]))
        nothing = "\n".join(r.body for r in screens.verification([draft]))
    assert text.count("fingerprint (the commitment)") == 1
    assert "The same method as above" in text.split("*TV*")[1]
    assert "ab" * 32 in text
    assert "cd" * 32 in text
    assert "*Draft*" not in text
    assert "published when a raffle's sales open" in nothing
