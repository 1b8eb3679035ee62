"""A longer fuzz campaign over every target of tests/fuzz/targets.py.

CI runs each target for a bounded, derandomized number of examples (the ``ci`` hypothesis
profile). This runs random examples for a given number of minutes, shared evenly between the
targets, and prints for each: examples tried, examples per second, how many times the CI run
that is, and every distinct failure (exception type, message and the falsifying example).

    python benchmarks/bench_fuzz.py --minutes 10
    python benchmarks/bench_fuzz.py --minutes 1 --targets normalize,ingest_docx
    python benchmarks/bench_fuzz.py --quick          # 20 seconds in all, to see that it runs
    python benchmarks/bench_fuzz.py --minutes 10 --engine atheris

``--engine atheris`` drives the same strategies with atheris (libFuzzer's coverage feedback on
the instrumented ``screener`` package, through hypothesis's ``fuzz_one_input``), one process per
target. atheris is optional: ``pip install atheris``; it is not needed by the tests.

Exit status 1 if any target failed.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

REPO = Path(__file__).resolve().parents[1]
CI_EXAMPLES = 60  # max_examples of the ci profile registered in tests/conftest.py
ROUND = 100  # examples per hypothesis run; the clock is checked between runs
DISTINCT_FAILURES = 3  # a target that failed this many different ways is not run further


def load_targets():
    spec = importlib.util.spec_from_file_location("fuzz_targets",
                                                  REPO / "tests" / "fuzz" / "targets.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def make_context(module, home: Path):
    from screener.pipeline import Screener
    from screener.settings import load_settings

    settings = load_settings(home=home, lexicon_dir=REPO / "tests" / "data" / "lexicons")
    screener = Screener(settings, stages=("terms",))
    folder = home / "fuzz"
    folder.mkdir()
    return module.FuzzContext(settings, screener.resources.normalizer,
                              screener.resources.matcher, folder)


def campaign(target, context, seconds: float) -> tuple[int, float, list[str]]:
    tried = 0
    failures: dict[str, str] = {}

    @settings(max_examples=ROUND, deadline=None, database=None, derandomize=False,
              phases=(Phase.generate, Phase.shrink), print_blob=True,
              suppress_health_check=list(HealthCheck))
    @given(target.strategy)
    def holds(example):
        nonlocal tried
        tried += 1
        target.check(context, example)

    began = time.perf_counter()
    while time.perf_counter() - began < seconds and len(failures) < DISTINCT_FAILURES:
        try:
            holds()
        except Exception as exc:  # noqa: BLE001  (a failure is what a campaign is looking for)
            key = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            if key not in failures:
                notes = "\n".join(getattr(exc, "__notes__", []))
                failures[key] = f"{key}\n{notes}\n{''.join(traceback.format_exception(exc))}"
    return tried, time.perf_counter() - began, list(failures.values())


def atheris_child(name: str, seconds: int) -> None:
    """Fuzz one target with atheris until ``seconds`` pass; libFuzzer reports and exits."""
    import atheris

    with atheris.instrument_imports(include=["screener"]):
        module = load_targets()
    target = next(t for t in module.TARGETS if t.name == name)
    home = Path(tempfile.mkdtemp(prefix="bench-fuzz-"))
    context = make_context(module, home)

    @settings(database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(target.strategy)
    def holds(example):
        target.check(context, example)

    atheris.Setup([sys.argv[0], f"-max_total_time={seconds}", "-print_final_stats=1",
                   f"-artifact_prefix={home}/"], holds.hypothesis.fuzz_one_input)
    atheris.Fuzz()


def atheris_campaign(name: str, seconds: float) -> tuple[int, float, list[str]]:
    began = time.perf_counter()
    run = subprocess.run([sys.executable, __file__, "--atheris-child", name,
                          "--minutes", str(seconds / 60)], capture_output=True, text=True,
                         timeout=seconds + 300)
    spent = time.perf_counter() - began
    found = re.search(r"stat::number_of_executed_units: (\d+)", run.stderr) or \
        re.search(r"Done (\d+) runs", run.stderr)
    tried = int(found.group(1)) if found else 0
    failures = [] if run.returncode == 0 else [run.stderr[-4000:]]
    return tried, spent, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0,
                        help="total time, shared evenly between the targets (default 10)")
    parser.add_argument("--quick", action="store_true", help="20 seconds in all")
    parser.add_argument("--targets", default="", help="comma-separated target names (default all)")
    parser.add_argument("--engine", choices=("hypothesis", "atheris"), default="hypothesis")
    parser.add_argument("--atheris-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.atheris_child:
        atheris_child(args.atheris_child, max(1, round(args.minutes * 60)))
        return 0
    if args.engine == "atheris" and importlib.util.find_spec("atheris") is None:
        parser.error("atheris is not installed (pip install atheris)")
    module = load_targets()
    chosen = [t for t in module.TARGETS
              if not args.targets or t.name in args.targets.split(",")]
    if not chosen:
        parser.error(f"no such target; known: {', '.join(t.name for t in module.TARGETS)}")
    total = 20.0 if args.quick else args.minutes * 60
    # PIL and zipfile warn about every broken file they are fed; that is the point here.
    warnings.simplefilter("ignore")
    home = Path(tempfile.mkdtemp(prefix="bench-fuzz-"))
    try:
        began = time.perf_counter()
        context = make_context(module, home) if args.engine == "hypothesis" else None
        print(f"engine {args.engine}; set-up: {time.perf_counter() - began:.1f} s")
        print(f"{'target':<16}{'examples':>10}{'seconds':>9}{'per s':>8}{'x CI':>8}  failures")
        failed = []
        for target in chosen:
            if args.engine == "atheris":
                tried, spent, failures = atheris_campaign(target.name, total / len(chosen))
            else:
                tried, spent, failures = campaign(target, context, total / len(chosen))
            print(f"{target.name:<16}{tried:>10,}{spent:>9.1f}{tried / spent:>8.1f}"
                  f"{tried / CI_EXAMPLES:>8.1f}  {len(failures)}", flush=True)
            failed.extend((target.name, f) for f in failures)
        for name, failure in failed:
            print(f"\n--- {name} failed ---\n{failure}")
        return 1 if failed else 0
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
