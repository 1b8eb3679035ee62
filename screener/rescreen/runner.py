"""Re-screening the archive with the lexicon and models in force.

Every post gets one stored report per version (``lexicon_version|model_version``); the unique
key (post, version) makes a post screened at most once per version, whatever happens. Results
are committed in batches by the parent process: an interrupted run (Ctrl-C, a crash, kill -9)
keeps every committed batch, and the same command resumes with the posts that have no report for
the version yet. Worker processes (``jobs > 1``, spawned) each build one Screener and only
screen; they never write.

The summary is computed from the stored reports, not from counters, so it is the same whether a
run finished in one go or was resumed: for every post in scope, its report for this version is
compared with its newest earlier report (another version). A post with no earlier report counts
as having passed (it was published). Each post falls in exactly one of: ``newly_flagged`` (passed
before, review/block now; with the findings that are new), ``cleared`` (flagged before, passes
now), ``changed`` (flagged before and now, but with a new finding or another verdict) and
``unchanged``.
"""

from __future__ import annotations

import hashlib
import json
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context

from sqlalchemy import and_, exists, func, select, update

from ..classify import BUNDLE, models_dir
from ..errors import ScreenerError
from ..model import Draft, Platform
from ..settings import Settings
from . import db
from .archive import iso, parse_when

DEFAULT_BATCH = 100
CHUNK = 500  # ids per IN (...) query


class RescreenError(ScreenerError):
    """A run cannot go on (e.g. the lexicon changed under it); what was committed is kept."""

FLAGGED = ("review", "block")


def model_version(settings: Settings) -> str:
    """The classifier bundle in force: a digest of its manifest (which holds the files' sha256)."""
    manifest = models_dir(settings) / BUNDLE / "manifest.json"
    try:
        return "m-" + hashlib.sha256(manifest.read_bytes()).hexdigest()[:16]
    except OSError:
        return "m-none"


def version_key(lexicon_version: str, model: str) -> str:
    return f"{lexicon_version}|{model}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _pinned(settings: Settings) -> Settings:
    # One run, one lexicon version: no background reload in the middle of it.
    return settings.model_copy(update={"lexicon_check_seconds": 1e12})


# -- workers ----------------------------------------------------------------------------------

_SCREENER = None


def _init_worker(settings: Settings, stages: tuple[str, ...] | None) -> None:
    global _SCREENER
    from ..pipeline import Screener, freeze_long_lived

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
    _SCREENER = Screener(_pinned(settings), stages=stages)
    freeze_long_lived()


def _screen_rows(screener, rows: list[dict]) -> list[tuple[str, str, str, str]]:
    """(post_id, lexicon_version, verdict, report JSON) per row."""
    results = []
    for row in rows:
        draft = Draft(id=row["id"], title=row["title"], body=row["body"], account=row["account"],
                      platform=Platform(row["platform"]), images=tuple(json.loads(row["images"])),
                      author=row["author"])
        report = screener.screen(draft)
        results.append((row["id"], report.lexicon_version, str(report.verdict),
                        json.dumps(report.to_dict(), ensure_ascii=False)))
    return results


def _screen_in_worker(rows: list[dict]) -> list[tuple[str, str, str, str]]:
    return _screen_rows(_SCREENER, rows)


# -- the run ----------------------------------------------------------------------------------

@dataclass
class Summary:
    version: str
    lexicon_version: str
    model_version: str
    in_scope: int = 0
    screened: int = 0  # posts in scope with a report for this version
    screened_now: int = 0  # of which screened by this invocation
    newly_flagged: list[dict] = field(default_factory=list)
    cleared: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)  # still flagged, with new findings
    unchanged: int = 0
    first_screening: int = 0  # posts without an earlier report (compared with 'pass')
    interrupted: bool = False
    run_id: int = 0

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id, "version": self.version,
            "lexicon_version": self.lexicon_version, "model_version": self.model_version,
            "in_scope": self.in_scope, "screened": self.screened,
            "screened_now": self.screened_now, "remaining": self.in_scope - self.screened,
            "newly_flagged": len(self.newly_flagged), "cleared": len(self.cleared),
            "changed": len(self.changed), "unchanged": self.unchanged,
            "first_screening": self.first_screening,
            "interrupted": self.interrupted,
            "newly_flagged_posts": self.newly_flagged, "cleared_posts": self.cleared,
            "changed_posts": self.changed,
        }


