"""Trying terms before they are published: where they would fire on clean posts, and lint.

``try_terms`` screens the clean reference corpus (ordinary college posts that must pass) with the
candidate terms compiled as an extra lexicon, through the real normalizer and matcher, with the
lexicon's allow-list in force. Every hit there is a false alarm the responsible persons would get.

``lint`` looks at a whole lexicon for terms that are likely to misfire or do nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import ahocorasick

from ..normalize import Normalizer, load_tables
from ..policy import ACCOUNT_NAME_ONLY
from ..settings import REPO_ROOT, Settings
from .clean import CleanCorpus, clean_corpus
from .compiled import compile_lexicon, fold_terms, pinyin_spellings
from .files import Entry
from .matcher import TermMatcher

CLEAN_CORPUS = REPO_ROOT / "data" / "samples" / "clean"
CONTEXT_CHARS = 12
COMMON_PER_MILLION = 20.0  # jieba frequency above which a term is an everyday word
SHORT_CHARS = 2  # a single character (or a two-letter Latin term) fires everywhere


@dataclass(frozen=True, slots=True)
class TrialHit:
    source: str
    field: str
    start: int
    end: int
    text: str
    term: str
    context: str


@dataclass(frozen=True)
class TrialResult:
    hits: tuple[TrialHit, ...]
    drafts_screened: int
    drafts_hit: int

    @property
    def false_alarm_rate(self) -> float:
        return self.drafts_hit / self.drafts_screened if self.drafts_screened else 0.0


def try_terms(candidates: list[Entry], allow: list[Entry], settings: Settings,
              corpus: CleanCorpus | None = None) -> TrialResult:
    """Screen the clean reference corpus (``clean.clean_corpus``) with the candidates."""
    corpus = corpus if corpus is not None else clean_corpus(settings)
    normalizer = Normalizer(load_tables(settings.cache_dir))
    lexicon = compile_lexicon(candidates + allow, normalizer, settings.min_pinyin_letters)
    matcher = TermMatcher(lexicon, boundary_window=settings.boundary_window,
                          evasion_short_terms=settings.evasion_short_terms,
                          cache_dir=settings.cache_dir)
    hits: list[TrialHit] = []
    drafts_hit = 0
    for clean in corpus.texts:
        found = False
        for field, text in clean.fields:
            for hit in matcher.find(normalizer(text)):
                found = True
                before = text[max(0, hit.start - CONTEXT_CHARS):hit.start].replace("\n", " ")
                after = text[hit.end:hit.end + CONTEXT_CHARS].replace("\n", " ")
                hits.append(TrialHit(clean.source, field, hit.start, hit.end,
                                     text[hit.start:hit.end], hit.entry.term,
                                     f"{before}[{text[hit.start:hit.end]}]{after}"))
        drafts_hit += found
    return TrialResult(tuple(hits), len(corpus), drafts_hit)


@dataclass(frozen=True, slots=True)
class Warning_:
    term: str
    kind: str  # short, common, duplicate, covered, allowed, pinyin
    message: str


@functools.lru_cache(maxsize=1)
def jieba_frequencies() -> tuple[dict[str, int], int]:
    """jieba's dictionary read directly (its marshal cache in the shared temp folder is never
    used, as in the matcher)."""
    import jieba

    freq: dict[str, int] = {}
    total = 0
    with jieba.get_module_res(jieba.DEFAULT_DICT_NAME) as handle:
        for raw in handle:
            word, count = raw.decode("utf-8").split(" ", 2)[:2]
            freq[word] = int(count)
            total += int(count)
    return freq, total


def _common_pinyin(lengths: set[int]) -> dict[str, str]:
    """Pinyin of every common jieba word of the given lengths -> the word."""
    from pypinyin import lazy_pinyin

    freq, total = jieba_frequencies()
    threshold = COMMON_PER_MILLION * total / 1e6
    spelled: dict[str, str] = {}
    for word, count in freq.items():
        if count >= threshold and len(word) in lengths:
            spelled.setdefault("".join(lazy_pinyin(word)), word)
    return spelled


def straddle_warnings(entries: list[Entry], settings: Settings,
                      clean: CleanCorpus) -> list[Warning_]:
    """Terms that fire inside ordinary words of the clean corpus: a dictionary word reaches
    across an end of the hit (``援交`` in 支援交流 when it is not boundary-checked)."""
    from .words import load_words

    normalizer = Normalizer(load_tables(settings.cache_dir))
    matcher = TermMatcher(compile_lexicon(entries, normalizer, settings.min_pinyin_letters),
                          boundary_window=settings.boundary_window,
                          evasion_short_terms=settings.evasion_short_terms,
                          cache_dir=settings.cache_dir)
    words = load_words(settings.cache_dir)
    fired: dict[str, int] = {}
    inside: dict[str, tuple[str, str]] = {}
    for clean_text in clean.texts:
        terms_here = set()
        for _field, text in clean_text.fields:
            for hit in matcher.find(normalizer(text), exclude=ACCOUNT_NAME_ONLY):
                terms_here.add(hit.entry.term)
                if hit.entry.term not in inside:
                    word = (words.straddles(text, hit.start, 0, len(text))
                            or words.straddles(text, hit.end, 0, len(text)))
                    if word:
                        inside[hit.entry.term] = (word, text)
        for term in terms_here:
            fired[term] = fired.get(term, 0) + 1
    return [Warning_(term, "straddles", f"在干净文本中落在词语 {word!r} 内部：{text[:40]!r}"
                     f"（{len(clean)} 篇干净文本中命中 {fired[term]} 篇）")
            for term, (word, text) in inside.items()]


def lint(entries: list[Entry], settings: Settings) -> list[Warning_]:
    warnings: list[Warning_] = []
    terms = [e for e in entries if not e.is_allow]
    allow = [e for e in entries if e.is_allow]
    freq, total = jieba_frequencies()
    normalizer = Normalizer(load_tables(settings.cache_dir))
    folded = dict(zip((e.term for e in entries),
                      (s for s, _ in fold_terms([e.term for e in entries], normalizer)),
                      strict=True))

    seen: dict[str, Entry] = {}
    for e in terms:
        form = folded[e.term]
        if len(form) < SHORT_CHARS:
            warnings.append(Warning_(e.term, "short", f"归一化后只剩 {len(form)} 个字："
                                     "会落在无数词语内部"))
        per_million = freq.get(e.term, 0) * 1e6 / total
        if per_million >= COMMON_PER_MILLION:
            warnings.append(Warning_(e.term, "common", f"日常用语（jieba 词典中每百万词出现 "
                                     f"{per_million:.0f} 次）"))
        if form in seen:
            other = seen[form]
            warnings.append(Warning_(e.term, "duplicate", f"归一化后与 {other.term!r}"
                                     f"（{other.category}，{other.source}）相同"))
        else:
            seen[form] = e

    # One automaton per category over its plain terms: "which shorter term is inside this one"
    # for every term at once, instead of comparing all pairs.
    by_category: dict[str, list[Entry]] = {}
    for e in terms:
        by_category.setdefault(e.category, []).append(e)
    for group in by_category.values():
        automaton = ahocorasick.Automaton()
        for e in group:
            if not e.boundary and folded[e.term]:
                automaton.add_word(folded[e.term], e.term)
        if not len(automaton):
            continue
        automaton.make_automaton()
        for e in group:
            form = folded[e.term]
            inner = next((t for _, t in automaton.iter(form) if folded[t] != form), None)
            if inner is not None:
                warnings.append(Warning_(e.term, "covered", f"含有同类别的词条 {inner!r}，"
                                         f"凡 {e.term!r} 命中之处它都已命中"))

    allowed = {folded[a.term]: a for a in allow}
    for e in terms:
        if folded[e.term] in allowed:
            warnings.append(Warning_(e.term, "allowed", "与允许短语 "
                                     f"{allowed[folded[e.term]].term!r} 相同，永远不会命中"))

    spellings = {e.term: pinyin_spellings(folded[e.term], settings.min_pinyin_letters)
                 for e in terms}
    common = _common_pinyin({len(folded[t]) for t, s in spellings.items() if s})
    for term, spelled in spellings.items():
        for s in spelled:
            word = common.get(s)
            if word and word != folded[term]:
                warnings.append(Warning_(term, "pinyin", f"拼音变体 {s!r} 也是常用词 "
                                         f"{word!r} 的拼音"))
                break
    return warnings
