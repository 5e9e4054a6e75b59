"""The portal's own catalogues (portal/locale) are complete: every message translated into
Spanish and Portuguese, no guessed (fuzzy) entry, the same placeholders, and the compiled
.mo files match their .po files."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def _entries(path: Path) -> list[dict[str, str | bool]]:
    entries = []
    for block in path.read_text().strip().split("\n\n"):
        entry: dict[str, str | bool] = {"fuzzy": False}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = True
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] = str(entry[key]) + ast.literal_eval(line)
            else:
                key, _, value = line.partition(" ")
                entry[key] = ast.literal_eval(value)
        if entry.get("msgid"):
            entries.append(entry)
    return entries


@pytest.mark.parametrize("language", ["es", "pt_BR"])
def test_every_portal_message_is_translated(language: str) -> None:
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    entries = _entries(po)
    assert len(entries) > 400
    for entry in entries:
        assert not entry["fuzzy"], entry["msgid"]
        translations = [str(v) for k, v in entry.items() if str(k).startswith("msgstr")]
        assert translations, entry["msgid"]
        assert all(translations), f"{language}: {entry['msgid']!r}"
        wanted = sorted(PLACEHOLDER.findall(str(entry["msgid"])))
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, (entry["msgid"], text)


@pytest.mark.parametrize("language", ["es", "pt_BR"])
def test_compiled_catalogue_matches_the_po_file(language: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in _entries(folder / "django.po"):
        if "msgid_plural" in entry or "msgctxt" in entry:
            continue
        assert compiled.gettext(str(entry["msgid"])) == entry["msgstr"], entry["msgid"]


TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
HTML_TAG = re.compile(r"<(?:[^<>{]|\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}|\{)*>", re.S)
TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
READ_ATTRIBUTES = re.compile(r'\b(?:placeholder|aria-label|title|alt)="([^"]*)"')
WORD = re.compile(r"[A-Za-z]{2,}")
BRAND = "Raffle Backoffice"


def _untranslated(source: str) -> list[str]:
    """Words a person reads that are outside {% translate %} / {% blocktranslate %}."""
    source = re.sub(r"\{% blocktranslate.*?\{% endblocktranslate %\}", "", source, flags=re.S)
    source = re.sub(r"<script.*?</script>|<style.*?</style>", "", source, flags=re.S)
    source = TEMPLATE_CODE.sub(" ", source).replace(BRAND, "")
    found = [a for tag in HTML_TAG.findall(source) for a in READ_ATTRIBUTES.findall(tag)]
    found += HTML_TAG.sub("\n", source).splitlines()
    return [text.strip() for text in found if WORD.search(text)]


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: str(p.relative_to(TEMPLATES))
)
def test_every_text_in_portal_templates_goes_through_translation(template: Path) -> None:
    assert _untranslated(template.read_text()) == []
