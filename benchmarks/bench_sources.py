"""Reprinted text benchmark: a bank of 100,000 source passages; the time to check a
3,000-character draft against it, ours against a brute-force baseline in the same run; recall of
reused passages under light edits; false matches on unrelated news.

    python benchmarks/bench_sources.py [--passages 100000] [--drafts 30] [--corpus DIR]
                                       [--mirror /work/.mirror] [--seed 1] [--tune]

Text (read at run time, never committed; provenance below and in README):

* news titles (THUCNews dev/test, FewCLUE tnews, the university's news titles) and Weibo posts
  (thunlp/Chinese_Rumor_Dataset, ids below 2601) from the local real corpus that
  ``screener corpus build --from /work/.mirror`` writes (``--corpus``, default the
  ``corpus_dir`` setting's folder);
* statutes: the national laws of LawRefBook/Laws at the commit data/corpora/SOURCES.toml
  records (folders 宪法, 宪法相关法, 民法典, 民法商法, 行政法, 经济法, 社会法, 刑法,
  诉讼与非诉讼程序法; not the 保守国家秘密法 family), read from the local mirror (``--mirror``).
  Statutes are not subject to copyright (著作权法 第五条).

Every real item is put on the bank side or the held-out side by a hash of its id and the seed
(a quarter of the news, a tenth of the statutes held out). Held-out news that shares a run of 20
characters (folded, punctuation dropped) with any bank-side text is dropped: the Weibo data
holds many reposts of one rumour under different ids, which are reuse, not unrelated news (the
run prints how many were dropped).

The bank holds, as sources: each bank-side Weibo post as it is (real), each statute cut into
sources of 3-8 articles (real), and **recombined** sources (2-6 paragraphs of 2-6 real
bank-side sentences, news titles, Weibo and statute sentences alike, each sentence once per
pass in a new random order) until the bank holds ``--passages`` passages. Recombined text is
made of real sentences, not real articles; most of it is statute wording (the statutes are
most of the real text), and each sentence comes back in about as many recombined sources as
there were passes (printed).

Drafts of about 3,000 characters: 4 reused paragraphs (a third each from real Weibo posts, real
statute articles and recombined sources; at most 250 characters of each) between paragraphs of
held-out news (titles and Weibo posts), under each edit:

* ``exact``: copied as they are;
* ``punctuation``: about half of the punctuation replaced or dropped, commas and spaces added;
* ``words``: words of two or more characters (jieba's segmentation) replaced by other words of
  the same length from the held-out news, one per 40 characters (about 5 % of the characters;
  at least one);
* ``reorder``: the sentences (a one-sentence paragraph: its clauses) in another order;
* ``all``: the three together.

A reused paragraph is **found** when findings cover at least half of its characters (folded text,
punctuation not counted), **named** when such a finding names its source or a source that holds
the same text (recombined sentences recur). A **false match** is a finding on no reused
paragraph; ``--drafts`` drafts of held-out news alone measure false matches on unrelated news.

Time per draft: ``SourceChecker.check`` (ours: windows, MinHash, LSH lookup, exact alignment of
the candidates), against the brute force in the same run: every passage's exact shingle set
compared with the draft's (containment, NumPy over all shingles), then the same alignment of the
passages holding at least a fifth of their shingles. Also: building the bank, loading the index
(from the database, from its cache file, following one added source), and datasketch's own
``MinHashLSH`` built on the same signatures (time, memory), each in a process of its own.

``--tune`` runs on its own seed and split (never the reported ones) and prints recall and
false matches over a grid of ``sources`` settings: how the defaults were chosen.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from screener.corpus import find_corpus, load_corpus  # noqa: E402
from screener.corpus.sources import load_sources  # noqa: E402
from screener.normalize import Normalizer, load_tables  # noqa: E402
from screener.settings import load_settings  # noqa: E402
from screener.sources.bank import SourceBank, SourceText  # noqa: E402
from screener.sources.check import Candidate, SourceChecker  # noqa: E402
from screener.sources.index import PassageIndex, cache_path, open_index  # noqa: E402
from screener.sources.minhash import SHINGLE, Scheme  # noqa: E402
from screener.sources.text import kgram_hashes, match_text, shingles  # noqa: E402

LAW_FOLDERS = ("宪法", "宪法相关法", "民法典", "民法商法", "行政法", "经济法", "社会法", "刑法",
               "诉讼与非诉讼程序法")
LAW_EXCLUDED = ("保守国家秘密", "保密")
NEWS_SOURCES = ("thucnews", "tnews", "univ")
_ARTICLE = re.compile(r"^(第[一二三四五六七八九十百零〇]+条)\s*", re.MULTILINE)
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")
EDITS = ("exact", "punctuation", "words", "reorder", "all")
DRAFT_CHARS = 3000
REUSED_PER_DRAFT = 4
SHARED_RUN = 20  # characters: held-out news sharing such a run with the bank is not unrelated


# -- real text ----------------------------------------------------------------------------------
@dataclass
class Real:
    titles: list[tuple[str, str]] = field(default_factory=list)  # (id, text)
    weibo: list[tuple[str, str]] = field(default_factory=list)
    statutes: list[tuple[str, list[str]]] = field(default_factory=list)  # (statute, articles)
    provenance: dict = field(default_factory=dict)


def read_real(corpus_dir: Path | None, mirror: Path) -> Real:
    settings = load_settings()
    folder = find_corpus(corpus_dir, settings)
    if folder is None:
        sys.exit("no local corpus: run `screener corpus build --from /work/.mirror` first "
                 "(or give --corpus DIR)")
    corpus = load_corpus(folder)
    real = Real()
    for record in corpus.records:
        if record.source in NEWS_SOURCES and record.field == "title":
            real.titles.append((record.id, record.text))
        elif record.source == "weibo":
            real.weibo.append((record.id, record.text))
    law = next(s for s in load_sources() if s.name == "law")
    git_dir = mirror / law.repository.replace("/", "+") / "repo"
    if not (git_dir / "HEAD").exists():
        git_dir = mirror / law.repository.replace("/", "+")
    names = subprocess.run(["git", "-c", "core.quotepath=off", "--git-dir", str(git_dir),
                            "ls-tree", "-r", "--name-only", law.commit],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    paths = [p for p in names if p.endswith(".md") and p.split("/")[0] in LAW_FOLDERS
             and not p.endswith("_index.md") and not any(x in p for x in LAW_EXCLUDED)]
    digest = hashlib.sha256()
    batch = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                           input="".join(f"{law.commit}:{p}\n" for p in paths).encode(),
                           capture_output=True, check=True).stdout
    offset = 0
    for path in paths:
        header_end = batch.index(b"\n", offset)
        size = int(batch[offset:header_end].split()[2])
        data = batch[header_end + 1:header_end + 1 + size]
        offset = header_end + 1 + size + 1
        digest.update(data)
        articles = _articles(data.decode("utf-8", "replace"))
        if articles:
            real.statutes.append((path, articles))
    real.provenance = {
        "corpus": str(folder), "corpus_sha256": corpus.digest,
        "statutes": {"repository": law.repository, "commit": law.commit, "files": len(paths),
                     "sha256_of_files_read": digest.hexdigest(), "licence": law.licence}}
    return real


def _articles(text: str) -> list[str]:
    body = text.split("<!-- INFO END -->", 1)[-1]
    starts = list(_ARTICLE.finditer(body))
    out = []
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(body)
        lines = [ln.strip() for ln in body[match.start():end].splitlines()
                 if ln.strip() and not ln.lstrip().startswith("#")]
        article = "".join(lines)
        if len(article) >= 20:
            out.append(article)
    return out


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) >= 6]


def as_sentence(title: str) -> str:
    title = title.strip()
    return title if title[-1:] in "。！？；!?" else title + "。"


def side(key: str, seed: int, held_share: float) -> str:
    bucket = int(hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "held" if bucket < held_share else "bank"


# -- the bank -----------------------------------------------------------------------------------
@dataclass
class Made:
    kind: str  # weibo / statute / recombined
    paragraphs: list[str]


@dataclass
class World:
    sources: list[Made]
    held_news: list[str]  # paragraphs of held-out news
    word_pool: dict[int, list[str]]
    stats: dict


def make_world(real: Real, seed: int, passages: int, normalizer: Normalizer) -> tuple[
        World, list[tuple[SourceText, Made]]]:
    rng = random.Random(seed)
    bank_weibo = [t for i, t in real.weibo if side(i, seed, 0.25) == "bank"]
    held_weibo = [t for i, t in real.weibo if side(i, seed, 0.25) == "held"]
    bank_titles = [t for i, t in real.titles if side(i, seed, 0.25) == "bank"]
    held_titles = [t for i, t in real.titles if side(i, seed, 0.25) == "held"]
    bank_laws = [(n, a) for n, a in real.statutes if side(n, seed, 0.10) == "bank"]
    news_pool = [as_sentence(t) for t in bank_titles] + [s for t in bank_weibo
                                                         for s in sentences(t)]
    law_pool = [s for _, arts in bank_laws for a in arts for s in sentences(a)]
    # Unrelated means sharing no run of SHARED_RUN characters with any bank-side text: the
    # Weibo data holds many reposts of one rumour under different ids, which are reuse, not
    # unrelated news.
    bank_runs = np.unique(np.concatenate(
        [kgram_hashes(match_text(normalizer, t).codes, SHARED_RUN)
         for t in bank_weibo + bank_titles + [a for _, arts in bank_laws for a in arts]]))
    def shares_a_run(text: str) -> bool:
        runs = kgram_hashes(match_text(normalizer, text).codes, SHARED_RUN)
        if runs.size == 0:
            return False
        at = np.minimum(np.searchsorted(bank_runs, runs), bank_runs.size - 1)
        return bool((bank_runs[at] == runs).any())

    held = [t for t in held_weibo + held_titles if not shares_a_run(t)]
    dropped = len(held_weibo) + len(held_titles) - len(held)
    kept = set(held)
    held_weibo = [t for t in held_weibo if t in kept]
    held_titles = [t for t in held_titles if t in kept]
    held_news = held_weibo + ["".join(as_sentence(t) for t in held_titles[i:i + 5])
                              for i in range(0, len(held_titles), 5)]
    words: dict[int, set[str]] = {}
    import jieba

    jieba.setLogLevel(60)
    for paragraph in held_news:
        for word in jieba.lcut(paragraph):
            if len(word) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in word):
                words.setdefault(len(word), set()).add(word)
    real_sources: list[Made] = [Made("weibo", [t]) for t in bank_weibo if len(t) >= 40]
    for _, arts in bank_laws:
        i = 0
        while i < len(arts):
            n = rng.randint(3, 8)
            real_sources.append(Made("statute", arts[i:i + n]))
            i += n
    rng.shuffle(real_sources)

    pool = news_pool + law_pool
    stream = {"order": [], "passes": 0}

    def next_sentence() -> str:
        # Every sentence once per pass, in a new random order each pass: a sentence comes back
        # as rarely as the bank's size allows.
        if not stream["order"]:
            stream["order"] = rng.sample(range(len(pool)), len(pool))
            stream["passes"] += 1
        return pool[stream["order"].pop()]

    def recombined() -> Made:
        paragraphs = ["".join(next_sentence() for _ in range(rng.randint(2, 6)))
                      for _ in range(rng.randint(2, 6))]
        return Made("recombined", paragraphs)

    def items():
        made = 0
        real_iter = iter(real_sources)
        while True:
            source = next(real_iter, None) if rng.random() < 0.3 else None
            source = source or recombined()
            made += 1
            title = source.paragraphs[0][:20]
            owner = {"weibo": "微博用户", "statute": "全国人民代表大会",
                     "recombined": "合成来源"}[source.kind]
            yield SourceText("\n\n".join(source.paragraphs), title=title, owner=owner,
                             license="benchmark", kind="file", file=f"bench:{made}"), source

    stats = {"bank_side": {"weibo_posts": len(bank_weibo), "titles": len(bank_titles),
                           "statutes": len(bank_laws), "news_sentences": len(news_pool),
                           "statute_sentences": len(law_pool)},
             "recombination": stream,  # passes: read after the bank is built
             "held_out": {"weibo_posts": len(held_weibo), "titles": len(held_titles),
                          "news_paragraphs": len(held_news),
                          f"dropped_sharing_{SHARED_RUN}_characters_with_the_bank": dropped}}
    world = World([], held_news, {n: sorted(w) for n, w in words.items()}, stats)
    return world, items()  # type: ignore[return-value]


def fill_bank(bank: SourceBank, items, world: World, passages: int) -> dict:
    began = time.perf_counter()
    total = 0
    batch: list[tuple[SourceText, Made]] = []
    ids: list[int] = []
    for item in items:
        batch.append(item)
        if len(batch) >= 200:
            total += _add(bank, batch, world, ids)
            batch = []
            print(f"\r  bank: {total:,} passages", end="", file=sys.stderr, flush=True)
            if total >= passages:
                break
    print(file=sys.stderr)
    kinds: dict[str, int] = {}
    for made in world.sources:
        kinds[made.kind] = kinds.get(made.kind, 0) + 1
    return {"passages": total, "sources": len(world.sources), "sources_by_kind": kinds,
            "seconds": round(time.perf_counter() - began, 1), "ids": ids}


def _add(bank: SourceBank, batch, world: World, ids: list[int]) -> int:
    refused: set[int] = set()
    added = bank.add_many([item for item, _ in batch], by="bench",
                          on_refused=lambda item, _: refused.add(id(item)))
    batch = [(item, made) for item, made in batch if id(item) not in refused]
    count = 0
    for result, (_, made) in zip(added, batch, strict=True):
        if result.created:
            world.sources.append(made)
            ids.append(result.source.id)
            count += result.passages
        else:
            world.sources.append(Made("duplicate", []))
            ids.append(result.source.id)
    return count


# -- drafts -------------------------------------------------------------------------------------
_PUNCT = "，。、；：！？"


def edit(text: str, how: str, rng: random.Random, world: World) -> str:
    if how in ("reorder", "all"):
        text = _reorder(text, rng)
    if how in ("words", "all"):
        text = _words(text, rng, world)
    if how in ("punctuation", "all"):
        text = _punctuation(text, rng)
    return text


def _reorder(text: str, rng: random.Random) -> str:
    parts = re.findall(r"[^。！？；]+[。！？；]?", text)
    if len(parts) < 2:
        parts = re.findall(r"[^，、]+[，、]?", text)
    if len(parts) < 2:
        return text
    order = list(range(len(parts)))
    while order == sorted(order):
        rng.shuffle(order)
    return "".join(parts[i] for i in order)


def _words(text: str, rng: random.Random, world: World) -> str:
    import jieba

    tokens = jieba.lcut(text)
    candidates = [i for i, w in enumerate(tokens) if len(w) >= 2 and len(w) in world.word_pool
                  and all("\u4e00" <= c <= "\u9fff" for c in w)]
    n = max(1, round(len(text) * 0.05 / 2))  # about 5 % of the characters, in 2-4 character words
    for i in rng.sample(candidates, min(n, len(candidates))):
        tokens[i] = rng.choice(world.word_pool[len(tokens[i])])
    return "".join(tokens)


def _punctuation(text: str, rng: random.Random) -> str:
    out = []
    for ch in text:
        if ch in _PUNCT and rng.random() < 0.5:
            out.append(rng.choice(["", " ", "，", "、", "；", "!", ","]))
        else:
            out.append(ch)
        if "\u4e00" <= ch <= "\u9fff" and rng.random() < 0.02:
            out.append(rng.choice(["，", " "]))
    return "".join(out)


@dataclass
class Draft:
    text: str
    reused: list[tuple[int, int, int, str]]  # (start, end, source index, kind)
    edit: str


def reused_paragraph(made: Made, rng: random.Random) -> str | None:
    candidates = [p for p in made.paragraphs if len(p) >= 60]
    if not candidates:
        return None
    paragraph = rng.choice(candidates)
    if len(paragraph) > 250:
        cut = "".join(sentences(paragraph))
        kept, total = [], 0
        for s in sentences(cut):
            if total + len(s) > 250 and kept:
                break
            kept.append(s)
            total += len(s)
        paragraph = "".join(kept)[:250]
    return paragraph


def make_draft(world: World, rng: random.Random, how: str, reuse: bool) -> Draft:
    by_kind: dict[str, list[int]] = {}
    for i, made in enumerate(world.sources):
        by_kind.setdefault(made.kind, []).append(i)
    pieces: list[tuple[str, int | None, str]] = []
    if reuse:
        for k in range(REUSED_PER_DRAFT):
            kind = ("weibo", "statute", "recombined")[(k + rng.randint(0, 2)) % 3]
            while True:
                index = rng.choice(by_kind[kind])
                paragraph = reused_paragraph(world.sources[index], rng)
                if paragraph:
                    break
            pieces.append((edit(paragraph, how, rng, world), index, kind))
    length = sum(len(p) for p, _, _ in pieces)
    filler = []
    while length < DRAFT_CHARS:
        paragraph = rng.choice(world.held_news)
        filler.append((paragraph, None, "news"))
        length += len(paragraph) + 2
    slots = sorted(rng.sample(range(len(filler) + 1), len(pieces))) if pieces else []
    ordered = list(filler)
    for offset, (slot, piece) in enumerate(zip(slots, pieces, strict=True)):
        ordered.insert(slot + offset, piece)
    text, reused = "", []
    for paragraph, index, kind in ordered:
        if text:
            text += "\n\n"
        if index is not None:
            reused.append((len(text), len(text) + len(paragraph), index, kind))
        text += paragraph
    return Draft(text, reused, how)


# -- measuring ----------------------------------------------------------------------------------
class BruteForce:
    """Every passage's exact shingle set against the draft's: containment in NumPy."""

    def __init__(self, bank: SourceBank, normalizer: Normalizer) -> None:
        from sqlalchemy import select

        from screener.sources.bank import passages, sources

        rows, owners, sizes = [], [], []
        with bank.engine.connect() as conn:
            texts = dict(conn.execute(select(sources.c.id, sources.c.text)
                                      .where(sources.c.status == "active")).all())
            cuts = conn.execute(select(passages.c.source_id, passages.c.start, passages.c.end)
                                .order_by(passages.c.id)).all()
        for source_id, start, end in cuts:
            if source_id in texts:
                s = shingles(match_text(normalizer, texts[source_id][start:end]).codes, SHINGLE)
                rows.append(s)
                sizes.append(s.size)
                owners.append(source_id)
        self.owner = np.array(owners, np.int64)
        self.sizes = np.array(sizes, np.int64)
        self.values = np.concatenate(rows)
        self.passage = np.repeat(np.arange(len(rows)), self.sizes)

    def candidates(self, text: str, normalizer: Normalizer, limit: int,
                   least: float = 0.2) -> list[Candidate]:
        draft = shingles(match_text(normalizer, text).codes, SHINGLE)
        hit = np.isin(self.values, draft)
        found = np.bincount(self.passage[hit], minlength=self.sizes.size)
        containment = found / np.maximum(self.sizes, 1)
        order = np.argsort(-containment)
        best: dict[int, float] = {}
        for p in order.tolist():
            if containment[p] < least or len(best) >= limit:
                break
            best.setdefault(int(self.owner[p]), float(containment[p]))
        return [Candidate(s, c, 0) for s, c in best.items()]


def _kept(mt, start: int, end: int) -> np.ndarray:
    """Kept characters of the draft inside original [start, end)."""
    return np.flatnonzero((mt.origin >= start) & (mt.origin < end))


def score(draft: Draft, result, world: World, ids: list[int], checker: SourceChecker) -> dict:
    mt = result.text
    covered = np.zeros(len(mt), dtype=bool)
    named_at: dict[int, set[int]] = {}
    spans = []
    for reuse in result.reuses:
        for span in reuse.spans:
            kept = _kept(mt, span.start, span.end)
            covered[kept] = True
            spans.append((kept, reuse.source.id))
            for k in kept.tolist():
                named_at.setdefault(k, set()).add(reuse.source.id)
    found = named = 0
    per_kind: dict[str, list[int]] = {}
    reused_mask = np.zeros(len(mt), dtype=bool)
    for start, end, index, kind in draft.reused:
        kept = _kept(mt, start, end)
        reused_mask[kept] = True
        ok = kept.size and covered[kept].mean() >= 0.5
        found += bool(ok)
        per_kind.setdefault(kind, []).append(int(bool(ok)))
        if ok:
            names = set().union(*(named_at.get(k, set()) for k in kept.tolist()))
            true_id = ids[index]
            if true_id in names or any(_holds(checker, s, mt.original[start:end])
                                       for s in names - {true_id}):
                named += 1
    false = sum(1 for kept, _ in spans if not reused_mask[kept].any())
    return {"reused": len(draft.reused), "found": found, "named": named, "false": false,
            "per_kind": per_kind}


def _holds(checker: SourceChecker, source_id: int, paragraph: str) -> bool:
    """Whether the source holds the same text (recombined sentences recur in many sources)."""
    result = checker.check("body", paragraph, sources=[Candidate(source_id, 1.0, 0)])
    return any(r.source.id == source_id for r in result.reuses)


def run_checks(drafts: list[Draft], checker: SourceChecker, world, ids, brute, normalizer,
               baseline_every: int) -> dict:
    ours_ms, base_ms, cands = [], [], []
    totals: dict[str, dict] = {}
    base_totals = {"reused": 0, "found": 0, "ours_found": 0}
    for number, draft in enumerate(drafts):
        began = time.perf_counter()
        result = checker.check("body", draft.text)
        ours_ms.append((time.perf_counter() - began) * 1000)
        cands.append(result.candidates)
        s = score(draft, result, world, ids, checker)
        t = totals.setdefault(draft.edit, {"reused": 0, "found": 0, "named": 0, "false": 0,
                                           "drafts": 0, "flagged": 0, "per_kind": {}})
        t["flagged"] += bool(s["false"])
        for key in ("reused", "found", "named", "false"):
            t[key] += s[key]
        t["drafts"] += 1
        for kind, hits in s["per_kind"].items():
            t["per_kind"].setdefault(kind, []).extend(hits)
        if brute is not None and number % baseline_every == 0:
            began = time.perf_counter()
            found = brute.candidates(draft.text, normalizer, checker.max_sources)
            base = checker.check("body", draft.text, sources=found)
            base_ms.append((time.perf_counter() - began) * 1000)
            bs = score(draft, base, world, ids, checker)
            base_totals["reused"] += bs["reused"]
            base_totals["found"] += bs["found"]
            base_totals["ours_found"] += s["found"]
    return {"ours_ms": ours_ms, "base_ms": base_ms, "candidates": cands, "totals": totals,
            "base_totals": base_totals}


# -- the index in processes of their own --------------------------------------------------------
_CHILD = r"""
import json, resource, sys, time
import numpy as np
data = np.load(sys.argv[2], allow_pickle=False)
sigs = data["signatures"]
if sys.argv[1] == "datasketch":
    from datasketch import LeanMinHash, MinHashLSH
