"""The clean reference corpus, and each lexicon term's false-alarm rate on it.

The clean reference corpus is what must pass: when a local real corpus has been built
(``screener corpus build``; the ``corpus_dir`` setting or ``--corpus``), its real education news
titles and university notice titles plus the hand-written clean samples of
``data/samples/clean/``; otherwise the hand-written samples alone. Every command that uses it
says which one it used.

A term's false-alarm rate is the share of clean texts it fires on, through the real normalizer
and matcher with the allow-list in force: each of those is an alarm a responsible person would
have to dismiss.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..corpus import find_corpus, load_corpus
from ..corpus.local import CORPUS_FILE
from ..errors import InputError
from ..ingest import SUFFIXES, load_draft
from ..normalize import Normalizer, load_tables
from ..policy import ACCOUNT_NAME_ONLY
from ..settings import REPO_ROOT, Settings
from .compiled import compile_lexicon
from .files import Entry
from .matcher import TermMatcher

HAND_WRITTEN = REPO_ROOT / "data" / "samples" / "clean"
RATE_LIMIT = 0.005  # a shipped term firing on more than 0.5 % of clean texts is fixed or documented


@dataclass(frozen=True)
class CleanText:
    source: str  # a corpus id ("thucnews:dev:L12") or a file name
    fields: tuple[tuple[str, str], ...]  # (field, text)


@dataclass(frozen=True)
class CleanCorpus:
    texts: tuple[CleanText, ...]
    description: str  # Chinese: which corpus, for the commands' output
    digest: str  # sha256 over the texts, so a measured rate names what it was measured on
    real: int  # how many texts are real (not hand-written)

    def __len__(self) -> int:
        return len(self.texts)


def _drafts(folder: Path, settings: Settings) -> list[CleanText]:
    files = sorted(p for p in folder.glob("*") if p.suffix in SUFFIXES) if folder.is_dir() else []
    texts = []
    for path in files:
        draft = load_draft(path, settings)
        fields = tuple((f, t) for f, t in (("title", draft.title), ("body", draft.body)) if t)
        texts.append(CleanText(path.name, fields))
    return texts


def _lines(path: Path) -> list[CleanText]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"无法读取干净文本（{exc}）") from None
    return [CleanText(f"{path.name}:{n}", (("body", line.strip()),))
            for n, line in enumerate(lines, start=1) if line.strip()]


def _digest(texts: Iterable[CleanText]) -> str:
    digest = hashlib.sha256()
    for t in texts:
        for field, text in t.fields:
            digest.update(f"{t.source}\0{field}\0{text}\n".encode())
    return digest.hexdigest()


def clean_corpus(settings: Settings, explicit: Path | None = None,
                 splits: tuple[str, ...] | None = None) -> CleanCorpus:
    """The clean reference corpus. ``explicit``: a built corpus folder (its real clean texts plus
    the hand-written samples), a folder of drafts, or a text file with one text a line. Without
    it: the built corpus of the ``corpus_dir`` setting if there is one, else the hand-written
    samples. ``splits`` restricts the real texts to some splits of the built corpus."""
    folder: Path | None
    if explicit is not None and not (explicit.is_dir() and (explicit / CORPUS_FILE).is_file()):
        texts = _lines(explicit) if explicit.is_file() else _drafts(explicit, settings)
        if not texts:
            raise InputError(str(explicit), "干净参考语料中没有稿件")
        return CleanCorpus(tuple(texts), f"{explicit}（{len(texts)} 篇）", _digest(texts), 0)
    folder = find_corpus(explicit, settings)
    hand = _drafts(HAND_WRITTEN, settings)
    if folder is None:
        return CleanCorpus(tuple(hand), f"手写干净样例 {len(hand)} 篇（data/samples/clean；未找到"
                           "本地真实语料，可用 `screener corpus build` 构建）", _digest(hand), 0)
    corpus = load_corpus(folder)
    real = [CleanText(r.id, ((r.field, r.text),)) for r in corpus.clean()
            if splits is None or r.split in splits]
    texts = real + hand
    which = "全部" if splits is None else "/".join(splits)
    return CleanCorpus(tuple(texts), f"本地真实语料 {folder} 中的真实教育新闻与高校通知标题 "
                       f"{len(real)} 条（{which}）+ 手写干净样例 {len(hand)} 篇", _digest(texts),
                       len(real))


@dataclass(frozen=True)
class TermRate:
    term: str
    category: str
    source: str
    texts_hit: int
    of: int
    example: str  # a clean text it fires on (its id), or ""

    @property
    def rate(self) -> float:
        return self.texts_hit / self.of if self.of else 0.0


def term_rates(entries: list[Entry], settings: Settings, corpus: CleanCorpus) -> list[TermRate]:
    """Every (non-allow) term's false-alarm rate on ``corpus``, the allow-list in force."""
    normalizer = Normalizer(load_tables(settings.cache_dir))
    matcher = TermMatcher(compile_lexicon(entries, normalizer, settings.min_pinyin_letters),
                          boundary_window=settings.boundary_window, cache_dir=settings.cache_dir)
    hit: dict[tuple[str, str], int] = {}
    example: dict[tuple[str, str], str] = {}
    for text in corpus.texts:
        here = set()
        for _field, value in text.fields:
            for found in matcher.find(normalizer(value), exclude=ACCOUNT_NAME_ONLY):
                here.add((found.entry.term, found.entry.category))
        for key in here:
            hit[key] = hit.get(key, 0) + 1
            example.setdefault(key, text.source)
    return [TermRate(e.term, e.category, e.source, hit.get((e.term, e.category), 0), len(corpus),
                     example.get((e.term, e.category), ""))
            for e in entries if not e.is_allow]


def write_rates(path: Path, rates: list[TermRate], corpus: CleanCorpus) -> None:
    """The measured rates as derived data (no clean text in it: examples are ids)."""
    lines = [f"# false-alarm rate of every shipped term on the clean reference corpus: "
             f"{len(corpus)} texts ({corpus.real} real), sha256 {corpus.digest}",
             "# written by `screener lexicon lint --rates FILE`; limit 0.5 %: a term above it is "
             "fixed or documented (README.md, Lexicons)",
             "term\tcategory\tsource\ttexts_hit\tof\trate\texample"]
    for r in sorted(rates, key=lambda r: (-r.texts_hit, r.category, r.term)):
        lines.append(f"{r.term}\t{r.category}\t{r.source}\t{r.texts_hit}\t{r.of}\t"
                     f"{r.rate:.5f}\t{r.example}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
