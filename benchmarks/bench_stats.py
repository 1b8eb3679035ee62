"""Statistics: the page and the Excel export for 1,000 and 10,000 drafts, beside a baseline.

A fresh service database (SQLite file in a temporary folder, or ``--database-url`` for
PostgreSQL) gets a registry of 4 units and 20 accounts and N drafts spread over 26 weeks, each
with its report (a third flagged, with one to three lexicon findings), two thirds signed off
(some late) and a quarter published: rows written straight into the tables, as the service would
have left them. Then, in the same run, for each N:

* baseline: one plain ``SELECT count(*)`` of the drafts joined to their accounts (what any page
  listing the drafts pays at least);
* queries: ``queries.statistics.statistics`` (every table and the summary, all in SQL);
* page: ``GET /statistics`` as the dean's office (queries, four pygal charts, the template);
* page, one unit: the same for one unit of the four;
* Excel: ``GET /statistics/export.xlsx`` (queries and openpyxl).

Each is timed ``--repeat`` times; the median is reported, with its ratio to the baseline.

    python benchmarks/bench_stats.py [--sizes 1000 10000] [--repeat 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics as pystats
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

REPO = Path(__file__).resolve().parents[1]
TERMS = [("代孕", "illegal"), ("刷单", "illegal"), ("加微信", "commercial"),
         ("绝密", "confidential"), ("赌博", "illegal"), ("优惠套餐", "commercial")]
START = datetime(2024, 1, 1, 2, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def seed_registry(engine) -> None:
    from screener_service import db

    with engine.begin() as conn:
        now = _iso(START)
        conn.execute(insert(db.units), [{"id": u, "name": f"单位{u}", "created_at": now}
                                        for u in range(1, 5)])
        conn.execute(insert(db.people), [{"id": p, "name": f"人员{p}", "kind": "staff",
                                          "unit_id": 1 + p % 4, "created_at": now}
                                         for p in range(1, 9)])
        conn.execute(insert(db.accounts), [{
            "id": a, "platform": "wechat" if a % 2 else "weibo", "name": f"账号{a}",
            "unit_id": 1 + a % 4, "status": "active", "opened_on": "2023-01-01",
            "name_findings": "[]", "created_at": now} for a in range(1, 21)])
        conn.execute(insert(db.assignments), [{
            "account_id": a, "person_id": 1, "role": "first_responsible",
            "effective_on": "2023-01-01", "reported_at": now} for a in range(1, 21) if a % 4 == 0])


def seed_drafts(engine, n: int, seed_value: int = 7) -> None:
    from screener_service import db

    rng = random.Random(seed_value)
    with engine.begin() as conn:
        for table in (db.signoffs, db.reports, db.drafts):
            conn.execute(table.delete())
        drafts, reports, signoffs = [], [], []
        for i in range(1, n + 1):
            submitted = START + timedelta(minutes=rng.randrange(26 * 7 * 24 * 60))
            flagged = rng.random() < 0.33
            findings = [{"term": t, "category": c, "severity": "review", "field": "body",
                         "start": 0, "end": len(t), "text": t, "article": "第十一条（内容）",
                         "stage": "terms", "score": 1.0, "explanation": "", "detail": ""}
                        for t, c in rng.sample(TERMS, rng.randint(1, 3))] if flagged else []
            signed = rng.random() < 0.66
            decision = rng.choice(["approve", "approve", "changes", "reject"]) if signed else None
            status = {"approve": "approved", "changes": "changes_requested",
                      "reject": "rejected", None: "pending"}[decision]
            if status == "approved" and rng.random() < 0.4:
                status = "published"
            verdict = "review" if flagged else "pass"
            at = _iso(submitted)
            drafts.append({"id": i, "account_id": 1 + i % 20, "submitted_by": 2, "title": "标题",
                           "body": "正文", "author": "", "images": "[]", "content_hash": "h",
                           "revision": 1, "status": status, "route": "responsible",
                           "verdict": verdict, "report_id": i, "created_at": at,
                           "updated_at": at,
                           "published_at": at if status == "published" else None})
            reports.append({"id": i, "draft_id": i, "revision": 1, "content_hash": "h",
                            "verdict": verdict, "lexicon_version": "lex-1",
                            "model_version": "m-1", "created_at": at, "title": "标题",
                            "body": "正文", "findings": len(findings), "revised_by": 2,
                            "categories": db.category_list(f["category"] for f in findings),
                            "report": json.dumps({"verdict": verdict, "findings": findings},
                                                 ensure_ascii=False)})
            if signed:
                hours = rng.expovariate(1 / 20)
                signoffs.append({"draft_id": i, "report_id": i, "person_id": 3,
                                 "decision": decision, "comment": "", "finding_comments": "{}",
                                 "content_hash": "h", "lexicon_version": "lex-1",
                                 "model_version": "m-1",
                                 "created_at": _iso(submitted + timedelta(hours=hours))})
        for table, rows in ((db.drafts, drafts), (db.reports, reports),
                            (db.signoffs, signoffs)):
            for start in range(0, len(rows), 2000):
                conn.execute(insert(table), rows[start:start + 2000])


def timed(fn, repeat: int) -> float:
    fn()  # warm: the first call compiles statements and fills caches
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return pystats.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL URL (default: a SQLite file in a temporary folder)")
    args = parser.parse_args()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from fastapi.testclient import TestClient
    from screener_service import create_app, db
    from screener_service.auth import Role, local_principal
    from screener_service.config import load_service_settings
    from screener_service.queries import statistics as stats
    from screener_service.usecases.sessions import set_password

    from screener import Screener
    from screener.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="bench-stats-") as folder:
        home = Path(folder)
        settings = load_settings(home=home, lexicon_dir=REPO / "lexicons")
        config = load_service_settings(settings, database_url=args.database_url
                                       or f"sqlite:///{home / 'service.db'}",
                                       password_time_cost=1, password_memory_kib=1024)
        app = create_app(screener=Screener(settings), config=config)
        engine = app.state.engine
        print(f"database: {engine.dialect.name}; repeat {args.repeat}, median seconds")
        print(f"{'drafts':>7} {'baseline':>9} {'queries':>9} {'page':>9} {'page/unit':>9} "
              f"{'excel':>9}   ratios to the baseline")
        with TestClient(app) as client:
            seed_registry(engine)
            dean = local_principal(Role.ADMIN, "bench")
            set_password(app.state.services, dean, 1, "dean", "bench-密码-1", ["admin"])
            page = client.get("/login")
            csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
            assert client.post("/login", data={"username": "dean", "password": "bench-密码-1",
                                               "csrf": csrf},
                               follow_redirects=False).status_code == 303
            for n in args.sizes:
                seed_drafts(engine, n)

                def baseline() -> None:
                    with engine.connect() as conn:
                        conn.execute(select(func.count()).select_from(
                            db.drafts.join(db.accounts,
                                           db.accounts.c.id == db.drafts.c.account_id))
                        ).scalar()

                def queries() -> None:
                    stats.statistics(engine, dean)

                def page_all() -> None:
                    assert client.get("/statistics").status_code == 200

                def page_unit() -> None:
                    assert client.get("/statistics?unit=1").status_code == 200

                def excel() -> None:
                    response = client.get("/statistics/export.xlsx")
                    assert response.status_code == 200 and response.content[:2] == b"PK"

                base = timed(baseline, args.repeat)
                figures = [timed(f, args.repeat) for f in (queries, page_all, page_unit,
                                                            excel)]
                ratios = " ".join(f"{f / base:8.0f}x" for f in figures)
                print(f"{n:>7} {base:9.4f} " + " ".join(f"{f:9.3f}" for f in figures)
                      + f"   {ratios}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
