"""Every text marked for translation in portal/, raffles/ and messaging/ (code and
templates) has a Spanish and a Brazilian Portuguese translation in one of the compiled
catalogues (locale/, portal/locale/, raffles/locale/): Django merges them, so one is enough.

The msgids are extracted the way `makemessages` does (xgettext, templates included) from a
copy of the three apps in a temporary directory, so no catalogue in the repository is
touched. The compiled .mo files are what runs, so they are what is checked: an entry that is
empty, fuzzy or not compiled counts as missing."""

from __future__ import annotations

import ast
import gettext
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

APPS = ("portal", "raffles", "messaging")
LANGUAGES = ("es", "pt_BR")
CATALOGUES = (Path("locale"), Path("portal/locale"), Path("raffles/locale"))
TOOLS = ("xgettext", "msgmerge", "msguniq")

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in TOOLS),
    reason=f"needs the GNU gettext tools ({', '.join(TOOLS)}) to extract the msgids",
)

Msgid = tuple[str | None, str, str | None]  # context, msgid, plural


def parse_po(path: Path) -> list[Msgid]:
    """The (context, msgid, plural) of every live entry of a .po file, header left out."""
    entries: list[Msgid] = []
    fields: dict[str, str] = {}
    current = ""

    def flush() -> None:
        if fields.get("msgid"):
            entries.append((fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural")))
        fields.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            fields[current] += ast.literal_eval(line)
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgctxt" or (keyword == "msgid" and current != "msgctxt"):
            flush()
        current = keyword
        fields[keyword] = ast.literal_eval(rest)
    flush()
    return entries


def used_msgids(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> list[Msgid]:
    base = Path(settings.BASE_DIR)
    skip = shutil.ignore_patterns("locale", "tests", "testing", "__pycache__", "migrations")
    for app in APPS:
        shutil.copytree(base / app, workdir / app, ignore=skip)
    (workdir / "locale").mkdir()
    monkeypatch.chdir(workdir)
    with override_settings(LOCALE_PATHS=[]):
        call_command("makemessages", locale=["es"], verbosity=0)
    return parse_po(workdir / "locale/es/LC_MESSAGES/django.po")


def compiled(language: str) -> list[gettext.GNUTranslations]:
    base = Path(settings.BASE_DIR)
    found = []
    for catalogue in CATALOGUES:
        mo = base / catalogue / language / "LC_MESSAGES" / "django.mo"
        if mo.exists():
            with mo.open("rb") as handle:
                found.append(gettext.GNUTranslations(handle))
    return found


def translated(catalogues: list[gettext.GNUTranslations], msgid: Msgid) -> bool:
    context, singular, plural = msgid
    key = singular if context is None else f"{context}\x04{singular}"
    for catalogue in catalogues:
        texts = catalogue._catalog  # type: ignore[attr-defined]
        if plural is None:
            if texts.get(key):
                return True
        elif texts.get((key, 0)) and texts.get((key, 1)):
            return True
    return False


def test_every_msgid_has_a_spanish_and_a_portuguese_translation(tmp_path, monkeypatch):
    msgids = used_msgids(tmp_path, monkeypatch)
    assert len(msgids) > 500, "the extraction found too few msgids; is makemessages working?"
    catalogues = {language: compiled(language) for language in LANGUAGES}
    missing = [
        f"{language}: {msgid[1]!r}"
        for language in LANGUAGES
        for msgid in msgids
        if not translated(catalogues[language], msgid)
    ]
    assert not missing, (
        f"{len(missing)} msgid(s) without a translation (run makemessages in the app, translate,"
        " compilemessages):\n" + "\n".join(missing)
    )
