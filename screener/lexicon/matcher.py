"""Finding lexicon terms in normalized text.

Every match of the automata is a candidate; a candidate is dropped when

* its key starts or ends with a Latin letter or digit and the text continues the token
  (pinyin must be a whole Latin token: ``daiyun`` fires, ``holidaiyun`` does not),
* its entry is boundary-sensitive and jieba does not put word boundaries at both ends of it
  (``台独`` in ``舞台独白``),
* it lies inside an allow-list phrase (``办证`` in ``办证大厅``),
* it lies inside a longer surviving match (longest match wins).

``iter_long`` is not used for the last rule: pyahocorasick's leftmost-longest iterator has had
several bugs that drop legitimate matches (upstream issues #133, #185), and a dropped match here is
a violation let through.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import io
import itertools
import logging
import os
import threading
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..i18n import zh
from ..labels import CATEGORY
from ..model import Severity
from ..normalize import NormalizedText, explain
from .compiled import REVIEW_ONLY, VARIANT_TEXT, CompiledLexicon, Variant
from .files import ALLOW, Entry
from .names import name_or_address
from .sound import is_pinyin, load_syllables

# Frequency given to boundary-sensitive terms in the segmenter's dictionary: low enough that
# common words win (舞台/独白), high enough that the term is kept whole when it stands alone.
_TERM_FREQUENCY = 50


class Hit(NamedTuple):
    """A term found in the text (a named tuple: long texts make many of them)."""

    entry: Entry
    start: int  # original offsets
    end: int
    variant: Variant
    key: str
    reasons: int
    boundary_checked: bool
    detail: str = ""  # what an evasion pass undid, in Chinese (谐音：'带'读作dai，同'代')

    @property
    def severity(self) -> Severity:
        """The entry's severity, at most ``review`` for a guess (pinyin alone, sound, shape)."""
        if self.entry.severity is Severity.BLOCK and (
                self.variant in REVIEW_ONLY or is_pinyin(self.key)):
            return Severity.REVIEW
        return self.entry.severity

    def explanation(self, found: str | None = None) -> str:
        """What was found, in Chinese: the term, and the evasions undone to find it (``found``
        is the original text of the hit). Why it matters is added by the finding factory."""
        entry = self.entry
        name = _category_name(entry.category)
        if found and found != entry.term:
            what = f"原文“{found}”即{name}词条“{entry.term}”"
        else:
            what = f"出现{name}词条“{entry.term}”"
        ways = []
        if self.variant in VARIANT_TEXT:
            ways.append(VARIANT_TEXT[self.variant] + (f"（{self.detail}）" if self.detail else ""))
        ways.extend(_undone(self.reasons))
        if ways:
            what += "；已识别的规避手法：" + "、".join(ways)
        if self.severity is not entry.severity:
            what += "；仅凭读音、字形或拼音判断，请人工复核"
        return what

    def technical(self) -> str:
        """The technical account (a finding's ``detail``): the entry and its source, how it was
        matched, what normalization undid, the checks it passed."""
        entry = self.entry
        if self.variant is Variant.PINYIN:
            how = f"pinyin spelling {self.key!r} of lexicon term {entry.term!r}"
        else:
            how = f"lexicon term {entry.term!r}"
        parts = [f"{how} ({entry.category}, {entry.source})", f"matched as {self.variant}"]
        if self.detail:
            parts.append(f"evasion pass: {self.detail}")
        parts.append(_undone_detail(self.reasons))
        if self.boundary_checked:
            parts.append("jieba word-boundary check passed")
        if self.severity is not entry.severity:
            parts.append(f"severity {entry.severity} lowered to {self.severity}: rests on "
                         "sound, shape or pinyin alone")
        return "; ".join(parts)


@functools.lru_cache(maxsize=64)
def _category_name(category: str) -> str:
    return zh(CATEGORY.get(category, category))


