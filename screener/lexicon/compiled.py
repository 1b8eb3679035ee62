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
from dataclasses import dataclass
from enum import StrEnum

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


@dataclass(frozen=True, slots=True)
class Key:
    text: str
    literal: bool  # True: matched on the literal view; False: on the skeleton view
    entries: tuple[tuple[int, Variant], ...]  # (index into CompiledLexicon.entries, how)

    # Keys starting or ending in a Latin letter or digit must be whole tokens in the text.
    latin_edges: bool = False

    def __post_init__(self) -> None:
        edges = (self.text[:1] + self.text[-1:])
        object.__setattr__(self, "latin_edges",
                           any(c.isascii() and c.isalnum() for c in edges))


@dataclass(frozen=True)
class CompiledLexicon:
    version: str
    entries: tuple[Entry, ...]
    keys: tuple[Key, ...]
    skeleton: ahocorasick.Automaton | None
    literal: ahocorasick.Automaton | None

    @property
    def terms(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if not e.is_allow)


def lexicon_version(entries: list[Entry], min_pinyin_letters: int) -> str:
    """Content hash of everything that changes what the automaton matches."""
    rows = sorted((e.term, e.category, str(e.severity), e.article, e.boundary) for e in entries)
    blob = json.dumps([FORMAT_VERSION, min_pinyin_letters, rows], ensure_ascii=False)
    return "lex-" + hashlib.sha256(blob.encode()).hexdigest()[:12]


def pinyin_spellings(term: str, min_letters: int) -> list[str]:
    """Toneless pinyin of an all-Chinese term (ü written both v and u); none if too short."""
    if len(term) < 2 or not _CJK.match(term):
        return []
    from pypinyin import lazy_pinyin

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
                    min_pinyin_letters: int = 4) -> CompiledLexicon:
    by_key: dict[tuple[str, bool], list[tuple[int, Variant]]] = {}
    for index, (entry, (skeleton, literal)) in enumerate(
            zip(entries, fold_terms([e.term for e in entries], normalizer), strict=True)):
        if not skeleton or "\n" in skeleton:
            raise LexiconError(entry.source or "lexicon",
                               f"term {entry.term!r} has no matchable characters "
                               "or contains clause punctuation")
        if literal != skeleton:
            by_key.setdefault((literal, True), []).append((index, Variant.LITERAL))
        else:
            by_key.setdefault((skeleton, False), []).append((index, Variant.FORM))
        if not entry.is_allow:
            for spelled in pinyin_spellings(skeleton, min_pinyin_letters):
                by_key.setdefault((spelled, False), []).append((index, Variant.PINYIN))

    keys = tuple(Key(text, literal, tuple(found)) for (text, literal), found in by_key.items())
    automata = {False: ahocorasick.Automaton(ahocorasick.STORE_INTS),
                True: ahocorasick.Automaton(ahocorasick.STORE_INTS)}
    for key_id, key in enumerate(keys):
        automata[key.literal].add_word(key.text, key_id)
    for automaton in automata.values():
        automaton.make_automaton()
    return CompiledLexicon(
        version=lexicon_version(entries, min_pinyin_letters),
        entries=tuple(entries),
        keys=keys,
        skeleton=automata[False] if len(automata[False]) else None,
        literal=automata[True] if len(automata[True]) else None,
    )
