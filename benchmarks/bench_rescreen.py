"""Re-screening throughput: one process vs ``--jobs N``, and full vs ``--incremental``.

Generates an archive from the posts of data/samples/corpus/train.jsonl (cycled; every post gets
its own id, account, date and issue number), imports it once and copies the database, then in one
run:

1. state A: full re-screening with ``jobs=1`` (posts/s); state B is a copy of A after it;
2. 50 new terms are added to both states (terms cut from the corpus that occur in a few posts,
   as real additions do), then state B: full re-screening with ``jobs=N``; the ratio of the two
   rates is the parallel speed-up (the 50 extra terms barely change the work per post);
3. state A, which still holds the reports of before the change: ``--incremental`` with ``jobs=N``;
   the ratio of B's full time to this one is the gain of incremental, and both summaries must
   agree.

Full pipeline (terms, classify, images), worker start-up included. Wall time depends on what else
the machine runs; the CPU seconds per post (this process and its workers) do not, and show what
running in parallel costs. About 15 minutes at the default size on two cores.

    python benchmarks/bench_rescreen.py                 # 100,000 posts, jobs 2
    python benchmarks/bench_rescreen.py --posts 5000    # a quick check
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sqlite3
import tempfile
import time
from collections import Counter
from pathlib import Path

from screener.lexicon.maintain import Who, add_terms
from screener.rescreen import import_paths, rescreen
from screener.settings import REPO_ROOT, load_settings

CORPUS = REPO_ROOT / "data" / "samples" / "corpus" / "train.jsonl"
NEW_TERMS = 50
_CJK4 = re.compile(r"[\u4e00-\u9fff]{4}")


def generate(path: Path, count: int) -> None:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            row = rows[i % len(rows)]
            post = {"id": f"b{i:07d}", "title": row["title"],
                    "body": f"{row['body']}（第{i // len(rows) + 1}期）",
                    "platform": row["platform"], "account": f"account-{i % 7}",
                    "published_at": f"20{18 + i % 7}-{1 + i % 12:02d}-{1 + i % 28:02d}"}
            handle.write(json.dumps(post, ensure_ascii=False) + "\n")


def new_terms(count: int) -> list[str]:
    """Four-character phrases found in one or two of the corpus posts, spread over the corpus:
    a term added today is rare in what was published before (here each hits about 1/1000 of
    the archive; the run prints how many posts they touch)."""
    frequency: Counter[str] = Counter()
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = row["title"] + "\n" + row["body"]
        frequency.update({text[i:i + 4] for i in range(len(text) - 3)
                          if _CJK4.fullmatch(text[i:i + 4])})
    rare = sorted(t for t, n in frequency.items() if n <= 2)
    step = max(1, len(rare) // count)
    return rare[::step][:count]


def cpu_seconds() -> tuple[float, float]:
    """(this process, its workers once reaped) in CPU seconds."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def timed(label: str, settings, **options):
    (own, children), began = cpu_seconds(), time.perf_counter()
    summary = rescreen(settings, **options)
    seconds = time.perf_counter() - began
    own_now, children_now = cpu_seconds()
    per_post = 1000 / max(1, summary.screened_now)
    rate = summary.screened_now / seconds
    carried = f", carried forward {summary.carried_forward:,}" if summary.incremental else ""
    print(f"{label}: {summary.screened_now:,} posts in {seconds:.1f} s = {rate:,.0f} posts/s, "
          f"CPU {per_post * (own_now - own + children_now - children):.2f} ms/post, of which "
          f"this process {per_post * (own_now - own):.2f} "
          f"(newly flagged {len(summary.newly_flagged):,}, cleared {len(summary.cleared):,}"
          f"{carried})", flush=True)
    return summary, seconds, rate


def copy_state(source, target_home: Path):
    """A second state folder with the same archive (SQLite's backup API: a consistent copy)."""
    shutil.copytree(source.home / "cache", target_home / "cache")
    with sqlite3.connect(source.home / "screener.db") as src, \
            sqlite3.connect(target_home / "screener.db") as dst:
        src.backup(dst)
    return load_settings(home=target_home)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}, posts: {args.posts:,}, jobs: 1 vs {args.jobs}, "
          f"batch size {args.batch_size}")
    who = Who("benchmark", "bench_rescreen: 50 new terms")
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive.jsonl"
        generate(archive, args.posts)
        a = load_settings(home=Path(tmp) / "home-a")
        began = time.perf_counter()
        imported = import_paths([archive], a).imported
        print(f"import: {imported:,} posts in {time.perf_counter() - began:.1f} s")
        rescreen(a, since="2100-01-01")  # builds the caches (tables, lexicon); no post in scope

        _, _, single = timed("full, jobs=1", a, jobs=1, batch_size=args.batch_size)
        b = copy_state(a, Path(tmp) / "home-b")  # the same archive and reports

        terms = new_terms(NEW_TERMS)
        for settings in (a, b):
            add_terms(settings, terms, "commercial", who)
        for settings in (a, b):  # compile the new lexicon outside the timings
            rescreen(settings, since="2100-01-01")
        print(f"added {len(terms)} terms, e.g. {', '.join(terms[:5])}")

        full, full_seconds, parallel = timed(f"full after the change, jobs={args.jobs}", b,
                                             jobs=args.jobs, batch_size=args.batch_size)
        inc, inc_seconds, _ = timed(f"incremental after the change, jobs={args.jobs}", a,
                                    jobs=args.jobs, batch_size=args.batch_size,
                                    incremental=True)
        touched = inc.screened_now - inc.carried_forward
        share = 100 * touched / max(1, inc.screened_now)
        print(f"the new terms touch {touched:,} posts ({share:.1f}%), screened in full by the "
              "incremental run")
        same = all(getattr(full, k) == getattr(inc, k) for k in (
            "version", "screened", "newly_flagged", "cleared", "changed", "unchanged"))
        print(f"ratio jobs={args.jobs} / jobs=1: {parallel / single:.2f}x (goal 1.6x)")
        print(f"ratio full / incremental: {full_seconds / inc_seconds:.1f}x (goal 10x); "
              f"same summary: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
