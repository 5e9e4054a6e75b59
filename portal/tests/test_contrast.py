"""Text contrast in the portal's stylesheet: every text colour against every background it is
shown on is at least 4.5:1 (WCAG 2.x AA, normal text). The colours are read from
portal.css itself (custom properties resolved), so a palette change is checked at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[1] / "static" / "portal" / "portal.css"
MINIMUM = 4.5

# Where a rule sets a text colour without a background, the text sits on the background of
# the part of the page its selector starts with; elsewhere on the page or a card.
CONTEXT = {
    ".topbar": ["#111827"],
    ".nav-toggle": ["#111827"],
    ".bubble": ["#fff", "#d9fdd3"],
    ".contact-list": ["var(--card)", "#fff4e5", "#eef4ff"],
    ".btn kbd": ["var(--ok)", "var(--brand)"],
    ".skip-link": ["var(--card)"],
}
PAGE = ["var(--bg)", "var(--card)"]
# Parts of the page that carry no text of their own.
NO_TEXT = {
    ".progress",
    ".progress > div",
    ".live",
    ".grid-legend i",
    ".proof-view",
    ".topbar nav a.active, .topbar nav a:hover",
    ".chart .confirmed",  # legend swatches and SVG bars of the sales charts
    ".chart .in_review",
    ".chart .held",
}
DISABLED = ".btn[disabled]"  # WCAG exempts inactive controls


def _rules(text: str) -> list[tuple[str, dict[str, str]]]:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        decls = {}
        for part in body.split(";"):
            name, _, value = part.partition(":")
            if value.strip():
                decls[name.strip()] = value.strip()
        rules.append((" ".join(selector.split()), decls))
    return rules


RULES = _rules(CSS.read_text())
VARIABLES = next(decls for selector, decls in RULES if selector == ":root")


def _rgba(value: str) -> tuple[float, float, float, float] | None:
    value = value.strip()
    var = re.fullmatch(r"var\((--[\w-]+)\)", value)
    if var:
        return _rgba(VARIABLES[var.group(1)])
    if value.startswith("#"):
        digits = value[1:]
        if len(digits) == 3:
            digits = "".join(c * 2 for c in digits)
        return (*(int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)), 1.0)  # type: ignore[return-value]
    match = re.fullmatch(r"rgba?\(([^)]*)\)", value)
    if match:
        parts = [float(p) for p in match.group(1).split(",")]
        alpha = parts[3] if len(parts) == 4 else 1.0
        return (parts[0] / 255, parts[1] / 255, parts[2] / 255, alpha)
    return None  # inherit, none, currentColor, …


def _over(top: tuple[float, float, float, float], below: tuple[float, ...]) -> tuple[float, ...]:
    alpha = top[3]
    return tuple(top[i] * alpha + below[i] * (1 - alpha) for i in range(3))


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(fg: str, bg: str, under: str = "var(--card)") -> float:
    base = _rgba(under)
    back_rgba = _rgba(bg)
    assert base is not None, under
    assert back_rgba is not None, bg
    back = _over(back_rgba, base)
    front_rgba = _rgba(fg)
    assert front_rgba is not None, fg
    front = _over(front_rgba, back)
    light, dark = sorted((_luminance(front), _luminance(back)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _background(decls: dict[str, str]) -> str | None:
    value = decls.get("background-color") or decls.get("background")
    if value is None or _rgba(value) is None:
        return None
    return value


def _inherited_color(selector: str) -> str:
    """The text colour of `.badge.attention` or `.btn.primary:hover` is the one set for
    `.badge` or `.btn.primary` (the longest rule its selector starts with); else the page's."""
    found = ""
    for other, decls in RULES:
        color = decls.get("color")
        if (
            color
            and _rgba(color) is not None
            and other != selector
            and "," not in other
            and selector.startswith(other)
            and selector[len(other)] in ".:["
            and len(other) > len(found)
        ):
            found = other
    return dict(RULES)[found]["color"] if found else "var(--fg)"


def _pairs() -> list[tuple[str, str, str]]:
    pairs = []
    for selector, decls in RULES:
        if selector == ":root" or selector in NO_TEXT or selector == DISABLED:
            continue
        color = decls.get("color")
        background = _background(decls)
        if color is not None and _rgba(color) is None:
            color = None  # inherit: checked where the colour is set
        if color is None and background is None:
            continue
        context = next(
            (bgs for prefix, bgs in CONTEXT.items() if selector.startswith(prefix)), PAGE
        )
        if color and background:
            pairs.append((selector, color, background))
        elif color:
            pairs.extend((selector, color, bg) for bg in context)
        elif background:
            pairs.append((selector, _inherited_color(selector), background))
    return pairs


def test_the_reader_of_the_stylesheet_works() -> None:
    assert round(ratio("#000", "#fff"), 1) == 21.0
    assert round(ratio("#767676", "#fff"), 2) == 4.54
    assert len(_pairs()) > 40


@pytest.mark.parametrize(("selector", "fg", "bg"), _pairs())
def test_text_contrast_is_at_least_4_5_to_1(selector: str, fg: str, bg: str) -> None:
    value = ratio(fg, bg)
    assert value >= MINIMUM, f"{selector}: {fg} on {bg} is {value:.2f}:1"
