"""Lexicon build and load: the store + compiled cache against pyahocorasick's own, in one run.

    python benchmarks/bench_lexicon.py [--sizes 10000,100000,500000] [--seed 7]

Data: for each size N, N distinct words drawn (seeded) from jieba's dictionary (Chinese words of
two or more characters; past its ~330,000 such words, phrases of two of them), in five categories,
one in ten two-character terms boundary-sensitive, laid over the shipped lexicons through the
lexicon store, as ``screener lexicon import`` does.

Each step runs in a fresh subprocess so that its resident memory is its own:

* build: one store import of the N terms (SQLite, one version), then ``load_lexicon`` on an empty
  cache (fold every term, pinyin spellings, both automata, save the cache); baseline:
  ``Automaton(STORE_INTS)``, ``add_word`` of the same N terms, ``make_automaton``, ``save``.
* load: ``load_lexicon`` in a new process with the cache filled (the path of every CLI call and
  worker start: one store query, shipped files hashed, manifest and automata SHA-256-checked and
  loaded); baseline: ``ahocorasick.load`` of the saved baseline automaton (no checks, no entries).

Memory is VmRSS after the step minus VmRSS just before it (same imports loaded), from
/proc/self/status. Load figures are the best of three fresh processes (wall time; the machine may
be shared). Prints a table and the ratios ours/baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CATEGORIES = ["illegal", "unhealthy", "commercial", "confidential", "major_news"]


def rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def draw_terms(n: int, seed: int) -> list[str]:
    import jieba

    with jieba.get_module_res(jieba.DEFAULT_DICT_NAME) as handle:
        words = [raw.decode("utf-8").split(" ")[0] for raw in handle]
    candidates = sorted({w for w in words
                         if len(w) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in w)})
    rng = random.Random(seed)
    if n <= len(candidates):
        return rng.sample(candidates, n)
    # jieba has ~330,000 such words: beyond that, phrases of two of them (as maintainers list
    # 出售发票-like phrases)
    terms = set(candidates)
    while len(terms) < n:
        terms.add(rng.choice(candidates) + rng.choice(candidates))
    return rng.sample(sorted(terms), n)


def settings_for(home: Path):
    from screener.settings import load_settings

    return load_settings(home=home)


def step_build(home: Path, n: int, seed: int) -> dict:
    from screener.lexicon import load_lexicon, make_entry
    from screener.lexicon.maintain import Who, import_entries
    from screener.normalize import Normalizer, load_tables

    rng = random.Random(seed)
    settings = settings_for(home)
    normalizer = Normalizer(load_tables(settings.cache_dir))
    entries = [make_entry(t, rng.choice(CATEGORIES), boundary=len(t) == 2 and rng.random() < 0.1)
               for t in draw_terms(n, seed)]
    began = time.perf_counter()
    change = import_entries(settings, entries, Who("bench", "benchmark"))
    imported = time.perf_counter() - began
    before = rss_kib()
    began = time.perf_counter()
    lexicon = load_lexicon(settings, normalizer)
    built = time.perf_counter() - began
    return {"import_s": imported, "build_s": built, "rss_mib": (rss_kib() - before) / 1024,
            "version": lexicon.version, "seq": change.seq, "keys": len(lexicon.keys)}


def step_build_raw(home: Path, n: int, seed: int) -> dict:
    import ahocorasick

    terms = draw_terms(n, seed)
    before = rss_kib()
    began = time.perf_counter()
    automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for i, term in enumerate(terms):
        automaton.add_word(term, i)
    automaton.make_automaton()
    built = time.perf_counter() - began
    rss = (rss_kib() - before) / 1024
    automaton.save(str(home / "raw.bin"))
    return {"build_s": built, "rss_mib": rss}


def step_load(home: Path, n: int, seed: int) -> dict:
    from screener.lexicon import cache as cache_module
    from screener.lexicon import load_lexicon
    from screener.normalize import Normalizer, load_tables

    settings = settings_for(home)
    normalizer = Normalizer(load_tables(settings.cache_dir))

    def refuse(*_args, **_kwargs):
        raise RuntimeError("the cache was not used")

    cache_module.compile_lexicon = refuse  # a load that compiles is a failed measurement
    before = rss_kib()
    began, cpu = time.perf_counter(), time.process_time()
    lexicon = load_lexicon(settings, normalizer)
    loaded, cpu = time.perf_counter() - began, time.process_time() - cpu
    return {"load_s": loaded, "cpu_s": cpu, "rss_mib": (rss_kib() - before) / 1024,
            "version": lexicon.version}


def step_load_raw(home: Path, n: int, seed: int) -> dict:
    import ahocorasick

    before = rss_kib()
    began, cpu = time.perf_counter(), time.process_time()
    automaton = ahocorasick.load(str(home / "raw.bin"), lambda _: None)
    loaded, cpu = time.perf_counter() - began, time.process_time() - cpu
    assert len(automaton) == n
    return {"load_s": loaded, "cpu_s": cpu, "rss_mib": (rss_kib() - before) / 1024}


STEPS = {"build": step_build, "build-raw": step_build_raw, "load": step_load,
         "load-raw": step_load_raw}


def run_step(step: str, home: Path, n: int, seed: int) -> dict:
    result = subprocess.run([sys.executable, __file__, "--step", step, "--home", str(home),
                             "--sizes", str(n), "--seed", str(seed)],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"step {step} ({n} terms) failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,500000")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--step", choices=sorted(STEPS))
    parser.add_argument("--home", type=Path)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.step:
        print(json.dumps(STEPS[args.step](args.home, sizes[0], args.seed)))
        return

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; seconds are wall time")
    header = (f"{'terms':>8} {'import s':>9} {'build s':>8} {'raw build s':>11} {'ratio':>6} "
              f"{'load s':>7} {'raw load s':>10} {'ratio':>6} {'load MiB':>8} "
              f"{'raw MiB':>8} {'ratio':>6}")
    print(header)
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-lexicon-") as tmp:
            home = Path(tmp)
            build = run_step("build", home, n, args.seed)
            raw_build = run_step("build-raw", home, n, args.seed)
            # best of three fresh processes: the machine is shared, the minimum is the cost
            load = min((run_step("load", home, n, args.seed) for _ in range(3)),
                       key=lambda r: r["load_s"])
            raw_load = min((run_step("load-raw", home, n, args.seed) for _ in range(3)),
                           key=lambda r: r["load_s"])
        assert load["version"] == build["version"]
        print(f"{n:>8} {build['import_s']:>9.2f} {build['build_s']:>8.2f} "
              f"{raw_build['build_s']:>11.2f} {build['build_s'] / raw_build['build_s']:>6.1f} "
              f"{load['load_s']:>7.3f} {raw_load['load_s']:>10.3f} "
              f"{load['load_s'] / raw_load['load_s']:>6.1f} {load['rss_mib']:>8.1f} "
              f"{raw_load['rss_mib']:>8.1f} {load['rss_mib'] / max(raw_load['rss_mib'], 0.1):>6.1f}"
              f"   (load CPU {load['cpu_s']:.3f} s vs {raw_load['cpu_s']:.3f} s; "
              f"{build['keys']} keys with pinyin variants; {build['version']})",
              flush=True)


if __name__ == "__main__":
    main()
