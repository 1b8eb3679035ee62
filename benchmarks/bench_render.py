"""The reviewer's draft page (``GET /drafts/N``) for drafts with 100, 1,000 and 10,000 findings.

A draft's cost on the page grows with its findings: the page lists ``reviewpage.LINE_LIMIT`` of
them (the most severe first; the others are on the next pages of the list, counted on this one),
each a line in the summary and in the findings table with its span marked in the text (at most
``reviewpage.MARK_LIMIT`` marks a page); every finding is still read, counted and sorted. This
times (in CPU seconds) the whole page as the 具体负责人 gets
it, in process: the session check, the database read of the draft and its report, the marking,
the template, on a SQLite state folder of its own with the shipped lexicons.

Each draft repeats one 6-character sentence N times: with a commercial term in it (one finding
per sentence), and, as the baseline in the same run, a clean sentence of the same length (the
same text length, no findings). The ratio per tenfold step (goal: at most 12x; the text grows
tenfold too, so linear work is 10x) and the ratio to the baseline are printed.

    python benchmarks/bench_render.py [--repeat 5] [--sizes 100,1000,10000] [--json out.json]

Needs the test extras (it reuses the tests' registry set-up: a unit, an account, a 具体负责人
with a password): ``pip install -e ".[test,bench]"``.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

HIT = "加vx咨询。"  # one commercial finding (a contact-for-sale term) per sentence
CLEAN = "欢迎听讲座。"  # the same length, nothing to find
assert len(HIT) == len(CLEAN)


def make_world(home: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's note on httpx
        from fastapi.testclient import TestClient
    from screener_service import create_app
    from screener_service.config import load_service_settings

    from screener import Screener
    from screener.settings import load_settings
    from tests.fixtures.service import FAST_PASSWORDS, build_world

    screener = Screener(load_settings(home=home))
    app = create_app(screener=screener,
                     config=load_service_settings(screener.settings, **FAST_PASSWORDS))
    client = TestClient(app)
    client.__enter__()
    return client, build_world(client, app)


def time_page(world, draft_id: int, repeat: int) -> tuple[float, str]:
    """The median CPU time of ``repeat`` loads of the draft page (after one warm-up load).

    CPU time of this process (the test client runs the app in a thread of it), not the wall
    clock: on a shared machine the wall clock measures the other processes too."""
    url = f"/drafts/{draft_id}"
    first = world.page("responsible", "GET", url)
    assert first.status_code == 200, first.text[:500]
    times = []
    for _ in range(repeat):
        start = time.process_time()
        response = world.page("responsible", "GET", url)
        times.append(time.process_time() - start)
        assert response.status_code == 200
    return statistics.median(times), first.text


def measure(sizes: list[int], repeat: int) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        client, world = make_world(Path(tmp))
        try:
            for n in sizes:
                flagged = world.submit(title="社团招新", body=HIT * n)
                clean = world.submit(title="讲座通知", body=CLEAN * n)
                findings = len(flagged["report"]["findings"])
                page, html = time_page(world, flagged["id"], repeat)
                base, _ = time_page(world, clean["id"], repeat)
                rows.append({
                    "hits": n, "characters": len(HIT * n), "findings": findings,
                    "baseline_findings": len(clean["report"]["findings"]),
                    "lines": len(re.findall(r'id="finding-\d+"', html)),
                    "marks": html.count('class="mark '), "page_bytes": len(html.encode()),
                    "page_s": page, "baseline_s": base})
        finally:
            client.__exit__(None, None, None)
    for before, after in zip(rows, rows[1:], strict=False):
        after["step_ratio"] = after["page_s"] / before["page_s"]
        after["baseline_step_ratio"] = after["baseline_s"] / before["baseline_s"]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed loads per page (median)")
    parser.add_argument("--sizes", default="100,1000,10000",
                        help="numbers of findings, comma-separated")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = measure(sizes, args.repeat)
    print(f"{'findings':>9} {'chars':>7} {'lines':>6} {'marks':>5} {'KiB':>6} "
          f"{'page ms':>9} {'base ms':>8} {'page/base':>9} {'x/step':>7} {'base x/step':>11}")
    for r in rows:
        step = f"{r['step_ratio']:.1f}x" if "step_ratio" in r else "-"
        base_step = f"{r['baseline_step_ratio']:.1f}x" if "baseline_step_ratio" in r else "-"
        print(f"{r['findings']:>9} {r['characters']:>7} {r['lines']:>6} {r['marks']:>5} "
              f"{r['page_bytes'] / 1024:>6.0f} {r['page_s'] * 1000:>9.1f} "
              f"{r['baseline_s'] * 1000:>8.1f} {r['page_s'] / r['baseline_s']:>9.1f} "
              f"{step:>7} {base_step:>11}")
    worst = max((r["step_ratio"] for r in rows if "step_ratio" in r), default=0.0)
    print(f"worst tenfold step: {worst:.1f}x (goal: at most 12x)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