@functools.lru_cache(maxsize=256)
def _undone(reasons: int) -> tuple[str, ...]:
    return tuple(explain(reasons))


@functools.lru_cache(maxsize=256)
def _undone_detail(reasons: int) -> str:
    undone = explain(reasons, technical=True)
    return "normalized: " + ", ".join(undone) if undone else "exact match"


def dictionary_pairs(cache_dir: Path | None) -> np.ndarray:
    """Every pair of adjacent characters inside a word of jieba's dictionary, sorted, cached in
    ``cache_dir`` as a NumPy array (``allow_pickle=False``)."""
    import jieba

    path = cache_dir / f"jieba-pairs-{jieba.__version__}.npy" if cache_dir else None
    if path is not None and path.exists():
        try:
            pairs = np.load(path, allow_pickle=False)
            if pairs.dtype == np.dtype("<U2"):
                return pairs
        except (OSError, ValueError):
            pass  # rebuilt below
    found: set[str] = set()
    with jieba.get_module_res(jieba.DEFAULT_DICT_NAME) as handle:
        for raw in handle:
            word = raw.decode("utf-8").split(" ", 1)[0]
            found.update(word[i:i + 2] for i in range(len(word) - 1))
    pairs = np.array(sorted(found), dtype="<U2")
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npy")
            np.save(tmp, pairs, allow_pickle=False)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only state folder only costs start-up time
    return pairs


class Segmenter:
    """A private jieba tokenizer over the part of jieba's dictionary that can matter.

    Whether a boundary-sensitive term sits on word boundaries is decided by the dictionary words
    that could cover its characters (舞台 and 独白 for 台独), so the tokenizer loads only the
    words that share a character with such a term, and keeps the full dictionary's total so that
    word probabilities are unchanged. That is a tenth of the dictionary, read from a plain-text
    cache; jieba's own cache (a marshal file in the shared temp folder) is never used.
    """

    def __init__(self, extra_words: list[str], cache_dir: Path | None, *,
                 add_words: bool = True) -> None:
        self._words = extra_words
        self._add_words = add_words  # False: the words only choose which part to load
        self._cache_dir = cache_dir
        self._tokenizer = None
        self._lock = threading.Lock()

    def _dictionary(self) -> tuple[bytes, int]:
        import jieba  # 120 ms to import (measured): only drafts with boundary terms need it

        chars = sorted(set("".join(self._words)))
        key = hashlib.sha256(f"{jieba.__version__}:{''.join(chars)}".encode()).hexdigest()[:16]
        path = self._cache_dir / f"jieba-{key}.txt" if self._cache_dir else None
        if path is not None and path.exists():
            try:
                data = path.read_bytes()
                head, _, body = data.partition(b"\n")
                return body, int(head)
            except (OSError, ValueError):
                pass  # rebuilt below
        wanted = set(chars)
        lines, total = [], 0
        with jieba.get_module_res(jieba.DEFAULT_DICT_NAME) as handle:
            for raw in handle:
                line = raw.decode("utf-8")
                word, freq = line.split(" ", 2)[:2]
                total += int(freq)
                if wanted.intersection(word):
                    lines.append(f"{word} {freq}")
        body = "\n".join(lines).encode()
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
                tmp.write_bytes(str(total).encode() + b"\n" + body)
                os.replace(tmp, path)
            except OSError:
                pass  # a read-only state folder only costs start-up time
        return body, total

    def _load(self):
        import jieba  # see _dictionary

        jieba.setLogLevel(logging.WARNING)
        body, total = self._dictionary()
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, _ = tokenizer.gen_pfdict(io.BytesIO(body))
        tokenizer.total = total
        tokenizer.initialized = True
        for word in self._words if self._add_words else ():
            tokenizer.add_word(word, freq=_TERM_FREQUENCY)
        return tokenizer

    def _ready(self):
        with self._lock:
            if self._tokenizer is None:
                self._tokenizer = self._load()
        return self._tokenizer

    @functools.cached_property
    def _pairs(self) -> tuple[np.ndarray, frozenset[str]]:
        """Adjacent character pairs of every word of jieba's whole dictionary (a sorted array,
        cached) and of the added words: a superset of the loaded part's, known without loading
        the tokenizer, which most screenings then never need."""
        added = frozenset(w[i:i + 2] for w in self._words for i in range(len(w) - 1)) \
            if self._add_words else frozenset()
        return dictionary_pairs(self._cache_dir), added

    def crossed(self, text: str, position: int) -> bool:
        """Whether some dictionary word could span ``position`` (cover both of its neighbours).

        jieba (without HMM) only joins characters into a word found in its dictionary; if no
        dictionary word contains the pair of characters around ``position``, every segmentation
        cuts there and the full segmentation can be skipped. Exact, not a heuristic.
        """
        if not 0 < position < len(text):
            return False
        pair = text[position - 1:position + 1]
        pairs, added = self._pairs
        if pair in added:
            return True
        i = int(np.searchsorted(pairs, pair))
        return i < len(pairs) and pairs[i] == pair

    def frequency(self, word: str) -> int:
        """jieba's count of ``word`` (0: not a dictionary word, or outside the loaded part)."""
        return self._ready().FREQ.get(word, 0)

    def cuts(self, text: str) -> set[int]:
        """Positions where jieba (no HMM) cuts ``text`` into words.

        Uses jieba's own DAG and route (``get_DAG`` and ``calc``), the core of ``cut`` without its
        block splitting and generators, since this runs once per boundary-sensitive hit.
        """
        tokenizer = self._ready()
        route: dict[int, tuple[float, int]] = {}
        tokenizer.calc(text, tokenizer.get_DAG(text), route)
        positions, pos = {0}, 0
        while pos < len(text):
            pos = route[pos][1] + 1
            positions.add(pos)
        return positions


