"""Soak: a live ``screener serve`` on 127.0.0.1 under submitters, reviewers and a lexicon
maintainer at once, for a bounded time; nothing lost, nothing duplicated, no 5xx, memory flat.

Starts the server as a child process on a fresh state folder (loopback only). Meanwhile:
  * submitters (operator token) post the clean and flagged sample drafts in turn;
  * reviewers (the account's 具体负责人) take their queue and sign each draft off;
  * a maintainer publishes a new lexicon version every ``--publish-every`` seconds with
    ``screener lexicon add`` (a separate process, as in real use); the server reloads it.
The server's RSS is sampled every second. At the end the database is read directly: every
submission answered 201 must be stored with exactly one report, no other draft may exist, every
sign-off answered 200 must be stored, and ``screener audit verify`` must pass.
The baseline is the in-process pipeline on one thread for a quarter of the time (the ratio says
what the service keeps of it while everything else runs).

    python benchmarks/bench_soak.py [--seconds 120] [--submitters 3] [--reviewers 1]
                                    [--publish-every 10] [--baseline-seconds 10] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_service import baseline, drafts, free_port, percentile, setup, start_server  # noqa: E402


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted: list[int] = []
        self.latencies: list[float] = []
        self.signed: list[int] = []
        self.statuses: Counter[int] = Counter()
        self.cut = 0  # requests that got no answer at all
        self.versions: list[str] = []

    def answer(self, response: httpx.Response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1


def add_reviewer(base: str, admin: str, account: int) -> str:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin}"}) as c:
        unit = c.get(f"/api/accounts/{account}").json()["unit_id"]
        person = c.post("/api/people", json={"name": "审核老师", "kind": "staff",
                                             "unit_id": unit}).json()["id"]
        c.post(f"/api/accounts/{account}/roles", json={"person_id": person,
                                                       "role": "responsible"})
        return c.post("/api/tokens", json={"role": "responsible",
                                           "person_id": person}).json()["token"]


def submitter(base: str, token: str, account: int, items: list[dict], offset: int, step: int,
              stop: float, tally: Tally) -> None:
    i = offset
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=120) as c:
        while time.monotonic() < stop:
            item = items[i % len(items)]
            i += step
            began = time.perf_counter()
            try:
                response = c.post("/api/drafts", json={"account_id": account, **item})
            except httpx.HTTPError:
                with tally.lock:
                    tally.cut += 1
                continue
            took = time.perf_counter() - began
            tally.answer(response)
            if response.status_code == 201:
                with tally.lock:
                    tally.accepted.append(response.json()["id"])
                    tally.latencies.append(took)


def reviewer(base: str, token: str, stop: float, tally: Tally) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=120) as c:
        while time.monotonic() < stop:
            try:
                queue = c.get("/api/queue", params={"limit": 20})
                tally.answer(queue)
                items = queue.json()["items"] if queue.status_code == 200 else []
                if not items:
                    time.sleep(0.2)
                for item in items:
                    draft = c.get(f"/api/drafts/{item['id']}")
                    tally.answer(draft)
                    if draft.status_code != 200:
                        continue
                    report = draft.json()["report"]
                    response = c.post(f"/api/drafts/{item['id']}/signoff", json={
                        "decision": "approve", "report_id": report["id"],
                        "comment": "已逐条核对" if report["verdict"] == "block" else ""})
                    tally.answer(response)
                    if response.status_code == 200:
                        with tally.lock:
                            tally.signed.append(item["id"])
            except httpx.HTTPError:
                with tally.lock:
                    tally.cut += 1


def maintainer(home: Path, every: float, stop: float, tally: Tally) -> None:
    env = {**os.environ, "SCREENER_HOME": str(home)}
    n = 0
    while time.monotonic() + every < stop:
        time.sleep(every)
        n += 1
        term = f"浸泡测试词{n:04d}"
        done = subprocess.run([sys.executable, "-m", "screener.cli", "lexicon", "add", term,
                               "--category", "illegal", "--by", "soak",
                               "--reason", "soak test"], env=env, capture_output=True,
                              text=True, timeout=300)
        with tally.lock:
            tally.versions.append(done.stdout.strip() if done.returncode == 0
                                  else f"FAILED: {done.stderr.strip()}")


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def sampler(pid: int, stop: float, samples: list[tuple[float, int]]) -> None:
    began = time.monotonic()
    while time.monotonic() < stop:
        value = rss_kib(pid)
        if value is not None:
            samples.append((time.monotonic() - began, value))
        time.sleep(1.0)


def quartile_mib(samples: list[tuple[float, int]], which: int) -> float:
    values = [v for _, v in samples]
    if not values:
        return float("nan")
    size = max(1, len(values) // 4)
    part = values[:size] if which == 0 else values[-size:]
    return sorted(part)[len(part) // 2] / 1024


def curve_mib(samples: list[tuple[float, int]], parts: int = 8) -> list[float]:
    """The median RSS of each of ``parts`` equal stretches of the run: flat, or still growing."""
    values = [v for _, v in samples]
    size = len(values) // parts
    if size == 0:
        return []
    return [round(sorted(values[i * size:(i + 1) * size])[size // 2] / 1024, 1)
            for i in range(parts)]


def check_database(home: Path, accepted: list[int], signed: list[int],
                   before: set[int]) -> dict:
    with sqlite3.connect(home / "screener.db") as db:
        reports = dict(db.execute("select draft_id, count(*) from svc_reports "
                                  "group by draft_id").fetchall())
        stored = {row[0] for row in db.execute("select id from svc_drafts")} - before
        signoffs = Counter(row[0] for row in db.execute("select draft_id from svc_signoffs"))
        versions = {row[0] for row in db.execute("select distinct lexicon_version from "
                                                 "svc_reports")}
    wanted = set(accepted)
    return {
        "lost": len(wanted - stored) + sum(1 for i in wanted if reports.get(i, 0) == 0),
        "duplicated": (len(accepted) - len(wanted)) + len(stored - wanted)
        + sum(1 for i in wanted if reports.get(i, 0) > 1),
        "signoffs_lost": sum(1 for i in signed if signoffs[i] == 0),
        "signoffs_duplicated": sum(1 for n in signoffs.values() if n > 1),
        "lexicon_versions_in_reports": len(versions),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--submitters", type=int, default=3)
    parser.add_argument("--reviewers", type=int, default=1)
    parser.add_argument("--publish-every", type=float, default=10.0)
    parser.add_argument("--baseline-seconds", type=float, default=None,
                        help="in-process pipeline time (default a quarter of --seconds, "
                             "at most 30; 0 skips it)")
    parser.add_argument("--json", action="store_true", help="print one JSON summary")
    args = parser.parse_args()
    items = drafts()
    tally = Tally()
    samples: list[tuple[float, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        port = free_port()
        os.environ["SCREENER_LEXICON_CHECK_SECONDS"] = "1"  # the server looks for new versions
        proc, admin = start_server(home, port)
        base = f"http://127.0.0.1:{port}"
        try:
            account, operator, _maintainer = setup(base, admin)
            responsible = add_reviewer(base, admin, account)
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {operator}"},
                              timeout=120) as c:  # warm-up (jieba, caches)
                for item in items[:4]:
                    c.post("/api/drafts", json={"account_id": account, **item})
            with sqlite3.connect(home / "screener.db") as db:
                before = {row[0] for row in db.execute("select id from svc_drafts")}
            began = time.perf_counter()
            stop = time.monotonic() + args.seconds
            threads = [threading.Thread(target=submitter, args=(
                base, operator, account, items, k, args.submitters, stop, tally))
                for k in range(args.submitters)]
            threads += [threading.Thread(target=reviewer, args=(base, responsible, stop, tally))
                        for _ in range(args.reviewers)]
            threads.append(threading.Thread(target=maintainer, args=(
                home, args.publish_every, stop, tally)))
            threads.append(threading.Thread(target=sampler, args=(proc.pid, stop, samples)))
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - began
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=60)
        found = check_database(home, tally.accepted, tally.signed, before)
        chain = subprocess.run(
            [sys.executable, "-m", "screener_service.cli", "audit", "verify"],
            env={**os.environ, "SCREENER_HOME": str(home)}, capture_output=True, text=True)
        seconds = args.baseline_seconds
        if seconds is None:
            seconds = min(30.0, args.seconds / 4)
        done, base_elapsed = baseline(home, items, seconds) if seconds > 0 else (0, 0.0)

    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    rate = len(tally.accepted) / elapsed
    summary = {
        "seconds": round(elapsed, 1), "submitters": args.submitters,
        "reviewers": args.reviewers, "accepted": len(tally.accepted),
        "signed": len(tally.signed), "statuses": dict(sorted(tally.statuses.items())),
        "server_errors": server_errors, "cut": tally.cut,
        "versions_published": sum(1 for v in tally.versions if v.startswith("已发布")),
        "publish_failures": [v for v in tally.versions if v.startswith("FAILED")],
        **found,
        "drafts_per_s": round(rate, 2),
        "p50_ms": round(percentile(tally.latencies, 0.5) * 1000, 1) if tally.latencies else None,
        "p99_ms": round(percentile(tally.latencies, 0.99) * 1000, 1) if tally.latencies else None,
        "rss_first_quartile_mib": round(quartile_mib(samples, 0), 1),
        "rss_last_quartile_mib": round(quartile_mib(samples, 3), 1),
        "rss_samples": len(samples),
        "rss_curve_mib": curve_mib(samples),
        "audit_ok": chain.returncode == 0,
        "pipeline_drafts_per_s": round(done / base_elapsed, 2) if base_elapsed else None,
    }
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        print(f"soak: {summary['seconds']} s, {args.submitters} submitters, {args.reviewers} "
              f"reviewer(s), a maintainer publishing every {args.publish_every:g} s")
        print(f"submitted: {summary['accepted']} accepted, {summary['drafts_per_s']} drafts/s, "
              f"p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms")
        print(f"signed off: {summary['signed']}; lexicon versions published: "
              f"{summary['versions_published']} (reports made with "
              f"{summary['lexicon_versions_in_reports']} versions)")
        print(f"responses: {summary['statuses']}; 5xx: {server_errors}; "
              f"no answer: {tally.cut}")
        print(f"stored: lost {summary['lost']}, duplicated {summary['duplicated']}, sign-offs "
              f"lost {summary['signoffs_lost']}, duplicated {summary['signoffs_duplicated']}")
        print(f"server RSS: first quartile {summary['rss_first_quartile_mib']} MiB, last "
              f"quartile {summary['rss_last_quartile_mib']} MiB ({len(samples)} samples; "
              f"by eighths: {summary['rss_curve_mib']})")
        print(f"audit: {chain.stdout.strip() or chain.stderr.strip()}")
        if base_elapsed:
            pipeline = done / base_elapsed
            print(f"pipeline (in-process, 1 thread): {pipeline:.1f} drafts/s; ratio "
                  f"service-under-soak/pipeline throughput: {rate / pipeline:.2f}")
    bad = (summary["lost"] or summary["duplicated"] or server_errors or tally.cut
           or summary["signoffs_lost"] or summary["signoffs_duplicated"]
           or summary["publish_failures"] or not summary["audit_ok"])
    if bad:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
