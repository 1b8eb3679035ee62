"""Marking findings inside a draft's text for the reviewer's page.

Findings may overlap (longest-match keeps partly overlapping hits), so the text is cut at every
finding boundary and each piece is wrapped once, with the categories of all findings covering it.
Offsets are code points into the original text (``Finding.start``/``end``), exactly as screened.
Characters an evader hides (zero-width, bidi controls, variation selectors) are made visible.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

# Letters that show as blank space: a name or a term made of them looks empty or like another.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def hidden(ch: str, keep: str = "\n\t") -> bool:
    """A character a reader would not see (or would see as something else): controls,
    format characters (bidi overrides, zero-width), variation selectors, blank letters."""
    cp = ord(ch)
    if ch in keep:
        return False
    return (cp < 0x20 or cp == 0x7F or 0x80 <= cp < 0xA0 or 0xFE00 <= cp <= 0xFE0F
            or ch in _BLANK_LETTERS
            or unicodedata.category(ch) in ("Cf", "Cs", "Co", "Cn"))


def visible_text(text: str) -> str:
    """``text`` with every hidden character written out as ⟨U+XXXX⟩ (line breaks kept): what
    every page shows of text a user typed, so a bidi override cannot reorder what is around it."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(f"⟨U+{ord(ch):04X}⟩" if hidden(ch, "\n\t\r") else ch for ch in text)


def _visible(text: str) -> Markup:
    out = []
    for ch in text:
        if hidden(ch):
            out.append(Markup('<span class="hidden-char" title="不可见字符">⟨U+{:04X}⟩</span>')
                       .format(ord(ch)))
        else:
            out.append(escape(ch))
    return Markup("").join(out)


def tooltip(finding: Mapping[str, Any]) -> str:
    return f"{finding['article']} · {finding['category']} · {finding['explanation']}"


def highlight(text: str, findings: Iterable[tuple[int, Mapping[str, Any]]]) -> Markup:
    """``findings`` are (index in the report, finding dict) for this field only."""
    spans = [(i, f) for i, f in findings
             if 0 <= f["start"] < f["end"] <= len(text)]
    cuts = sorted({0, len(text), *(f["start"] for _, f in spans), *(f["end"] for _, f in spans)})
    out: list[Markup] = []
    anchored: set[int] = set()
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        piece = _visible(text[lo:hi])
        covering = [(i, f) for i, f in spans if f["start"] <= lo and hi <= f["end"]]
        if not covering:
            out.append(piece)
            continue
        categories = " ".join(sorted({f"cat-{f['category']}" for _, f in covering}))
        title = "\n".join(tooltip(f) for _, f in covering)
        ids = [i for i, _ in covering if i not in anchored]
        anchored.update(ids)
        anchor = Markup(" ").join(Markup('<a id="f-{}"></a>').format(i) for i in ids)
        out.append(Markup('{}<mark class="finding {}" title="{}" data-findings="{}">{}</mark>')
                   .format(anchor, categories, title, ",".join(str(i) for i, _ in covering),
                           piece))
    return Markup("").join(out)
