"""Checking a text against the bank: which sources it reuses, on which spans.

``SourceChecker.check(field, text)``:

1. the text is folded (``text.match_text``) and cut into query windows of whole sentences;
2. each window's MinHash signature is looked up in the LSH index: the sources of the passages
   that share a band with a window are the candidates, best estimated similarity first;
3. each candidate source is aligned exactly with the text (``align.py``); the source covering
   most characters claims them first, so a span is reported once, for its best source;
4. spans are mapped back to the original text and widened over the punctuation that opens
   and closes them (a copied paragraph is reported as the paragraph).

Text that many sources hold (``common_sources`` or more of the candidates: a standard
introduction of the college, a formula every notice repeats) is common text, not a reprint of
any one of them, and is never reported. A post that is itself in the bank (re-screened from
the archive) is compared only with sources published before it, never with itself or with
its own account's posts.

The checker follows the bank: each check compares the bank's stamp (one indexed query) with
the index's and, when it moved, brings the index up to date first (``index.open_index``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..normalize import Normalizer
from .align import coverage, source_grams, spans
from .bank import Source, SourceBank
from .index import Candidate, PassageIndex, open_index
from .minhash import SHINGLE
from .text import MatchText, match_text, shingles, windows

ALIGN_GRAM = 8  # characters of an exact shared run that counts as copied
WINDOW_CHARS = 80  # as the bank's passages (bank.PASSAGE_CHARS)
FLOOR = 0.08  # least estimated similarity of a candidate worth aligning
_OPENING = set("“‘「『（(【[《〈")
_CLOSING = set("。！？；，、：…”’」』）)】]》〉.!?;,:")
_TEXT_CACHE = 512  # sources whose folded text is kept for the next drafts


@dataclass(frozen=True, slots=True)
class ReusedSpan:
    start: int  # offsets into the original text of the field
    end: int
    chars: int  # characters of text (punctuation and spaces not counted)
    covered: int  # of them, those inside an exact shared run


@dataclass(frozen=True, slots=True)
class Reuse:
    """What one text reuses from one source."""

    source: Source
    field: str
    spans: tuple[ReusedSpan, ...]
    similarity: float  # best estimated Jaccard similarity of a window and a passage

    @property
    def chars(self) -> int:
        return sum(s.chars for s in self.spans)


@dataclass(frozen=True, slots=True)
class Checked:
    field: str
    text: MatchText
    reuses: tuple[Reuse, ...]
    candidates: int = 0  # sources aligned

    @property
    def chars(self) -> int:
        return len(self.text)


class SourceChecker:
    """Checks texts against the bank at ``url`` (``settings.sources``: threshold, spans)."""

    def __init__(self, url: str, normalizer: Normalizer, cache_dir: Path, *,
                 threshold: float = 0.3, min_chars: int = 40, gap: int = 8,
                 max_sources: int = 30, common_sources: int = 5) -> None:
        self.bank = SourceBank(url, normalizer, create=False)
        self.normalizer = normalizer
        self.cache_dir = Path(cache_dir)
        self.threshold = threshold
        self.min_chars = min_chars
        self.gap = gap
        self.max_sources = max_sources
        self.common_sources = common_sources
        self._index: PassageIndex | None = None
        self._lock = threading.Lock()
        self._texts: OrderedDict[int, tuple[MatchText, np.ndarray]] = OrderedDict()

    @classmethod
    def for_settings(cls, settings, normalizer: Normalizer) -> SourceChecker:
        section = settings.sources
        return cls(settings.sources_database_url, normalizer, settings.cache_dir,
                   threshold=section.lsh_threshold, min_chars=section.min_chars,
                   gap=section.gap, max_sources=section.max_sources,
                   common_sources=section.common_sources)

    def index(self) -> PassageIndex:
        """The index as the bank is now (one indexed query when nothing changed)."""
        with self._lock:
            self._index = open_index(self.bank, self.cache_dir, self.threshold, self._index)
            return self._index

    def check(self, field: str, text: str, *, exclude_origin: str = "",
              exclude_owner: str = "", before: str | None = None, paragraphs: bool = True,
              sources: list[Candidate] | None = None) -> Checked:
        """What ``text`` reuses. ``exclude_origin``: the post being checked, if it is in the
        bank itself; ``exclude_owner``: the account the draft is for (an account reusing its
        own published posts reprints nothing); ``before``: only sources published before this
        (ISO time; undated sources always count); ``paragraphs``: False for text read from a
        picture (see ``text.match_text``); ``sources``: align with these instead of asking
        the index (a baseline)."""
        mt = match_text(self.normalizer, text, paragraphs=paragraphs)
        if len(mt) < self.min_chars:
            return Checked(field, mt, ())
        if sources is None:
            index = self.index()
            if len(index) == 0:
                return Checked(field, mt, ())
            cut = windows(mt, WINDOW_CHARS)
            sigs = index.scheme.sign([shingles(mt.codes[s:e], SHINGLE) for s, e in cut])
            sources = index.candidates(sigs, limit=self.max_sources + 1, floor=FLOOR)
        texts = self.bank.texts(c.source_id for c in sources)
        candidates = [(c, texts[c.source_id]) for c in sources if c.source_id in texts
                      and not _excluded(texts[c.source_id][0], exclude_origin, exclude_owner,
                                        before)]
        candidates = candidates[:self.max_sources]
        return Checked(field, mt, tuple(self._align(field, mt, candidates)), len(candidates))

    def _folded(self, source: Source, text: str) -> tuple[MatchText, np.ndarray]:
        cached = self._texts.get(source.id)
        if cached is None:
            folded = match_text(self.normalizer, text)
            cached = (folded, source_grams(folded, ALIGN_GRAM))
            self._texts[source.id] = cached
            while len(self._texts) > _TEXT_CACHE:
                self._texts.popitem(last=False)
        else:
            self._texts.move_to_end(source.id)
        return cached

    def _align(self, field: str, mt: MatchText, candidates) -> list[Reuse]:
        covered = []
        held = np.zeros(len(mt), dtype=np.int32)
        for candidate, (source, text) in candidates:
            _, grams = self._folded(source, text)
            mask = coverage(mt, grams, ALIGN_GRAM)
            held += mask
            if mask.sum() >= self.min_chars:
                covered.append((int(mask.sum()), candidate, source, mask))
        # Common text is claimed by no one: it is not a reprint of any one source.
        claimed = held >= self.common_sources
        out = []
        # The source holding most first; among equals, a file (the original publisher's text)
        # before posts, then the oldest.
        for _, candidate, source, mask in sorted(
                covered, key=lambda c: (-c[0], c[2].kind != "file", c[2].id)):
            found = spans(mt, mask & ~claimed, gap=self.gap, min_chars=self.min_chars)
            if not found:
                continue
            for span in found:
                claimed[span.start:span.end] = True
            out.append(Reuse(source, field, tuple(_widened(mt, s.start, s.end, s.covered)
                                                  for s in found), candidate.similarity))
        return sorted(out, key=lambda r: r.spans[0].start)


def _excluded(source: Source, origin: str, owner: str, before: str | None) -> bool:
    """The post itself, a post of its own account, or one published after it."""
    return bool((origin and source.origin == origin)
                or (owner and source.kind in ("archive", "service") and source.owner == owner)
                or (before and source.published_at and source.published_at >= before))


def _widened(mt: MatchText, start: int, end: int, covered: int) -> ReusedSpan:
    """The span in the original text, with the punctuation that opens and closes it."""
    text = mt.original
    s, e = mt.span(start, end)
    while s > 0 and text[s - 1] in _OPENING:
        s -= 1
    while e < len(text) and text[e] in _CLOSING:
        e += 1
    return ReusedSpan(s, e, end - start, covered)
