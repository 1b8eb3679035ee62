"""Text as reuse is matched: folded content characters only, each with its original offset.

Punctuation, spaces and symbols are dropped and every character is folded by the pipeline's own
normalizer (full-width forms, case, traditional characters), so a copy whose punctuation was
changed, whose spaces were removed or that was converted to traditional characters reads the
same as its source. ``origin`` sends every kept character back to the original text, which is
where findings point.

Two cuttings of a text:

* ``units``: the passages of a source as the bank indexes them: runs of whole sentences of about
  ``target`` characters, never across a paragraph unless the paragraph is too short to stand
  alone;
* ``windows``: the query windows of a draft: from every sentence start, the sentences that make
  about ``target`` characters. One of them starts where a copied passage starts, whatever the
  draft put before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..normalize import Normalizer

_NEWLINE = "\n"
# A sentence ends at these (the clause punctuation ，、：is not an end); a line break ends one too.
_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)\]】》]*|\n")
_PARAGRAPH = re.compile(r"\n")
# Multiplier of the polynomial k-gram hash (odd, 64-bit): arithmetic wraps modulo 2**64.
_BASE = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xBF58476D1CE4E5B9)


@dataclass(frozen=True, slots=True)
class MatchText:
    """``text``'s folded content characters (``codes``), each with its offset in ``original``
    (``origin``), its paragraph number (``paragraph``) and where sentences start
    (``sentences``: indices into ``codes``, ascending, starting with 0)."""

    original: str
    codes: np.ndarray  # uint32
    origin: np.ndarray  # int64
    paragraph: np.ndarray  # int32
    sentences: np.ndarray  # int64

    def __len__(self) -> int:
        return int(self.codes.size)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` of kept characters ``[start, end)``."""
        return int(self.origin[start]), int(self.origin[end - 1]) + 1


def match_text(normalizer: Normalizer, text: str, *, paragraphs: bool = True) -> MatchText:
    """``text`` folded for matching. ``paragraphs``: a line break starts a paragraph (False for
    text read from a picture, where every cell of a table is a line of its own)."""
    view = normalizer.view(text, "skeleton")
    codes = np.frombuffer(view.text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    keep = codes != ord(_NEWLINE)
    codes = codes[keep].astype(np.uint32)
    origin = view.origin[keep]
    breaks = np.fromiter((m.start() for m in _PARAGRAPH.finditer(text)) if paragraphs else (),
                         dtype=np.int64)
    paragraph = np.searchsorted(breaks, origin).astype(np.int32)
    ends = np.fromiter((m.end() for m in _SENTENCE_END.finditer(text)), dtype=np.int64)
    starts = np.unique(np.searchsorted(origin, ends))
    starts = starts[starts < codes.size]
    sentences = np.union1d(np.zeros(1 if codes.size else 0, dtype=np.int64), starts)
    return MatchText(text, codes, origin, paragraph, sentences.astype(np.int64))


def folded_in_place(normalizer: Normalizer, text: str) -> str:
    """``text`` with every character folded to one character (full-width forms, case,
    traditional characters), so that offsets into it are offsets into ``text``: for patterns
    that must read 來源 as 来源. A character that folds to several is left as it is."""
    tables = normalizer.tables
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    if codes.size == 0:
        return text
    folded = np.where(tables.expands[codes], codes, tables.fold[codes]).astype("<u4")
    invisible = folded == 0  # a removed character has no single fold: keep it
    folded[invisible] = codes[invisible]
    return folded.tobytes().decode("utf-32-le", "surrogatepass")


def kgram_hashes(codes: np.ndarray, k: int) -> np.ndarray:
    """64-bit hashes of every run of ``k`` characters (``len(codes) - k + 1`` of them)."""
    n = codes.size - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    values = codes.astype(np.uint64)
    with np.errstate(over="ignore"):
        h = values[:n].copy()
        for j in range(1, k):
            h = h * _BASE + values[j:j + n]
        h ^= h >> np.uint64(31)
        h *= _MIX
        h ^= h >> np.uint64(29)
    return h


def shingles(codes: np.ndarray, k: int) -> np.ndarray:
    """The set of ``k``-character shingles, as distinct 32-bit hashes (what MinHash takes)."""
    if codes.size == 0:
        return np.zeros(0, dtype=np.uint32)
    if codes.size < k:  # a very short text is one shingle
        return np.unique((kgram_hashes(codes, codes.size) >> np.uint64(32)).astype(np.uint32))
    return np.unique((kgram_hashes(codes, k) >> np.uint64(32)).astype(np.uint32))


def _sentence_bounds(mt: MatchText) -> list[tuple[int, int]]:
    starts = mt.sentences.tolist()
    return [(s, e) for s, e in zip(starts, starts[1:] + [len(mt)], strict=True) if e > s]


def units(mt: MatchText, target: int) -> list[tuple[int, int]]:
    """The bank's passages of a source: ``[start, end)`` in kept characters."""
    out: list[tuple[int, int]] = []
    start = None
    para = -1
    for s, e in _sentence_bounds(mt):
        p = int(mt.paragraph[s])
        if start is not None and p != para and s - start >= target // 2:
            out.append((start, s))  # a paragraph ends a passage that can stand alone
            start = None
        if start is None:
            start = s
        para = int(mt.paragraph[e - 1])
        if e - start >= target:
            out.append((start, e))
            start = None
    if start is not None:
        if out and len(mt) - start < target // 2 and out[-1][1] == start:
            out[-1] = (out[-1][0], len(mt))  # a short tail joins the passage before it
        else:
            out.append((start, len(mt)))
    return out


def windows(mt: MatchText, target: int) -> list[tuple[int, int]]:
    """Query windows of a draft: from each sentence start, whole sentences up to ``target``
    characters (a sentence longer than that is cut into windows of ``target``)."""
    bounds = _sentence_bounds(mt)
    out: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    ends = [e for _, e in bounds]
    for index, (s, _) in enumerate(bounds):
        j = index
        while j < len(bounds) - 1 and ends[j] - s < target:
            j += 1
        e = ends[j]
        pieces = [(a, min(a + target, e)) for a in range(s, e, target)] if e - s > 2 * target \
            else [(s, e)]
        for piece in pieces:
            if piece not in seen:
                seen.add(piece)
                out.append(piece)
    return out