else:
    sys.path.insert(0, sys.argv[4])
    from screener.sources.index import PassageIndex
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
began = time.perf_counter()
if sys.argv[1] == "datasketch":
    lsh = MinHashLSH(threshold=float(sys.argv[3]), num_perm=sigs.shape[1])
    with lsh.insertion_session() as session:
        for i in range(sigs.shape[0]):
            session.insert(i, LeanMinHash(seed=12, hashvalues=sigs[i], scheme="affine32"),
                           check_duplication=False)
    what = (lsh.b, lsh.r)
else:
    index = PassageIndex.load(__import__("pathlib").Path(sys.argv[2]), float(sys.argv[3]))
    what = (index.scheme.bands, index.scheme.rows, len(index))
seconds = time.perf_counter() - began
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "rss_mib": (after - before) / 1024, "what": what}))
"""


def child(kind: str, path: Path, threshold: float) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, kind, str(path), str(threshold),
                          str(ROOT)], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


# -- main ---------------------------------------------------------------------------------------
def percent(part: int, whole: int) -> str:
    return f"{part / whole * 100:.1f}%" if whole else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--drafts", type=int, default=30, help="drafts per edit, and drafts "
                        "of unrelated news alone")
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-every", type=int, default=3,
                        help="time the brute force on every Nth draft (it takes a second)")
    parser.add_argument("--work", type=Path, default=None, help="keep the bank here")
    parser.add_argument("--tune", action="store_true", help="grid of settings on seed 1000+")
    parser.add_argument("--unit-chars", type=int, default=None, help="(--tune) characters per "
                        "passage and query window instead of the shipped ones")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    args = parser.parse_args()
    seed = args.seed + (1000 if args.tune else 0)
    if args.unit_chars:
        import screener.sources.bank as bank_module
        import screener.sources.check as check_module

        bank_module.PASSAGE_CHARS = check_module.WINDOW_CHARS = args.unit_chars
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-sources-"))
    settings = load_settings(home=work / "home")
    normalizer = Normalizer(load_tables(settings.cache_dir))
    print(f"reading real text (corpus, statutes from {args.mirror})", file=sys.stderr)
    real = read_real(args.corpus, args.mirror)
    world, items = make_world(real, seed, args.passages, normalizer)
    bank = SourceBank(settings.sources_database_url, normalizer)
    built = fill_bank(bank, items, world, args.passages)
    ids = built.pop("ids")
    rng = random.Random(seed)
    drafts = [make_draft(world, rng, how, True) for how in EDITS for _ in range(args.drafts)]
    unrelated = [make_draft(world, rng, "exact", False) for _ in range(args.drafts)]
    section = settings.sources
    if args.tune:
        tune(bank, settings, normalizer, drafts, unrelated, world, ids)
        return

    # the index: built from the database, loaded from its cache, following one added source
    cache = settings.cache_dir
    began = time.perf_counter()
    index = open_index(bank, cache, section.lsh_threshold)
    build_s = time.perf_counter() - began
    began = time.perf_counter()
    PassageIndex.load(cache_path(cache, bank.url, section.lsh_threshold), section.lsh_threshold)
    load_s = time.perf_counter() - began
    path = cache_path(cache, bank.url, section.lsh_threshold)
    ours_child = child("ours", path, section.lsh_threshold)
    theirs_child = child("datasketch", path, section.lsh_threshold)
    checker = SourceChecker.for_settings(settings, normalizer)
    checker._index = index  # noqa: SLF001  (the index just built; not rebuilt for the timing)
    print("brute-force baseline: reading every passage's shingles", file=sys.stderr)
    brute = BruteForce(bank, normalizer)
    for draft in drafts[:2]:  # warm caches (jieba is not involved; source texts are)
        checker.check("body", draft.text)
    print(f"checking {len(drafts)} drafts with reused passages and {len(unrelated)} of "
          "unrelated news", file=sys.stderr)
    mixed = run_checks(drafts, checker, world, ids, brute, normalizer, args.baseline_every)
    alone = run_checks(unrelated, checker, world, ids, None, normalizer, 1)
    extra = SourceText("增加一个来源以测量索引的增量更新。" * 5, title="增量", owner="bench",
                       license="bench")
    bank.add(extra, by="bench")
    began = time.perf_counter()
    checker.index()
    follow_s = time.perf_counter() - began

    ours = mixed["ours_ms"]
    base = mixed["base_ms"]
    paired = [(o, b) for o, b in zip(ours[::args.baseline_every], base, strict=False)]
    ratio = statistics.median(b / o for o, b in paired)
    lengths = [len(d.text) for d in drafts]
    print()
    print(f"bank: {built['passages']:,} passages in {built['sources']:,} sources "
          f"{built['sources_by_kind']}; built in {built['seconds']} s")
    print(f"drafts: {len(drafts)} with reused passages ({min(lengths):,}-{max(lengths):,} "
          f"characters), {len(unrelated)} of unrelated news")
    print()
    print("| measurement | ours | brute force | ratio |")
    print("|---|---:|---:|---:|")
    print(f"| check one 3,000-character draft, median | {statistics.median(ours):.1f} ms | "
          f"{statistics.median(base):.0f} ms | {ratio:.0f}x |")
    print(f"| p90 | {np.percentile(ours, 90):.1f} ms | {np.percentile(base, 90):.0f} ms | |")
    print(f"| sources aligned per draft, median (max) | {statistics.median(mixed['candidates'])}"
          f" ({max(mixed['candidates'])}) | | |")
    bt = mixed["base_totals"]
    print(f"| recall on the drafts the brute force checked | "
          f"{percent(bt['ours_found'], bt['reused'])} | {percent(bt['found'], bt['reused'])} | |")
    print()
    print(f"index: built from the database {build_s:.2f} s; cache file load {load_s * 1000:.0f} "
          f"ms; following one added source {follow_s * 1000:.0f} ms")
    print(f"index in a fresh process: ours {ours_child['seconds']:.2f} s, "
          f"+{ours_child['rss_mib']:.0f} MiB; datasketch MinHashLSH (same signatures, bands "
          f"{tuple(theirs_child['what'])}): {theirs_child['seconds']:.1f} s, "
          f"+{theirs_child['rss_mib']:.0f} MiB")
    print()
    print("| edit | reused passages | found | source named | false matches (findings on no "
          "reused passage) |")
    print("|---|---:|---:|---:|---:|")
    for how in EDITS:
        t = mixed["totals"][how]
        kinds = ", ".join(f"{k} {percent(sum(v), len(v))}"
                          for k, v in sorted(t["per_kind"].items()))
        print(f"| {how} | {t['reused']} | {percent(t['found'], t['reused'])} ({kinds}) | "
              f"{percent(t['named'], t['reused'])} | {t['false']} in {t['drafts']} drafts |")
    at = alone["totals"]["exact"]
    print(f"| unrelated news alone | 0 | - | - | {at['false']} in {at['drafts']} drafts "
          f"({at['flagged']} drafts with any) |")
    world.stats["recombination"].pop("order", None)  # what is left of the last pass
    figures = {"bank": built, "stats": world.stats, "provenance": real.provenance,
               "ours_ms": ours, "base_ms": base, "ratio_median": ratio,
               "candidates": mixed["candidates"], "totals": mixed["totals"],
               "base_totals": bt, "unrelated": at, "index_build_s": build_s,
               "index_load_s": load_s, "follow_s": follow_s, "ours_child": ours_child,
               "datasketch_child": theirs_child, "settings": section.model_dump()}
    if args.json:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1, default=str))
    print(f"\nmax RSS of this process: "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB; bank in {work}")


def tune(bank, settings, normalizer, drafts, unrelated, world, ids) -> None:
    """Recall and false matches over a grid of settings (seed 1000+: never the reported run)."""
    rows = bank.index_rows()
    print("| threshold | min_chars | gap | common | found | named | false (mixed) | "
          "false (news alone) | ms/draft |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for threshold in (0.2, 0.3, 0.4):
        index = PassageIndex(rows, Scheme.from_datasketch(threshold), bank.stamp())
        for min_chars in (30, 40, 50):
            for gap in (8,):
                for common in (3, 5, 8):
                    checker = SourceChecker(bank.url, normalizer, settings.cache_dir,
                                            threshold=threshold, min_chars=min_chars, gap=gap,
                                            common_sources=common)
                    checker._index = index  # noqa: SLF001
                    checker.index = lambda c=checker: c._index  # noqa: SLF001
                    mixed = run_checks(drafts, checker, world, ids, None, normalizer, 1)
                    alone = run_checks(unrelated, checker, world, ids, None, normalizer, 1)
                    totals = mixed["totals"].values()
                    reused = sum(t["reused"] for t in totals)
                    found = sum(t["found"] for t in totals)
                    named = sum(t["named"] for t in totals)
                    false = sum(t["false"] for t in totals)
                    print(f"| {threshold} | {min_chars} | {gap} | {common} | "
                          f"{percent(found, reused)} | {percent(named, reused)} | {false} | "
                          f"{alone['totals']['exact']['false']} | "
                          f"{statistics.median(mixed['ours_ms']):.1f} |", flush=True)


if __name__ == "__main__":
    main()
