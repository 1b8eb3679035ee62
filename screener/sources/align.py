"""Exact passage alignment: which characters of a draft a source holds, as spans.

A character of the draft is *covered* when it lies in a run of ``k`` consecutive characters that
the source holds too (folded text, punctuation and spaces dropped: ``text.py``). Covered
characters make segments; segments of one paragraph separated by at most ``gap`` uncovered
characters join into one span (a few words changed in a copied paragraph leave the paragraph
one span); a span is kept when at least ``min_chars`` of its characters are covered. Sentences
moved about still align sentence by sentence, and a span never crosses a paragraph break, so
two copied paragraphs are two spans.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .text import MatchText, kgram_hashes


@dataclass(frozen=True, slots=True)
class Span:
    """Kept characters ``[start, end)`` of the draft; ``covered`` of them match the source."""

    start: int
    end: int
    covered: int


def coverage(draft: MatchText, source_grams: np.ndarray, k: int) -> np.ndarray:
    """Boolean per kept character of ``draft``: inside a ``k``-gram found in the source
    (``source_grams``: sorted distinct ``kgram_hashes`` of the source)."""
    n = len(draft)
    grams = kgram_hashes(draft.codes, k)
    if grams.size == 0 or source_grams.size == 0:
        return np.zeros(n, dtype=bool)
    places = np.searchsorted(source_grams, grams)
    places[places >= source_grams.size] = 0
    hit = source_grams[places] == grams
    delta = np.zeros(n + 1, dtype=np.int32)
    starts = np.flatnonzero(hit)
    np.add.at(delta, starts, 1)
    np.add.at(delta, starts + k, -1)
    return np.cumsum(delta[:n]) > 0


def source_grams(source: MatchText, k: int) -> np.ndarray:
    return np.unique(kgram_hashes(source.codes, k))


def spans(draft: MatchText, covered: np.ndarray, *, gap: int, min_chars: int) -> list[Span]:
    """The spans of ``covered`` characters (see the module's docstring)."""
    if not covered.any():
        return []
    padded = np.concatenate(([False], covered, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    segments = list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))
    paragraph = draft.paragraph
    joined: list[tuple[int, int]] = []
    start, end = segments[0]
    for s, e in segments[1:]:
        if s - end <= gap and paragraph[end - 1] == paragraph[s]:
            end = e
            continue
        joined.append((start, end))
        start, end = s, e
    joined.append((start, end))
    counts = np.concatenate(([0], np.cumsum(covered)))
    out = []
    for start, end in joined:
        for a, b in _per_paragraph(paragraph, start, end):
            count = int(counts[b] - counts[a])
            if count >= min_chars:
                out.append(Span(a, b, count))
    return out


def _per_paragraph(paragraph: np.ndarray, start: int, end: int) -> list[tuple[int, int]]:
    """A covered run that itself crosses a paragraph break (the source holds the end of one
    paragraph and the start of the next) is cut there: one span per paragraph."""
    if paragraph[start] == paragraph[end - 1]:
        return [(start, end)]
    cuts = np.flatnonzero(paragraph[start + 1:end] != paragraph[start:end - 1]) + start + 1
    bounds = [start, *cuts.tolist(), end]
    return list(zip(bounds, bounds[1:], strict=False))
