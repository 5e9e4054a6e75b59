"""`manage.py verify_draw`: exit 0 on a faithful draw, a clear error on any tampering."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from raffles import services
from raffles.models import Draw
from raffles.tests.drawing import closed_raffle, doc_sha
from raffles.tests.factories import make_raffle

pytestmark = pytest.mark.django_db


def verify(ref: object) -> str:
    out = StringIO()
    call_command("verify_draw", str(ref), stdout=out)
    return out.getvalue()


@pytest.fixture
def drawn():
    raffle = closed_raffle([1, 2, 3], [10, 20])
    services.draw_raffle(raffle, external_value="31415", prizes=2)
    return raffle


def test_passes_by_id_and_by_public_id(drawn):
    for ref in (drawn.pk, drawn.public_id):
        out = verify(ref)
        assert "Verification passed" in out
        assert "FAIL" not in out
        assert "recomputed winners: " + ", ".join(drawn.draw.winners) in out


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        ({"seed": "ab" * 32}, "the revealed seed does not match the commitment"),
        ({"entries": "01\n02\n03\n10\n21\n"}, "does not match its published hash"),
        (
            {"entries": "01\n02\n03\n10\n", "entries_hash": doc_sha("01\n02\n03\n10\n")},
            "differs from the one recorded when the list was frozen",
        ),
    ],
)
def test_fails_on_tampering(drawn, tamper, message):
    Draw.objects.filter(raffle=drawn).update(**tamper)
    with pytest.raises(CommandError, match="Verification FAILED") as err:
        verify(drawn.pk)
    assert message in str(err.value)


def test_fails_before_the_draw_and_for_unknown_raffles():
    with pytest.raises(CommandError, match="not drawn yet"):
        verify(make_raffle().pk)
    with pytest.raises(CommandError, match="no draw yet"):
        verify(make_raffle(active=False).pk)
    with pytest.raises(CommandError, match="No raffle"):
        verify("does-not-exist")
