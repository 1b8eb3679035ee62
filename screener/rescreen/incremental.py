"""Incremental re-screening: which posts a lexicon change can touch.

A post's report depends on the lexicon only through the raw matches of the automaton in its
texts (title, body, the text read from its images): every later rule of the matcher (Latin token
edges, jieba word boundaries, allow-list phrases, longest match) keeps or drops those candidates,
and the classifiers see the lexicon only through the terms stage's hits. So between the version a
post was last screened with and the current one, only the entries that differ (added, retired or
edited, the edit including the source a finding's explanation names) can change its report, and
only where one of their keys matches in a normalized view of its text.

The probe is a small automaton of those entries' keys, compiled once by ``compile_lexicon``
with the screener's own normalization tables, so its keys (skeleton, literal and pinyin forms)
are exactly the keys the full lexicon has for them and evasion spellings match the same way. A
post where the probe finds nothing gets its previous report carried forward; any match at all
(a superset of what could change: a longer new term swallowing an old nested hit, an allow
phrase, a retired term) sends the post to a full screening.

The evasion passes (homophones, look-alikes, terms across punctuation or lines, fillers, reversed
text, leetspeak, mixed pinyin and tone digits) find a term where none of its keys occurs. Every
one of them needs at least one character of the term as written, or a Latin token with a digit;
so a post whose skeleton holds such a character or token is also run through the evasion passes
of the changed entries, and touched if they find anything.

jieba's dictionary for the boundary checks is built from the boundary-sensitive terms, so when
that set changes every boundary-sensitive entry joins the probe. A previous version whose entries
cannot be rebuilt from the store (the shipped files changed since) has no probe: full screening.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from ..errors import LexiconError
from ..lexicon import Entry, compile_lexicon, entries_at, lexicon_version, parse_version
from ..lexicon.store import LexiconStore
from ..normalize import Normalizer, load_tables
from ..settings import Settings


def _row(entry: Entry) -> tuple:
    return (entry.term, entry.category, str(entry.severity), entry.article, entry.boundary,
            entry.source, entry.fillers)


def changed_entries(old: Iterable[Entry], new: Iterable[Entry]) -> list[Entry]:
    """Entries in one list and not the other (an edit shows up as its old and its new form),
    plus every boundary-sensitive entry when the set of boundary-sensitive terms changed."""
    old_rows = {_row(e): e for e in old}
    new_rows = {_row(e): e for e in new}
    changed = [e for r, e in new_rows.items() if r not in old_rows]
    changed += [e for r, e in old_rows.items() if r not in new_rows]
    if {e.term for e in old_rows.values() if e.boundary} != \
            {e.term for e in new_rows.values() if e.boundary}:
        seen = {_row(e) for e in changed}
        changed += [e for r, e in new_rows.items() if e.boundary and r not in seen]
    return changed


@dataclass(frozen=True)
class ProbeSpec:
    """What a worker needs to build a probe: the keys of the changed entries, compiled once by
    the driver (so no worker loads pypinyin for them), as (text, literal view) pairs."""

    keys: tuple[tuple[str, bool], ...]
    digest: str  # identifies the probe in a worker's cache
    entries: tuple[Entry, ...] = ()  # the changed terms, for their evasion passes
    min_pinyin_letters: int = 4

    @classmethod
    def of(cls, entries: Sequence[Entry], normalizer: Normalizer,
           min_pinyin_letters: int) -> ProbeSpec:
        keys: tuple[tuple[str, bool], ...] = ()
        if entries:
            compiled = compile_lexicon(list(entries), normalizer, min_pinyin_letters)
            keys = tuple(sorted((key.text, key.literal) for key in compiled.keys))
        terms = tuple(e for e in entries if not e.is_allow)
        rows = [(e.term, e.category, e.boundary, e.fillers) for e in terms]
        digest = hashlib.sha256(json.dumps([keys, rows], ensure_ascii=False).encode()) \
            .hexdigest()[:16]
        return cls(keys, digest, terms, min_pinyin_letters)


# Joins the texts of many posts into one normalizer call. It is a clause boundary, so both views
# hold it as "\n", which no key contains: a match in the joined views is a match in one text,
# and each text's views are exactly its own (normalization folds character by character; the
# one look-ahead, an ASCII period before a space, sees this character as it sees a text's end).
SEPARATOR = "\u3002"


class Probe:
    """The automata of the changed entries, and which posts' texts contain one of their keys."""

    def __init__(self, spec: ProbeSpec, normalizer: Normalizer,
                 cache_dir: Path | None = None) -> None:
        self.normalizer = normalizer
        self.spec = spec
        self.cache_dir = cache_dir
        self._evasions = None
        self.automata = []
        for literal, name in ((False, "skeleton"), (True, "literal")):
            words = [text for text, on_literal in spec.keys if on_literal is literal]
            if words:
                automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
                for word in words:
                    automaton.add_word(word)
                automaton.make_automaton()
                self.automata.append((automaton, name))
        probe = normalizer(f"a{SEPARATOR}b")
        self.joinable = probe.skeleton.text == probe.literal.text == "a\nb"

    def touched(self, posts: Sequence[Sequence[str]]) -> set[int]:
        """Indices of the posts (each a list of texts) where some key of the probe occurs, or
        where the evasion passes of the changed terms find one of them."""
        found = self._keys_touched(posts)
        if self.spec.entries:
            found |= {i for i, texts in enumerate(posts)
                      if i not in found and self._evaded(texts)}
        return found

    @functools.cached_property
    def _evasion_clue(self) -> re.Pattern:
        chars = sorted({c for e in self.spec.entries
                        for c in self.normalizer(e.term).skeleton.text if not c.isascii()})
        alternatives = [r"[a-z][0-9]|[0-9][a-z]"]  # tone digits, leetspeak
        if chars:
            alternatives.append("[" + "".join(re.escape(c) for c in chars) + "]")
        return re.compile("|".join(alternatives))

    def _evaded(self, texts: Sequence[str]) -> bool:
        for text in texts:
            if not text:
                continue
            normalized = self.normalizer(text)
            if not self._evasion_clue.search(normalized.skeleton.text):
                continue
            if self._evasions is None:
                from ..lexicon.matcher import TermMatcher

                compiled = compile_lexicon(list(self.spec.entries), self.normalizer,
                                           self.spec.min_pinyin_letters)
                # Guess for every changed term: a superset of what the full lexicon guesses.
                self._evasions = TermMatcher(compiled, cache_dir=self.cache_dir,
                                             evasion_short_terms=len(compiled.entries)).evasions
            if self._evasions.find(normalized):
                return True
        return False

    def _keys_touched(self, posts: Sequence[Sequence[str]]) -> set[int]:
        if not self.automata:
            return set()
        if not self.joinable:  # tables where the separator is no boundary: one call per text
            return {i for i, texts in enumerate(posts) if self._any(texts)}
        starts, owners, pieces, position = [], [], [], 0
        for index, texts in enumerate(posts):
            for text in texts:
                if text:
                    starts.append(position)
                    owners.append(index)
                    pieces.append(text)
                    position += len(text) + 1
        if not pieces:
            return set()
        joined = SEPARATOR.join(pieces)
        if len(self.automata) == 1:  # most changes have no literal keys: one view is enough
            views = {self.automata[0][1]: self.normalizer.view(joined, self.automata[0][1])}
        else:
            normalized = self.normalizer(joined)
            views = {"skeleton": normalized.skeleton, "literal": normalized.literal}
        found = set()
        for automaton, name in self.automata:
            view = views[name]
            origin = view.origin  # matches are few: no list of every offset
            for last, _ in automaton.iter(view.text):
                found.add(owners[bisect.bisect_right(starts, int(origin[last])) - 1])
        return found

    def _any(self, texts: Sequence[str]) -> bool:
        for text in texts:
            if text:
                normalized = self.normalizer(text)
                for automaton, name in self.automata:
                    if next(automaton.iter(getattr(normalized, name).text), None) is not None:
                        return True
        return False


