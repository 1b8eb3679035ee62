"""Benchmark of the classify stage: model loading, scoring latency and throughput, training time.

    /work/venv/bin/python benchmarks/bench_classify.py [--rounds 3] [--skip-training]

Scoring is timed per draft over the held-out corpus, as the stage runs it (normalization,
features, lexicon hits, three scores, evidence for classes over threshold). In the same run the
same drafts go through a bare scikit-learn TF-IDF transform (character 2-3-grams, fitted on the
training split), the floor any TF-IDF model pays; the ratio says what the rest costs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "data" / "samples" / "corpus"


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed(function, items, rounds: int) -> list[float]:
    """Milliseconds per item, the best of ``rounds`` for each (the least disturbed run)."""
    best = [float("inf")] * len(items)
    for _ in range(rounds):
        for i, item in enumerate(items):
            began = time.perf_counter()
            function(item)
            best[i] = min(best[i], (time.perf_counter() - began) * 1000)
    return best


def describe(name: str, ms: list[float], chars: int) -> dict:
    total = sum(ms) / 1000
    row = {"p50_ms": round(statistics.median(ms), 3), "p99_ms": round(percentile(ms, 99), 3),
           "drafts_per_s": round(len(ms) / total, 1), "chars_per_s": round(chars / total)}
    print(f"{name:<26} p50 {row['p50_ms']:>8.3f} ms   p99 {row['p99_ms']:>8.3f} ms   "
          f"{row['drafts_per_s']:>8.1f} drafts/s   {row['chars_per_s']:>10,} chars/s")
    return row


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-training", action="store_true")
    args = parser.parse_args(argv)

    from screener.classify import BUNDLE, load_model, models_dir
    from screener.model import Draft
    from screener.pipeline import build_resources
    from screener.settings import load_settings
    from screener.stages import Context
    from screener.stages.classify import ClassifyStage

    results: dict = {}
    folder = models_dir() / BUNDLE
    loads = []
    for _ in range(5):
        began = time.perf_counter()
        load_model(folder)
        loads.append((time.perf_counter() - began) * 1000)
    results["model_load_ms"] = round(min(loads), 1)
    print(f"model load (verify sha256, JSON vocabulary, npz arrays): best of 5 "
          f"{results['model_load_ms']} ms, first {loads[0]:.1f} ms")

    resources = build_resources(load_settings(home=Path(tempfile.mkdtemp())))
    stage = ClassifyStage(resources)
    drafts = [Draft(title=r["title"], body=r["body"]) for r in read(CORPUS / "heldout.jsonl")]
    chars = sum(len(d.title) + len(d.body) for d in drafts)
    stage(Context(drafts[0], resources))  # load the model and warm the matcher outside timing
    print(f"{len(drafts)} held-out drafts, {chars:,} characters, best of {args.rounds} rounds")

    classify_ms = timed(lambda d: stage(Context(d, resources)), drafts, args.rounds)
    results["classify_stage"] = describe("classify stage", classify_ms, chars)

    from sklearn.feature_extraction.text import TfidfVectorizer

    train_texts = [f"{r['title']}\n{r['body']}" for r in read(CORPUS / "train.jsonl")]
    bare = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=2)
    bare.fit(train_texts)
    texts = [f"{d.title}\n{d.body}" for d in drafts]
    bare_ms = timed(lambda t: bare.transform([t]), texts, args.rounds)
    results["bare_tfidf"] = describe("bare sklearn TF-IDF", bare_ms, chars)
    ratio = statistics.median(classify_ms) / statistics.median(bare_ms)
    results["ratio_p50"] = round(ratio, 2)
    results["ratio_throughput"] = round(sum(classify_ms) / sum(bare_ms), 2)
    print(f"classify stage / bare TF-IDF: {ratio:.2f}x at p50, "
          f"{results['ratio_throughput']:.2f}x in total time")

    if not args.skip_training:
        from screener.classify.cli import train

        with tempfile.TemporaryDirectory() as out:
            began = time.perf_counter()
            report = train(Path(out), CORPUS, seed=0, resources=resources)
            results["training_s"] = round(time.perf_counter() - began, 1)
        print(f"training with 5-fold grouped cross-validation: {results['training_s']} s "
              f"(featurize {report['seconds']['featurize']} s, final fit "
              f"{report['seconds']['fit']} s, {report['counts']['train']['drafts']} drafts)")
    return results


if __name__ == "__main__":
    main()
