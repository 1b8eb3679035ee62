"""Term stage speed against a raw pyahocorasick scan of the same text, in the same run.

    python benchmarks/bench_terms.py [--mb 5] [--terms 50000] [--seed 7]

Data: the lexicon is 50,000 words drawn (seeded) from jieba's dictionary, the way a maintainer's
list of sensitive terms is mostly rare multi-character words; one in ten two-character terms is
boundary-sensitive, and 1,000 allow-list phrases are added. The text is at least 5 MB (UTF-8) of
Chinese made of jieba dictionary words drawn by their corpus frequency, with clause punctuation and
paragraph breaks, so that term hits occur at a realistic rate.

Prints: throughput of the full term stage (normalization + matching + boundary, allow-list and
longest-match checks + building findings) and of a raw ``Automaton.iter`` over the same text with
the same automaton, and their ratio (goal >= 0.33); p50/p99 latency of screening one
2,000-character draft in-process (goal: p50 < 5 ms), with the term stage alone and with every
stage; the CLI's cold start for one draft with the
shipped lexicons (goal < 1.5 s).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jieba

from screener import Draft
from screener.lexicon import compile_lexicon, make_entry
from screener.lexicon.matcher import TermMatcher
from screener.normalize import Normalizer, load_tables
from screener.pipeline import freeze_long_lived, run
from screener.settings import REPO_ROOT, load_settings
from screener.stages import Context, Resources, build_stages
from screener.stages.terms import TermStage

CATEGORIES = ["illegal", "unhealthy", "commercial", "confidential", "major_news"]


def jieba_words() -> list[tuple[str, int]]:
    words = []
    with jieba.get_module_res(jieba.DEFAULT_DICT_NAME) as handle:
        for raw in handle:
            word, freq = raw.decode("utf-8").split(" ")[:2]
            words.append((word, int(freq)))
    return words


def make_lexicon(words, n_terms, rng):
    candidates = [w for w, _ in words if len(w) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in w)]
    terms = rng.sample(candidates, n_terms)
    entries = [make_entry(t, rng.choice(CATEGORIES), boundary=len(t) == 2 and rng.random() < 0.1)
               for t in terms]
    allow = rng.sample([w for w in candidates if len(w) >= 4], 1000)
    entries += [make_entry(a, "allow") for a in allow]
    return entries


def make_text(words, megabytes, rng):
    population = [w for w, _ in words]
    cumulative = list(itertools.accumulate(f for _, f in words))
    pieces, size = [], 0
    target = int(megabytes * 1_000_000)
    while size < target:
        sentence = "".join(rng.choices(population, cum_weights=cumulative, k=rng.randint(6, 18)))
        sentence += rng.choice("，，，。。！？；")
        if rng.random() < 0.08:
            sentence += "\n\n"
        pieces.append(sentence)
        size += len(sentence.encode("utf-8"))
    return "".join(pieces)


def best_of(repeat, fn):
    """Best CPU time of ``repeat`` runs: CPU time, not wall time, so that other work on a shared
    2-core machine does not tilt the ratio between the two measurements."""
    times = []
    result = None
    for _ in range(repeat):
        began = time.process_time()
        result = fn()
        times.append(time.process_time() - began)
    return min(times), result


def cold_start(paths: list[Path], home: Path, runs: int = 5) -> list[float]:
    env = {**os.environ, "SCREENER_HOME": str(home)}
    env.pop("SCREENER_LEXICONS", None)
    cmd = [sys.executable, "-m", "screener.cli", "screen", "-f", "json", *map(str, paths)]
    subprocess.run(cmd, env=env, capture_output=True, check=False)  # fills the caches
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - began)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=5.0, help="megabytes of text (UTF-8)")
    parser.add_argument("--terms", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--drafts", type=int, default=500, help="drafts for the latency figures")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        settings = load_settings(home=home)
        normalizer = Normalizer(load_tables(settings.cache_dir))
        words = jieba_words()
        entries = make_lexicon(words, args.terms, rng)
        began = time.perf_counter()
        lexicon = compile_lexicon(entries, normalizer, settings.min_pinyin_letters)
        compile_s = time.perf_counter() - began
        matcher = TermMatcher(lexicon, boundary_window=settings.boundary_window,
                              cache_dir=settings.cache_dir)
        resources = Resources(settings, normalizer, lexicon, matcher)
        text = make_text(words, args.mb, rng)
        del words  # the benchmark's own word list is not part of what a worker holds
        mb = len(text.encode("utf-8")) / 1e6
        print(f"lexicon: {args.terms:,} terms + 1,000 allow phrases, "
              f"{len(lexicon.keys):,} keys (with pinyin), compiled in {compile_s:.2f} s")
        print(f"text: {mb:.2f} MB, {len(text):,} characters")

        automaton = lexicon.skeleton

        def raw_scan():
            count = 0
            for _ in automaton.iter(text):
                count += 1
            return count

        stage = TermStage(resources)

        def full_stage():
            return stage(Context(Draft(title="", body=text), resources))

        matcher.segmenter.cuts("预热")  # load jieba outside the timed runs, as a worker would
        freeze_long_lived()  # as the CLI does once its lexicon is loaded
        raw_s, raw_hits = best_of(3, raw_scan)
        full_s, findings = best_of(3, full_stage)
        ratio = raw_s / full_s
        print(f"raw Automaton.iter : {mb / raw_s:7.2f} MB/s  ({raw_s:.3f} s, "
              f"{raw_hits:,} raw matches)")
        print(f"full term stage    : {mb / full_s:7.2f} MB/s  ({full_s:.3f} s, "
              f"{len(findings):,} findings)")
        print(f"ratio full/raw     : {ratio:.2f}  (goal >= 0.33) "
              f"{'OK' if ratio >= 1 / 3 else 'BELOW GOAL'}")

        starts = [rng.randrange(0, len(text) - 2000) for _ in range(args.drafts)]
        for label, names in (("terms + images stages", ("terms", "images")),
                             ("all stages (with classify)", None)):
            stages = build_stages(resources, names)
            latencies = []
            for start in starts:
                draft = Draft(title="", body=text[start:start + 2000])
                began = time.perf_counter()
                run(draft, resources, stages)
                latencies.append((time.perf_counter() - began) * 1000)
            latencies.sort()
            p50 = statistics.median(latencies)
            p99 = latencies[int(len(latencies) * 0.99) - 1]
            goal = "(goal p50 < 5 ms) " + ("OK" if p50 < 5 else "ABOVE GOAL")
            print(f"one 2,000-char draft, in-process, {label}: p50 {p50:.2f} ms, "
                  f"p99 {p99:.2f} ms {goal}")

        samples = REPO_ROOT / "data" / "samples"
        for name in ("lecture.json", "ad.json"):
            times = cold_start([samples / name], home / f"cli-{name}")
            median = statistics.median(times)
            print(f"CLI cold start, shipped lexicons, {name:<12}: median {median:.2f} s, "
                  f"min {min(times):.2f} s (goal < 1.5 s) {'OK' if median < 1.5 else 'ABOVE'}")


if __name__ == "__main__":
    main()
