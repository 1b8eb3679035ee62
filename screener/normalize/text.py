"""Evasion-proof normalization with an offset map back to the original text.

``normalize(text)`` returns two matchable views of the text:

* ``skeleton``: folded content characters only. Noise (spaces, punctuation, symbols, emoji) is
  dropped so that ``代 孕``, ``代*孕`` and ``代❤孕`` all read ``代孕``; boundaries (line breaks,
  Chinese clause punctuation, ASCII punctuation followed by a space) become ``\\n`` so that no term
  is ever joined across them.
* ``literal``: folded text with only invisible characters and whitespace removed, for lexicon terms
  whose symbols matter (``秘密★``).

Each view carries ``origin``: for every character of the view, the index of the original character
it came from. A match ``[i, j)`` in a view maps back to ``original[origin[i]:origin[j-1] + 1]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .tables import BOUNDARY, CONTENT, INVISIBLE, REASON_DETAIL, REASON_TEXT, Tables

# A period or comma followed by a space ends an English-style clause; without a space it is more
# likely punctuation an evader inserted (``代.孕``).
_ASCII_CLAUSE_END = re.compile(r"[,.!?;:](?=\s)")
_NEWLINE = ord("\n")
_SPACES = np.array([0x20, 0x09], dtype=np.uint32)
_EMPTY_ORIGIN = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class View:
    text: str
    origin: np.ndarray  # int64, one original index per character of ``text``
    # ``origin`` as a list, made on first use: indexing a list is several times faster per
    # match, but most texts have no match, and making the list is half of normalizing them.
    _offsets: list[int] | None = field(default=None, repr=False, compare=False)

    @property
    def offsets(self) -> list[int]:
        if self._offsets is None:
            object.__setattr__(self, "_offsets", self.origin.tolist())
        return self._offsets

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original ``[start, end)`` of view characters ``[i, j)``."""
        return self.offsets[i], self.offsets[j - 1] + 1


@dataclass(frozen=True, slots=True)
class NormalizedText:
    original: str
    codes: np.ndarray  # uint32 code points of ``original``
    skeleton: View
    literal: View
    tables: Tables
    reason_bytes: bytes  # one byte of reason bits per original character

    def reasons(self, start: int, end: int) -> int:
        """Bitmask of the normalizations undone inside ``original[start:end]``."""
        bits = 0
        for byte in self.reason_bytes[start:end]:  # spans are short; no numpy call overhead
            bits |= byte
        return bits

    def latin_edges_ok(self, start: int, end: int, left: bool = True, right: bool = True) -> bool:
        """True if the span neither starts nor ends inside a longer Latin/digit token.

        Pinyin spellings and Latin terms must be whole tokens: ``daiyun`` fires, ``holidaiyuns``
        does not. Only the characters just outside the span are looked at (invisibles skipped),
        and only at the ends named (``加vx`` after 2023 is fine: its Latin end is on the right).
        """
        return not ((left and self._alnum_at(start - 1, -1))
                    or (right and self._alnum_at(end, +1)))

    def _alnum_at(self, index: int, step: int) -> bool:
        cls, fold = self.tables.cls, self.tables.fold
        while 0 <= index < len(self.codes):
            cp = int(self.codes[index])
            if cls[cp] != INVISIBLE:
                folded = int(fold[cp])
                return 0x61 <= folded <= 0x7A or 0x30 <= folded <= 0x39
            index += step
        return False


def explain(reasons: int, *, technical: bool = False) -> list[str]:
    """What the foldings in ``reasons`` undid: the evasions' Chinese names, or (``technical``)
    the technical account."""
    table = REASON_DETAIL if technical else REASON_TEXT
    return [text for bit, text in table.items() if reasons & bit]


def _decode(codes: np.ndarray) -> str:
    return codes.astype("<u4", copy=False).tobytes().decode("utf-32-le", "surrogatepass")


def _skeleton(folded: np.ndarray, cls: np.ndarray, origin: np.ndarray) -> View:
    boundary = cls == BOUNDARY
    keep = (cls == CONTENT) | boundary
    return View(_decode(np.where(boundary, _NEWLINE, folded)[keep]), origin[keep])


def _literal(folded: np.ndarray, cls: np.ndarray, origin: np.ndarray) -> View:
    keep = (cls != INVISIBLE) & ~np.isin(folded, _SPACES)
    return View(_decode(np.where(cls == BOUNDARY, _NEWLINE, folded)[keep]), origin[keep])


def _expand(tables: Tables, codes: np.ndarray, cls: np.ndarray):
    """Fold when some characters fold to several (ligatures, ㈱): slower path, rarely taken."""
    folded_parts, cls_parts, origin_parts = [], [], []
    prev = 0
    for i in np.flatnonzero(tables.expands[codes]).tolist():
        folded_parts.append(tables.fold[codes[prev:i]])
        cls_parts.append(cls[prev:i])
        origin_parts.append(np.arange(prev, i, dtype=np.int64))
        parts = tables.expansions[int(codes[i])]
        folded_parts.append(np.array([p[0] for p in parts], dtype=np.uint32))
        cls_parts.append(np.array([p[1] for p in parts], dtype=np.uint8))
        origin_parts.append(np.full(len(parts), i, dtype=np.int64))
        prev = i + 1
    folded_parts.append(tables.fold[codes[prev:]])
    cls_parts.append(cls[prev:])
    origin_parts.append(np.arange(prev, len(codes), dtype=np.int64))
    return np.concatenate(folded_parts), np.concatenate(cls_parts), np.concatenate(origin_parts)


class Normalizer:
    """Callable that normalizes text with the given folding tables."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def __call__(self, text: str) -> NormalizedText:
        codes, folded, cls, origin = self._fold(text)
        if codes.size == 0:
            empty = View("", _EMPTY_ORIGIN)
            return NormalizedText(text, codes, empty, empty, self.tables, b"")
        return NormalizedText(text, codes, _skeleton(folded, cls, origin),
                              _literal(folded, cls, origin), self.tables,
                              self.tables.reason[codes].tobytes())

    def view(self, text: str, name: str) -> View:
        """Only the ``"skeleton"`` or the ``"literal"`` view of ``text``, the same as in
        ``self(text)``: for callers that scan one view and need no reasons."""
        codes, folded, cls, origin = self._fold(text)
        if codes.size == 0:
            return View("", _EMPTY_ORIGIN)
        return (_skeleton if name == "skeleton" else _literal)(folded, cls, origin)

    def _fold(self, text: str):
        tables = self.tables
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(
            np.uint32
        )
        if codes.size == 0:
            return codes, codes, codes, _EMPTY_ORIGIN
        cls = tables.cls[codes]
        for match in _ASCII_CLAUSE_END.finditer(text):
            cls[match.start()] = BOUNDARY
        if tables.expands[codes].any():
            folded, cls, origin = _expand(tables, codes, cls)
        else:
            folded, origin = tables.fold[codes], np.arange(codes.size, dtype=np.int64)
        return codes, folded, cls, origin

    def fold_term(self, term: str) -> tuple[str, str]:
        """The skeleton and literal forms of a lexicon term."""
        normalized = self(term)
        return normalized.skeleton.text, normalized.literal.text
