"""Compiling lexicon entries into Aho-Corasick automata over the normalized views.

Every entry becomes one or more keys: its skeleton form (noise removed), or its literal form when
its symbols matter (``秘密★``), plus the pinyin spelling of an all-Chinese term (``daiyun`` for
代孕). Keys are stored as integers (``STORE_INTS``) indexing ``keys``, so the automaton holds no
Python objects and can be saved and loaded without pickle.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import ahocorasick

from ..errors import LexiconError
from ..normalize import Normalizer
from .files import Entry

_CJK = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff]+$")
FORMAT_VERSION = 1


class Variant(StrEnum):
    FORM = "form"  # the term's own normalized form
    LITERAL = "literal"  # matched on the literal view (symbols significant)
    PINYIN = "pinyin"  # the pinyin spelling of a Chinese term
    # Found by the evasion passes (``evasion.py``), never stored in an automaton's keys:
    JOINED = "joined"  # across punctuation between single characters (代、孕)
    VERTICAL = "vertical"  # one character a line
    LETTER = "letter"  # a foreign letter between Chinese characters (代α孕)
    FILLER = "filler"  # filler characters inside a term marked ``fillers`` (代的孕)
    REVERSED = "reversed"  # written backwards after U+202E, read in display order
    LEET = "leet"  # digits for letters in a Latin word (p0rn)
    MIXED = "mixed"  # hanzi and pinyin mixed (代yun, dai孕)
    TONE = "tone"  # pinyin with tone digits (dai4yun4)
    SOUND = "sound"  # a homophone of a character (带考)
    SHAPE = "shape"  # a look-alike character (加徽信)


# What each variant undid, for the reviewer (Chinese first: the explanation is read by people).
VARIANT_TEXT = {
    Variant.PINYIN: "拼音",
    Variant.JOINED: "插入符号（字间的标点、空格）",
    Variant.VERTICAL: "竖排（一行一字）",
    Variant.LETTER: "插入外文字母",
    Variant.FILLER: "插入虚字",
    Variant.REVERSED: "反向（U+202E 从右至左强制，按显示顺序读）",
    Variant.LEET: "数字替代字母",
    Variant.MIXED: "汉字拼音混写",
    Variant.TONE: "拼音带声调数字",
    Variant.SOUND: "谐音",
    Variant.SHAPE: "形近字",
}
# Hits that rest on a guess about sound or shape (or pinyin alone) ask a person; they never block.
REVIEW_ONLY = frozenset({Variant.PINYIN, Variant.MIXED, Variant.TONE, Variant.SOUND,
                         Variant.SHAPE})


class Key(NamedTuple):
    """One string in an automaton and the entries it stands for.

    A named tuple rather than a dataclass: a 100,000-term lexicon has twice as many keys, and
    building them is most of the time a cached load takes. Build with ``Key.of``.
    """

    text: str
    literal: bool  # True: matched on the literal view; False: on the skeleton view
    entries: tuple[tuple[int, Variant], ...]  # (index into CompiledLexicon.entries, how)
    # Keys starting or ending in a Latin letter or digit must be whole tokens in the text.
    latin_edges: bool = False

    @classmethod
    def of(cls, text: str, literal: bool, entries: tuple[tuple[int, Variant], ...]) -> Key:
        edges = text[:1] + text[-1:]
        return cls(text, literal, entries, any(c.isascii() and c.isalnum() for c in edges))


class Rows(Sequence):
    """A read-only sequence whose items are built on first use.

    A lexicon loaded from the cache has hundreds of thousands of entries and keys, and a
    screening touches a few of them: building every Python object up front would be most of a
    worker's start-up time and memory. Compares equal to any sequence with the same items.
    """

    __slots__ = ("_build", "_items", "_length")

    def __init__(self, length: int, build: Callable[[int], object]) -> None:
        self._length = length
        self._build = build
        self._items: list = [None] * length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self._length)))
        item = self._items[index]
        if item is None:  # two threads may both build it: the same value, no harm
            item = self._items[index] = self._build(index % self._length)
        return item

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class CompiledLexicon:
    version: str
    entries: Sequence[Entry]
    keys: Sequence[Key]
    skeleton: ahocorasick.Automaton | None
    literal: ahocorasick.Automaton | None
    # Skeleton keys of boundary-sensitive entries (what the segmenter must know); None: derive.
    boundary_words: tuple[str, ...] | None = None

    @property
    def terms(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if not e.is_allow)

    def boundary_keys(self) -> tuple[str, ...]:
        if self.boundary_words is not None:
            return self.boundary_words
        return boundary_keys(self.keys, self.entries)


def boundary_keys(keys: Sequence[Key], entries: Sequence[Entry]) -> tuple[str, ...]:
    return tuple(sorted({k.text for k in keys if not k.literal
                         for i, _ in k.entries if entries[i].boundary}))


# Reports carry "lex-<sequence>-<content hash>"; the prefix makes the string greppable in logs.
VERSION_PREFIX = "lex-"


def content_hash(entries: list[Entry], min_pinyin_letters: int) -> str:
    """Hash of everything that changes what the automaton matches (12 hex digits)."""
    rows = sorted((e.term, e.category, str(e.severity), e.article, e.boundary)
                  + ((True,) if e.fillers else ()) for e in entries)
    blob = json.dumps([FORMAT_VERSION, min_pinyin_letters, rows], ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def format_version(sequence: int, content: str) -> str:
    return f"{VERSION_PREFIX}{sequence}-{content}"


def lexicon_version(entries: list[Entry], min_pinyin_letters: int, sequence: int = 0) -> str:
    """The version string of ``entries`` published as store change ``sequence`` (0: shipped)."""
    return format_version(sequence, content_hash(entries, min_pinyin_letters))


def parse_version(text: str) -> int:
    """The sequence number in "12", "12-3fa9c2d1e0b4" or "lex-12-3fa9c2d1e0b4"."""
    head = text.strip().removeprefix(VERSION_PREFIX).split("-", 1)[0]
    if not head.isdigit():
        raise LexiconError("词库版本", f"{text!r} 不是词库版本（例如 12 或 "
                                     f"{VERSION_PREFIX}12-3fa9c2d1e0b4）")
    return int(head)


def pinyin_spellings(term: str, min_letters: int) -> list[str]:
    """Toneless pinyin of an all-Chinese term (ü written both v and u); none if too short."""
    if len(term) < 2 or not _CJK.match(term):
        return []
    from pypinyin import lazy_pinyin  # 400 ms to import (measured): when compiling only

    spelled = "".join(lazy_pinyin(term))
    if len(spelled) < min_letters or not spelled.isascii() or not spelled.isalpha():
        return []
    return sorted({spelled, spelled.replace("v", "u")})


def fold_terms(terms: list[str], normalizer: Normalizer) -> list[tuple[str, str]]:
    """Skeleton and literal forms of many terms in one normalizer call.

    Terms are joined by line breaks, which both views keep as ``\\n``; one call instead of one per
    term makes compiling a 100,000-term lexicon several times faster. A term that itself contains
    a boundary character would shift the split, so that (rare) case falls back to one call each.
    """
    if not terms:
        return []
    joined = normalizer("\n".join(terms))
    skeletons = joined.skeleton.text.split("\n")
    literals = joined.literal.text.split("\n")
    if len(skeletons) == len(literals) == len(terms):
        return list(zip(skeletons, literals, strict=True))
    return [normalizer.fold_term(term) for term in terms]


def compile_lexicon(entries: list[Entry], normalizer: Normalizer,
                    min_pinyin_letters: int = 4, sequence: int = 0) -> CompiledLexicon:
    by_key: dict[tuple[str, bool], list[tuple[int, Variant]]] = {}
    for index, (entry, (skeleton, literal)) in enumerate(
            zip(entries, fold_terms([e.term for e in entries], normalizer), strict=True)):
        if not skeleton or "\n" in skeleton:
            raise LexiconError(entry.source or "词库",
                               f"词条 {entry.term!r} 没有可匹配的字符，或含有分句标点")
        if literal != skeleton:
            by_key.setdefault((literal, True), []).append((index, Variant.LITERAL))
        else:
            by_key.setdefault((skeleton, False), []).append((index, Variant.FORM))
        if not entry.is_allow:
            for spelled in pinyin_spellings(skeleton, min_pinyin_letters):
                by_key.setdefault((spelled, False), []).append((index, Variant.PINYIN))

    keys = tuple(Key.of(text, literal, tuple(found)) for (text, literal), found in by_key.items())
    automata = {False: ahocorasick.Automaton(ahocorasick.STORE_INTS),
                True: ahocorasick.Automaton(ahocorasick.STORE_INTS)}
    for key_id, key in enumerate(keys):
        automata[key.literal].add_word(key.text, key_id)
    for automaton in automata.values():
        automaton.make_automaton()
    return CompiledLexicon(
        version=lexicon_version(entries, min_pinyin_letters, sequence),
        entries=tuple(entries),
        keys=keys,
        skeleton=automata[False] if len(automata[False]) else None,
        literal=automata[True] if len(automata[True]) else None,
    )
