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


def _visible(text: str) -> Markup:
    out = []
    for ch in text:
        cp = ord(ch)
        if ch in "\n\t":
            out.append(ch)
        elif cp < 0x20 or cp == 0x7F or unicodedata.category(ch) in ("Cf", "Cs", "Co", "Cn") \
                or 0xFE00 <= cp <= 0xFE0F:
            out.append(Markup('<span class="hidden-char" title="不可见字符">⟨U+{:04X}⟩</span>')
                       .format(cp))
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
