"""Concurrent clients submitting drafts to a live ``screener serve`` on 127.0.0.1.

Starts the server as a child process on a fresh state folder (loopback only), registers one
account with an operator, then N client threads submit drafts (the clean and flagged samples, in
turn) for a fixed time. Reports throughput, p50/p99 latency, and checks that every accepted
submission has exactly one stored report. The same drafts then go through the in-process
pipeline (``Screener.screen``, one thread) for the same time as the baseline.

A second phase runs the same load while a maintainer adds a term through the API: it reports how
long that call took (the running screener reloads before answering), the submission latency
meanwhile, and whether the next draft with the term is flagged.

    python benchmarks/bench_service.py [--clients 4] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "data" / "samples"


def drafts() -> list[dict]:
    files = [*sorted((SAMPLES / "clean").glob("*.json")),
             *sorted((SAMPLES / "flagged").glob("*.json"))]
    out = []
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        out.append({"title": data.get("title", ""), "body": data.get("body", "")})
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def start_server(home: Path, port: int) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "SCREENER_HOME": str(home)}
    env.pop("SCREENER_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "screener_service.cli", "serve", "--host", "127.0.0.1",
         "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        text=True)
    assert proc.stdout is not None
    proc.stdout.readline()  # "院长办公室（admin）令牌只显示这一次…"
    token = proc.stdout.readline().strip()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, token
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


def setup(base: str, admin: str) -> tuple[int, str, str]:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {admin}"}) as c:
        unit = c.post("/api/units", json={"name": "基准单位"}).json()["id"]
        op = c.post("/api/people", json={"name": "运营", "kind": "student",
                                         "unit_id": unit}).json()["id"]
        keeper = c.post("/api/people", json={"name": "词库", "kind": "staff",
                                             "unit_id": unit}).json()["id"]
        account = c.post("/api/accounts", json={"platform": "wechat", "name": "基准账号",
                                                "unit_id": unit, "opened_on": "2019-09-01"}
                         ).json()["id"]
        c.post(f"/api/accounts/{account}/roles", json={"person_id": op, "role": "operator"})
        token = c.post("/api/tokens", json={"role": "operator", "person_id": op}).json()["token"]
        maintainer = c.post("/api/tokens", json={"role": "maintainer",
                                                 "person_id": keeper}).json()["token"]
    return account, token, maintainer


NEW_TERM = "紫微星云贷"


def lexicon_change(base: str, maintainer: str, token: str, account: int, items: list[dict],
                   clients: int, seconds: float) -> dict[str, object]:
    """Load for ``seconds``; halfway, a maintainer adds a term. Then one probe draft."""
    result: dict[str, object] = {}
    runner = threading.Thread(target=lambda: result.update(
        zip(("latencies", "accepted", "errors"),
            load(base, token, account, items, clients, seconds), strict=True)))
    runner.start()
    time.sleep(seconds / 2)
    began = time.perf_counter()
    response = httpx.post(f"{base}/api/lexicon/terms", timeout=120,
                          headers={"Authorization": f"Bearer {maintainer}"},
                          json={"terms": [NEW_TERM], "category": "illegal", "reason": "bench"})
    result["change_ms"] = (time.perf_counter() - began) * 1000
    result["change_ok"] = response.status_code == 201
    runner.join()
    probe = httpx.post(f"{base}/api/drafts", timeout=60,
                       headers={"Authorization": f"Bearer {token}"},
                       json={"account_id": account, "title": "", "body": f"{NEW_TERM}讲座"})
    result["flagged"] = probe.status_code == 201 and any(
        f["term"] == NEW_TERM for f in probe.json()["report"]["findings"])
    return result


def load(base: str, token: str, account: int, items: list[dict], clients: int,
         seconds: float) -> tuple[list[float], list[int], int]:
    latencies: list[float] = []
    accepted: list[int] = []
    errors = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        nonlocal errors
        i = offset
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                          timeout=60) as c:
            while time.monotonic() < stop:
                item = items[i % len(items)]
                i += clients
                began = time.perf_counter()
                response = c.post("/api/drafts", json={"account_id": account, **item})
                took = time.perf_counter() - began
                with lock:
                    if response.status_code == 201:
                        latencies.append(took)
                        accepted.append(response.json()["id"])
                    else:
                        errors += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, accepted, errors


def baseline(home: Path, items: list[dict], seconds: float) -> tuple[int, float]:
    from screener import Draft, Screener, load_settings

    screener = Screener(load_settings(home=home))
    screener.screen(Draft(title="", body="预热"))
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        item = items[done % len(items)]
        screener.screen(Draft(title=item["title"], body=item["body"], platform="wechat"))
        done += 1
    return done, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    items = drafts()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        port = free_port()
        proc, admin = start_server(home, port)
        base = f"http://127.0.0.1:{port}"
        try:
            account, token, maintainer = setup(base, admin)
            load(base, token, account, items[:4], 1, 1.0)  # warm-up (jieba, caches)
            with sqlite3.connect(home / "screener.db") as db:
                before = {row[0] for row in db.execute("select id from svc_drafts")}
            began = time.perf_counter()
            latencies, accepted, errors = load(base, token, account, items, args.clients,
                                               args.seconds)
            elapsed = time.perf_counter() - began
            changed = lexicon_change(base, maintainer, token, account, items, args.clients,
                                     args.seconds)
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
        with sqlite3.connect(home / "screener.db") as db:
            counts = dict(db.execute("select draft_id, count(*) from svc_reports "
                                     "group by draft_id").fetchall())
            stored = {row[0] for row in db.execute("select id from svc_drafts")} - before
        everything = set(accepted) | set(changed["accepted"])
        exactly_one = all(counts.get(i) == 1 for i in everything) and \
            stored - {max(stored)} == everything  # the probe draft is the newest
        chain = subprocess.run(
            [sys.executable, "-m", "screener_service.cli", "audit", "verify"],
            env={**os.environ, "SCREENER_HOME": str(home)}, capture_output=True, text=True)
        done, base_elapsed = baseline(home, items, args.seconds)

    service_rate = len(accepted) / elapsed
    pipeline_rate = done / base_elapsed
    print(f"drafts: {len(items)} samples (clean + flagged), cycled")
    print(f"service: {args.clients} clients for {elapsed:.1f} s: {len(accepted)} accepted, "
          f"{errors} errors, {service_rate:.1f} drafts/s, "
          f"p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:.1f} ms")
    print(f"stored: every accepted submission has exactly one report: {exactly_one}")
    print(f"audit: {chain.stdout.strip() or chain.stderr.strip()}")
    print(f"pipeline (in-process, 1 thread): {done} drafts in {base_elapsed:.1f} s, "
          f"{pipeline_rate:.1f} drafts/s ({1000 / pipeline_rate:.1f} ms each)")
    print(f"ratio service/pipeline throughput: {service_rate / pipeline_rate:.2f}")
    during = changed["latencies"]
    print(f"lexicon change under load: the API call took {changed['change_ms']:.0f} ms "
          f"(reload included); submissions meanwhile: {len(during)} accepted, "
          f"{changed['errors']} errors, p50 {percentile(during, 0.5) * 1000:.1f} ms, "
          f"p99 {percentile(during, 0.99) * 1000:.1f} ms; next draft flagged by the new term: "
          f"{changed['flagged']}")
    if not exactly_one or errors or chain.returncode or changed["errors"] or \
            not changed["change_ok"] or not changed["flagged"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