class Planner:
    """The probe from each previous lexicon version to the current one (None: screen fully)."""

    def __init__(self, settings: Settings, current_version: str, store: LexiconStore) -> None:
        self.settings = settings
        self.current = current_version
        self.store = store
        self._current_entries: list[Entry] | None = None
        self._specs: dict[str, ProbeSpec | None] = {}
        self._normalizer: Normalizer | None = None

    def _spec_of(self, entries: list[Entry]) -> ProbeSpec:
        if self._normalizer is None:
            self._normalizer = Normalizer(load_tables(self.settings.cache_dir))
        return ProbeSpec.of(entries, self._normalizer, self.settings.min_pinyin_letters)

    def _entries(self, version: str) -> list[Entry] | None:
        try:
            seq = parse_version(version)
        except LexiconError:
            return None
        entries = entries_at(self.settings, seq, self.store)
        # The store rebuilds a version over today's shipped files: check it is really that one.
        if lexicon_version(entries, self.settings.min_pinyin_letters, seq) != version:
            return None
        return entries

    def spec(self, previous: str) -> ProbeSpec | None:
        if previous not in self._specs:
            if self._current_entries is None:
                self._current_entries = self._entries(self.current) or []
            old = self._entries(previous) if self._current_entries else None
            self._specs[previous] = (
                None if old is None
                else self._spec_of(changed_entries(old, self._current_entries)))
        return self._specs[previous]