def _scope(since: str | None, account: str | None):
    conditions = []
    if since:
        conditions.append(db.posts.c.published_at >= iso(parse_when(since)))
    if account is not None:
        conditions.append(db.posts.c.account == account)
    return and_(True, *conditions)


def _pending(conn, version: str, scope) -> list[str]:
    done = exists().where(and_(db.reports.c.post_id == db.posts.c.id,
                               db.reports.c.version == version))
    query = (select(db.posts.c.id).where(scope, ~done)
             .order_by(db.posts.c.published_at, db.posts.c.id))
    return list(conn.execute(query).scalars())


def _batches(engine, ids: list[str], size: int) -> Iterator[list[dict]]:
    columns = [db.posts.c[name] for name in ("id", "title", "body", "account", "platform",
                                             "images", "author")]
    for start in range(0, len(ids), size):
        chunk = ids[start:start + size]
        with engine.connect() as conn:
            rows = {r.id: dict(r._mapping)
                    for r in conn.execute(select(*columns).where(db.posts.c.id.in_(chunk)))}
        yield [rows[i] for i in chunk if i in rows]


def _insert(engine):
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(db.reports).on_conflict_do_nothing(index_elements=["post_id", "version"])


def _write(engine, results, version: str, lexicon: str, model: str) -> int:
    now = _now()
    rows = []
    for post_id, used_lexicon, verdict, report in results:
        if used_lexicon != lexicon:  # never label a report with a version it did not use
            raise RescreenError(f"lexicon changed during the run ({lexicon} -> {used_lexicon}); "
                               "run rescreen again")
        rows.append({"post_id": post_id, "version": version, "lexicon_version": lexicon,
                     "model_version": model, "verdict": verdict, "report": report,
                     "created_at": now})
    if not rows:
        return 0
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        conn.execute(_insert(engine), rows)
    return len(rows)


def _finding_key(f: dict) -> tuple:
    return (f["category"], f["term"], f["field"], f["text"])


def summarize(engine, summary: Summary, scope) -> Summary:
    version = summary.version
    r, p = db.reports, db.posts
    with engine.connect() as conn:
        summary.in_scope = conn.execute(select(func.count()).select_from(p)
                                        .where(scope)).scalar_one()
        current = {row.post_id: row for row in conn.execute(
            select(r.c.post_id, r.c.seq, r.c.verdict).join(p, p.c.id == r.c.post_id)
            .where(scope, r.c.version == version))}
        earlier: dict[str, tuple[int, str]] = {}
        for row in conn.execute(select(r.c.post_id, r.c.seq, r.c.verdict)
                                .join(p, p.c.id == r.c.post_id)
                                .where(scope, r.c.version != version)):
            now = current.get(row.post_id)
            if now is None or row.seq > now.seq:
                continue
            if row.post_id not in earlier or row.seq > earlier[row.post_id][0]:
                earlier[row.post_id] = (row.seq, row.verdict)
        summary.screened = len(current)
        newly, still, cleared, unchanged, first = [], [], [], 0, 0
        for post_id in sorted(current):
            now = current[post_id]
            before = earlier.get(post_id)
            if before is None:
                first += 1
            was_flagged = before is not None and before[1] in FLAGGED
            is_flagged = now.verdict in FLAGGED
            if is_flagged and not was_flagged:
                newly.append((post_id, now.seq, before))
            elif was_flagged and not is_flagged:
                cleared.append({"id": post_id, "previous_verdict": before[1]})
            elif is_flagged:
                still.append((post_id, now.seq, before))  # compared below
            else:
                unchanged += 1
        details, changed = [], []
        candidates = newly + still
        for start in range(0, len(candidates), CHUNK):
            chunk = candidates[start:start + CHUNK]
            seqs = [seq for _, seq, _ in chunk] + [b[0] for _, _, b in chunk if b]
            texts = dict(conn.execute(select(r.c.seq, r.c.report)
                                      .where(r.c.seq.in_(seqs))).all())
            meta = {row.id: row for row in conn.execute(
                select(p.c.id, p.c.account, p.c.published_at)
                .where(p.c.id.in_([post_id for post_id, _, _ in chunk])))}
            for post_id, seq, before in chunk:
                found = json.loads(texts[seq])
                old = ({_finding_key(f) for f in json.loads(texts[before[0]])["findings"]}
                       if before else set())
                new = [{k: f[k] for k in ("category", "severity", "term", "field", "start",
                                          "end", "text", "article", "score")}
                       for f in found["findings"] if _finding_key(f) not in old]
                entry = {"id": post_id, "account": meta[post_id].account,
                         "published_at": meta[post_id].published_at,
                         "verdict": found["verdict"],
                         "previous_verdict": before[1] if before else None,
                         "new_findings": new}
                if before is None or before[1] not in FLAGGED:
                    details.append(entry)
                elif new or found["verdict"] != before[1]:
                    changed.append(entry)  # still flagged, but for something new
                else:
                    unchanged += 1
    summary.newly_flagged, summary.cleared, summary.changed = details, cleared, changed
    summary.unchanged, summary.first_screening = unchanged, first
    return summary


