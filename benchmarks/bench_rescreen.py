"""Re-screening throughput: posts per second in one process vs ``--jobs N``.

Generates an archive from the bodies of data/samples/corpus/train.jsonl (cycled; every post gets
its own id, account and date), imports it into two fresh state folders, and re-screens it once
with ``jobs=1`` and once with ``jobs=N`` (full pipeline: terms, classify, images), timing each
run end to end (worker start-up included). Prints posts/s for both and their ratio.

    python benchmarks/bench_rescreen.py --posts 100000 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from screener.rescreen import import_paths, rescreen
from screener.settings import REPO_ROOT, load_settings

CORPUS = REPO_ROOT / "data" / "samples" / "corpus" / "train.jsonl"


def generate(path: Path, count: int) -> None:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            row = rows[i % len(rows)]
            post = {"id": f"b{i:07d}", "title": row["title"], "body": row["body"],
                    "platform": row["platform"], "account": f"account-{i % 7}",
                    "published_at": f"20{18 + i % 7}-{1 + i % 12:02d}-{1 + i % 28:02d}"}
            handle.write(json.dumps(post, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}, posts: {args.posts:,}, jobs: 1 vs {args.jobs}")
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "archive.jsonl"
        generate(archive, args.posts)
        rates = {}
        for jobs in (1, args.jobs):
            settings = load_settings(home=Path(tmp) / f"home-{jobs}")
            began = time.perf_counter()
            imported = import_paths([archive], settings).imported
            print(f"import: {imported:,} posts in {time.perf_counter() - began:.1f} s")
            rescreen(settings, jobs=1, batch_size=10, since="2100-01-01")  # warm caches, no posts
            began = time.perf_counter()
            summary = rescreen(settings, jobs=jobs, batch_size=args.batch_size)
            seconds = time.perf_counter() - began
            rates[jobs] = summary.screened_now / seconds
            print(f"jobs={jobs}: {summary.screened_now:,} posts in {seconds:.1f} s = "
                  f"{rates[jobs]:,.0f} posts/s (newly flagged {len(summary.newly_flagged):,})")
        print(f"ratio jobs={args.jobs} / jobs=1: {rates[args.jobs] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