class _Resolved(dict):
    """key id -> (length, latin edges, text, ((entry, variant), ...)), filled on first use, so
    a matcher over a cached 100,000-term lexicon starts without touching every key."""

    def __init__(self, compiled: CompiledLexicon) -> None:
        super().__init__()
        self._keys = compiled.keys
        self._entries = compiled.entries

    def __missing__(self, key_id: int):
        k = self._keys[key_id]
        edges = (_alnum(k.text[0]), _alnum(k.text[-1])) if k.latin_edges else None
        value = (len(k.text), edges, k.text,
                 tuple((self._entries[i], v) for i, v in k.entries),
                 k.text.isascii() and k.text.isalpha() and is_pinyin(k.text))
        self[key_id] = value
        return value


def _alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


class TermMatcher:
    def __init__(self, compiled: CompiledLexicon, *, boundary_window: int = 8,
                 cache_dir: Path | None = None, evasion_short_terms: int = 2000) -> None:
        self.compiled = compiled
        self.window = boundary_window
        self.evasion_short_terms = evasion_short_terms
        self.cache_dir = cache_dir
        load_syllables(cache_dir)  # cached: what tells a pinyin key (daiyun) from English (sex)
        self._resolved = _Resolved(compiled)
        self.segmenter = Segmenter(list(compiled.boundary_keys()), cache_dir)

    @functools.cached_property
    def evasions(self):
        from .evasion import EvasionMatcher

        return EvasionMatcher(self)

    def find(self, text: NormalizedText, exclude: frozenset[str] = frozenset(), *,
             evasions: bool = True) -> list[Hit]:
        """Every term in ``text``; ``evasions=False``: only the plain passes over the two
        views (what the evasion passes are measured against)."""
        candidates: list[Hit] = []
        allowed: list[tuple[int, int]] = []
        segmented: dict[tuple[int, int], set[int]] = {}  # one jieba pass per clause window
        resolved = self._resolved
        for automaton, view in ((self.compiled.skeleton, text.skeleton),
                                (self.compiled.literal, text.literal)):
            if automaton is None or not view.text:
                continue
            offsets = None
            # The hot loop of the term stage: one pass per automaton match, kept flat on purpose.
            for last, key_id in automaton.iter(view.text):
                if offsets is None:
                    offsets = view.offsets
                length, latin, key_text, meanings, alpha = resolved[key_id]
                first = last + 1 - length
                start, end = offsets[first], offsets[last] + 1
                if latin and not text.latin_edges_ok(start, end, *latin):
                    continue
                if alpha and name_or_address(text.original, start, end):
                    continue
                checked: bool | None = None
                for entry, variant in meanings:
                    if entry.category == ALLOW:
                        allowed.append((start, end))
                        continue
                    if entry.category in exclude:
                        continue
                    if entry.boundary and variant is not Variant.PINYIN:
                        if checked is None:
                            checked = self._on_word_boundaries(view.text, first, last + 1,
                                                               segmented)
                        if not checked:
                            continue
                    candidates.append(Hit(entry, start, end, variant, key_text,
                                          text.reasons(start, end), bool(checked)))
        if evasions:
            candidates.extend(self.evasions.find(text, exclude))
        if allowed:
            candidates = _outside_allowed(candidates, allowed)
        return _longest_first(candidates)

    def _on_word_boundaries(self, text: str, first: int, stop: int,
                            segmented: dict[tuple[int, int], set[int]]) -> bool:
        """Whether jieba cuts the clause around ``text[first:stop]`` at both ends of it.

        The clause (between boundaries) is segmented whole when it is short, so that the
        segmentation is the same for every hit in it and computed once.
        """
        if not (self.segmenter.crossed(text, first) or self.segmenter.crossed(text, stop)):
            return True
        lo = text.rfind("\n", 0, first) + 1
        hi = text.find("\n", stop)
        hi = len(text) if hi == -1 else hi
        if hi - lo > 2 * self.window + (stop - first):
            lo, hi = max(lo, first - self.window), min(hi, stop + self.window)
        cuts = segmented.get((lo, hi))
        if cuts is None:
            cuts = segmented[(lo, hi)] = {lo + c for c in self.segmenter.cuts(text[lo:hi])}
        return first in cuts and stop in cuts


