"""Marking findings inside a draft's text for the reviewer's page, in time linear in the text and
the marks (plus a sort of the marks' ends).

Findings may overlap (longest-match keeps partly overlapping hits, and a classifier's evidence
lies under term hits), so the text is cut at every mark's start and end, once, by a sweep over
those positions; each piece is wrapped once with the categories and severities of all the marks
covering it. Offsets are code points into the original text (``Finding.start``/``end``),
exactly as screened. Characters an evader hides (zero-width, bidi controls, variation
selectors) are made visible.

One page marks at most ``limit`` spans (the most severe first, then in text order): a body with
25,000 hits would otherwise be a page nobody can read or render; the caller says how many were
left unmarked, and they stay in the findings list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import cache
from typing import NamedTuple

from markupsafe import Markup, escape

SEVERITY_RANK = {"block": 0, "review": 1, "info": 2}
# Letters that show as blank space: a name or a term made of them looks empty or like another.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


class Span(NamedTuple):
    """A stretch of the text to mark: a finding's own span, or the evidence behind a
    classifier's score (``evidence``)."""

    start: int
    end: int
    finding: int  # index in the report
    category: str
    severity: str
    evidence: bool = False


class Marked(NamedTuple):
    html: Markup
    marked: frozenset[int]  # findings with at least one mark in this text
    left_out: int  # spans over the limit, not marked


def hidden(ch: str, keep: str = "\n\t") -> bool:
    """A character a reader would not see (or would see as something else): controls,
    format characters (bidi overrides, zero-width), variation selectors, blank letters."""
    cp = ord(ch)
    if ch in keep:
        return False
    return (cp < 0x20 or cp == 0x7F or 0x80 <= cp < 0xA0 or 0xFE00 <= cp <= 0xFE0F
            or ch in _BLANK_LETTERS
            or unicodedata.category(ch) in ("Cf", "Cs", "Co", "Cn"))


@cache
def _suspects() -> re.Pattern[str]:
    """The characters that may be hidden, as one character class: the Basic Multilingual
    Plane's hidden ones exactly, and every character beyond it (checked one by one: they are
    rare in posts, and classifying all 1.1 million code points at start-up takes half a second).
    A page's text is then scanned by the regular expression engine rather than by a Python loop
    over every character, which cost more than the rest of a long draft's page."""
    ranges: list[list[int]] = []
    for cp in range(0x10000):
        if hidden(chr(cp), keep=""):
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    members = "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)
    return re.compile(f"[{members}\\U00010000-\\U0010ffff]")


def _hidden_at(text: str, keep: str) -> Iterator[int]:
    """Where ``text`` has a hidden character (``keep`` excepted), in order."""
    for found in _suspects().finditer(text):
        if hidden(found.group(), keep):
            yield found.start()


def _visible(text: str) -> Markup:
    if text.isascii() and text.isprintable():
        return escape(text)
    out = []
    last = 0
    for at in _hidden_at(text, "\n\t"):
        out.append(escape(text[last:at]))
        out.append(Markup('<span class="hidden-char">⟨U+{:04X}⟩</span>').format(ord(text[at])))
        last = at + 1
    out.append(escape(text[last:]))
    return Markup("").join(out)


def _choose(spans: list[Span], limit: int) -> tuple[list[Span], int]:
    if len(spans) <= limit:
        return spans, 0
    ranked = sorted(spans, key=lambda s: (s.evidence, SEVERITY_RANK.get(s.severity, 3), s.start))
    return ranked[:limit], len(spans) - limit


def highlight(text: str, spans: Iterable[Span], *, limit: int = 400,
              tooltips: dict[str, str] | None = None) -> Marked:
    """``text`` as HTML with ``spans`` marked (at most ``limit``). Each finding's first mark is
    preceded by an empty anchor ``#f-N``; each mark links to the finding's line in the summary
    (``#finding-N``) and names in ``data-findings`` every finding it belongs to. ``tooltips``
    maps a category to the short title shown on hover."""
    valid = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    chosen, left_out = _choose(valid, limit)
    starts: dict[int, list[Span]] = {}
    ends: dict[int, list[Span]] = {}
    for span in chosen:
        starts.setdefault(span.start, []).append(span)
        ends.setdefault(span.end, []).append(span)
    cuts = sorted({0, len(text), *starts, *ends})
    tooltips = tooltips or {}
    active: dict[tuple[int, int, int, bool], Span] = {}
    anchored: set[int] = set()
    out: list[Markup] = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        for span in ends.get(lo, ()):
            active.pop((span.start, span.end, span.finding, span.evidence), None)
        for span in starts.get(lo, ()):
            active[(span.start, span.end, span.finding, span.evidence)] = span
        piece = _visible(text[lo:hi])
        if not active:
            out.append(piece)
            continue
        covering = sorted(active.values(), key=lambda s: (s.evidence, s.finding))
        new = [s.finding for s in covering if s.finding not in anchored]
        anchored.update(new)
        out.extend(Markup('<span class="anchor" id="f-{}"></span>').format(i)
                   for i in dict.fromkeys(new))
        findings = list(dict.fromkeys(s.finding for s in covering))
        own = [s for s in covering if not s.evidence]
        worst = min((SEVERITY_RANK.get(s.severity, 3) for s in own), default=3)
        classes = ["mark", *sorted({f"cat-{s.category}" for s in covering}),
                   {0: "sev-block", 1: "sev-review", 2: "sev-info"}.get(worst, "evidence")]
        title = "、".join(dict.fromkeys(tooltips.get(s.category, s.category) for s in covering))
        out.append(Markup('<a class="{}" href="#finding-{}" data-findings="{}" title="{}">{}</a>')
                   .format(" ".join(classes), findings[0], ",".join(map(str, findings)),
                           title, piece))
    return Marked(Markup("").join(out), frozenset(anchored), left_out)


def visible_text(text: str) -> str:
    """``text`` with every hidden character written out as ⟨U+XXXX⟩ (line breaks kept): what
    every page shows of text a user typed, so a bidi override cannot reorder what is around it."""
    if text.isascii() and text.isprintable():
        return text
    out = []
    last = 0
    for at in _hidden_at(text, "\n\t\r"):
        out.append(text[last:at])
        out.append(f"⟨U+{ord(text[at]):04X}⟩")
        last = at + 1
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)