def rescreen(settings: Settings, *, since: str | None = None, account: str | None = None,
             jobs: int = 1, batch_size: int = DEFAULT_BATCH,
             stages: tuple[str, ...] | None = None,
             on_start: Callable[[int, int], None] | None = None,
             on_batch: Callable[[int], None] | None = None) -> Summary:
    """Screen every post in scope that has no report for the current versions.

    ``on_start(pending, already_done)`` is called once, ``on_batch(n)`` after each commit.
    KeyboardInterrupt stops it cleanly: the summary comes back with ``interrupted`` set.
    """
    from ..pipeline import Screener, freeze_long_lived

    settings = _pinned(settings)
    engine = db.open_db(settings)
    scope = _scope(since, account)
    screener = Screener(settings, stages=stages)
    lexicon, model = screener.lexicon_version, model_version(settings)
    version = version_key(lexicon, model)
    summary = Summary(version, lexicon, model)
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        summary.run_id = conn.execute(db.runs.insert().values(
            version=version, filters=json.dumps({"since": since, "account": account}),
            started_at=_now(), status="running")).inserted_primary_key[0]
    with engine.connect() as conn:
        pending = _pending(conn, version, scope)
    if on_start:
        on_start(len(pending), 0)
    try:
        if jobs <= 1:
            freeze_long_lived()
            for rows in _batches(engine, pending, batch_size):
                written = _write(engine, _screen_rows(screener, rows), version, lexicon, model)
                summary.screened_now += written
                if on_batch:
                    on_batch(len(rows))
        else:
            del screener
            _parallel(engine, pending, settings, stages, jobs, batch_size, summary, on_batch)
    except KeyboardInterrupt:
        summary.interrupted = True
    summarize(engine, summary, scope)
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        conn.execute(update(db.runs).where(db.runs.c.id == summary.run_id).values(
            finished_at=_now(), status="interrupted" if summary.interrupted else "finished",
            summary=json.dumps(summary.to_dict(), ensure_ascii=False)))
    return summary


def _parallel(engine, pending, settings, stages, jobs, batch_size, summary: Summary,
              on_batch) -> None:
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                               initializer=_init_worker, initargs=(settings, stages))
    in_flight: dict[Future, int] = {}

    def collect(until: int) -> None:
        while len(in_flight) > until:
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                size = in_flight.pop(future)
                summary.screened_now += _write(engine, future.result(), summary.version,
                                               summary.lexicon_version, summary.model_version)
                if on_batch:
                    on_batch(size)

    try:
        for rows in _batches(engine, pending, batch_size):
            collect(2 * jobs - 1)
            in_flight[pool.submit(_screen_in_worker, rows)] = len(rows)
        collect(0)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