def _outside_allowed(candidates: list[Hit], allowed: list[tuple[int, int]]) -> list[Hit]:
    """Drop hits that lie inside an allow-list phrase, in O((n + m) log m)."""
    allowed.sort()
    starts = [a for a, _ in allowed]
    reach = list(itertools.accumulate((b for _, b in allowed), max))
    kept = []
    for hit in candidates:
        i = bisect.bisect_right(starts, hit.start)  # allow spans starting at or before the hit
        if i == 0 or reach[i - 1] < hit.end:
            kept.append(hit)
    return kept


def _longest_first(candidates: list[Hit]) -> list[Hit]:
    """Longest match wins: drop a hit that lies inside a longer one.

    Hits that only partly overlap are both kept: in 同城约🔥炮 the longer 同城约 must not hide
    约炮. Hits with the same span keep one finding per category (a term and its own pinyin
    listed twice would otherwise report the same thing twice). Sorting by start, longest first,
    makes "inside an earlier hit" the same as "ends no later than the furthest end so far".
    """
    if len(candidates) < 2:
        return candidates
    chosen: list[Hit] = []
    furthest = -1
    span: tuple[int, int] | None = None
    categories: set[str] = set()
    for hit in sorted(candidates, key=lambda h: (h.start, -h.end)):
        if (hit.start, hit.end) == span:
            if hit.entry.category not in categories:
                categories.add(hit.entry.category)
                chosen.append(hit)
            continue
        if hit.end <= furthest:
            continue
        chosen.append(hit)
        span, categories, furthest = (hit.start, hit.end), {hit.entry.category}, hit.end
    return chosen
