"""Re-screening the archive with the lexicon and models in force.

Every post gets one stored report per version (``lexicon_version|model_version``); the unique
key (post, version) makes a post screened at most once per version, whatever happens. Results
are committed in batches by the parent process: an interrupted run (Ctrl-C, a crash, kill -9)
keeps every committed batch, and the same command resumes with the posts that have no report for
the version yet. The screening itself runs in this process, in spawned worker processes
(``jobs > 1``) or on a Dask cluster (``cluster``); wherever it runs, each worker builds its
Screener once and returns compact results, and only this process writes (``worker``).
``incremental`` carries a post's previous report forward when a probe of the lexicon entries
changed since finds nothing in it (``incremental``), and screens it in full otherwise.

The summary is computed from the stored reports, not from counters, so it is the same whether a
run finished in one go or was resumed: for every post in scope, its report for this version is
compared with its newest earlier report (another version). A post with no earlier report counts
as having passed (it was published). Each post falls in exactly one of: ``newly_flagged`` (passed
before, review/block now; with the findings that are new), ``cleared`` (flagged before, passes
now), ``changed`` (flagged before and now, but with a new finding or another verdict) and
``unchanged``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context

from sqlalchemy import and_, bindparam, exists, func, literal, or_, select, update

from ..classify import model_version
from ..errors import RescreenError
from ..lexicon import open_store
from ..settings import Settings
from . import cluster, db
from .archive import iso, parse_when
from .incremental import Planner, ProbeSpec
from .worker import current_version, init_process, pinned, work

DEFAULT_BATCH = 100
CHUNK = 500  # ids per IN (...) query


FLAGGED = ("review", "block")


def version_key(lexicon_version: str, model: str) -> str:
    return f"{lexicon_version}|{model}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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
    incremental: bool = False
    carried_forward: int = 0  # of screened_now: previous report kept (probe found nothing)

    def to_dict(self) -> dict:
        return {
            "run_id": self.run_id, "version": self.version,
            "lexicon_version": self.lexicon_version, "model_version": self.model_version,
            "in_scope": self.in_scope, "screened": self.screened,
            "screened_now": self.screened_now, "remaining": self.in_scope - self.screened,
            "newly_flagged": len(self.newly_flagged), "cleared": len(self.cleared),
            "changed": len(self.changed), "unchanged": self.unchanged,
            "first_screening": self.first_screening,
            "interrupted": self.interrupted, "incremental": self.incremental,
            "carried_forward": self.carried_forward,
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
    # In id order: each batch then reads and writes neighbouring rows of the id-keyed indexes
    # (in publication order a batch's new reports land all over them: 3-4x the write time).
    query = select(db.posts.c.id).where(scope, ~done).order_by(db.posts.c.id)
    return list(conn.execute(query).scalars())


def _chunks(ids: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _probes(engine, planner: Planner, version: str, model: str) -> dict[str, ProbeSpec]:
    """A probe for every earlier lexicon version screened with this model (a few: the versions
    an archive went through), sent with every chunk so workers can choose per post."""
    r = db.reports
    with engine.connect() as conn:
        versions = conn.execute(select(r.c.lexicon_version).distinct()
                                .where(r.c.model_version == model, r.c.version != version)
                                ).scalars().all()
    specs = {v: planner.spec(v) for v in versions}
    return {v: spec for v, spec in specs.items() if spec is not None}


def _insert(engine):
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(db.reports).on_conflict_do_nothing(index_elements=["post_id", "version"])


def _carry_forward(conn, carried: list[tuple], summary: Summary, now: str) -> None:
    """Store the previous reports again under this version, in the database itself (no report
    travels through Python): the same verdict and JSON, the lexicon version in it replaced."""
    r = db.reports
    # Report JSON is written by json.dumps with its default separators; a quote inside any
    # string value is escaped, so this fragment can only be the report's own key.
    old = literal('"lexicon_version": "') + r.c.lexicon_version + literal('"')
    new = json.dumps({"lexicon_version": summary.lexicon_version}, ensure_ascii=False)[1:-1]
    # One statement, the ids bound as parameters: SQLAlchemy does not coerce each literal.
    chosen = select(r.c.post_id, literal(summary.version), literal(summary.lexicon_version),
                    literal(summary.model_version), r.c.verdict,
                    func.replace(r.c.report, old, literal(new)), literal(now), r.c.seq) \
        .where(r.c.seq.in_(bindparam("seqs", expanding=True)))
    statement = _insert(conn.engine).from_select(
        ["post_id", "version", "lexicon_version", "model_version", "verdict", "report",
         "created_at", "carried_from"], chosen)
    seqs = [seq for _, _, seq in carried]
    for start in range(0, len(seqs), CHUNK):
        conn.execute(statement, {"seqs": seqs[start:start + CHUNK]})


def _write(engine, results: list[tuple], summary: Summary) -> int:
    """Store one chunk's results in one transaction; returns how many were stored."""
    now, lexicon, model = _now(), summary.lexicon_version, summary.model_version
    rows = []
    carried = [r for r in results if r[0] == "c"]
    for item in results:
        if item[0] != "s":
            continue
        _, post_id, used_lexicon, verdict, report, used_model = item
        if used_lexicon != lexicon:  # never label a report with a version it did not use
            raise RescreenError(f"审核期间词库改动了（{lexicon} -> {used_lexicon}）；"
                               "请再运行一次 rescreen")
        if used_model != model:
            raise RescreenError(f"审核期间正在使用的模型改变了（{model} -> "
                               f"{used_model}）；请再运行一次 rescreen")
        rows.append({"post_id": post_id, "version": summary.version, "lexicon_version": lexicon,
                     "model_version": model, "verdict": verdict, "report": report,
                     "created_at": now, "carried_from": None})
    if not rows and not carried:
        return 0
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        if rows:
            conn.execute(_insert(engine), rows)
        if carried:
            _carry_forward(conn, carried, summary, now)
    summary.carried_forward += len(carried)
    return len(rows) + len(carried)


def _finding_key(f: dict) -> tuple:
    return (f["category"], f["term"], f["field"], f["text"])


def summarize(engine, summary: Summary, scope) -> Summary:
    version = summary.version
    r, p = db.reports, db.posts
    with engine.connect() as conn:
        summary.in_scope = conn.execute(select(func.count()).select_from(p)
                                        .where(scope)).scalar_one()
        mine = and_(scope, r.c.version == version)
        # A report carried forward repeats the post's newest earlier report: unchanged, unless
        # another version's report came in between (two runs at once). Those few are counted
        # in the database, not read: after an incremental run they are nearly every post.
        between = db.reports.alias("between")
        interleaved = exists().where(between.c.post_id == r.c.post_id,
                                     between.c.version != version,
                                     between.c.seq > r.c.carried_from, between.c.seq < r.c.seq)
        carried_unchanged = conn.execute(
            select(func.count()).select_from(r.join(p, p.c.id == r.c.post_id))
            .where(mine, r.c.carried_from.is_not(None), ~interleaved)).scalar_one()
        current = {row.post_id: row for row in conn.execute(
            select(r.c.post_id, r.c.seq, r.c.verdict, r.c.carried_from)
            .join(p, p.c.id == r.c.post_id)
            .where(mine, or_(r.c.carried_from.is_(None), interleaved)))}
        earlier: dict[str, tuple[int, str]] = {}
        ids = sorted(current)
        others = select(r.c.post_id, r.c.seq, r.c.verdict).where(
            r.c.post_id.in_(bindparam("ids", expanding=True)), r.c.version != version)
        for start in range(0, len(ids), CHUNK):
            for row in conn.execute(others, {"ids": ids[start:start + CHUNK]}).all():
                now = current[row.post_id]
                if row.seq > now.seq:
                    continue
                if row.post_id not in earlier or row.seq > earlier[row.post_id][0]:
                    earlier[row.post_id] = (row.seq, row.verdict)
        summary.screened = len(current) + carried_unchanged
        newly, still, cleared, unchanged, first = [], [], [], carried_unchanged, 0
        for post_id in ids:
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
            elif is_flagged and before is not None and now.carried_from == before[0]:
                unchanged += 1  # the same report carried forward: nothing to compare
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
             jobs: int = 1, batch_size: int = DEFAULT_BATCH, incremental: bool = False,
             dask: object | None = None, dask_timeout: float = 30.0,
             stages: tuple[str, ...] | None = None,
             on_start: Callable[[int, int], None] | None = None,
             on_batch: Callable[[int, int], None] | None = None) -> Summary:
    """Screen every post in scope that has no report for the current versions.

    ``incremental``: a post last screened with the same model and an earlier lexicon version is
    first probed for the entries that changed since; if none occurs, its report is carried
    forward (see ``incremental``). ``dask``: a scheduler address, a ``distributed.Client`` or a
    cluster object (``LocalCluster``); the chunks are screened there and stored here
    (``dask_timeout``: seconds to wait for the scheduler).
    ``on_start(pending, already_done)`` is called once, ``on_batch(n, carried)`` after each
    commit (``carried``: how many of the ``n`` kept their previous report).
    KeyboardInterrupt stops it cleanly: the summary comes back with ``interrupted`` set.
    """
    settings = pinned(settings)
    engine = db.open_db(settings)
    scope = _scope(since, account)
    executor = (cluster.DaskExecutor(dask, settings, stages, dask_timeout) if dask is not None
                else PoolExecutor(settings, stages, jobs) if jobs > 1
                else LocalExecutor(settings, stages))
    try:
        lexicon, model = executor.lexicon_version(), model_version(settings)
        executor.model = model
        version = version_key(lexicon, model)
        summary = Summary(version, lexicon, model, incremental=incremental)
        with engine.connect().execution_options(immediate=True) as conn, conn.begin():
            summary.run_id = conn.execute(db.runs.insert().values(
                version=version, filters=json.dumps({"since": since, "account": account,
                                                     "incremental": incremental}),
                started_at=_now(), status="running")).inserted_primary_key[0]
        with engine.connect() as conn:
            pending = _pending(conn, version, scope)
        if on_start:
            on_start(len(pending), 0)
        probes = (_probes(engine, Planner(settings, lexicon, open_store(settings)), version,
                          model) if incremental else {})

        def store(results: list[tuple], size: int) -> None:
            carried = summary.carried_forward
            summary.screened_now += _write(engine, results, summary)
            if on_batch:
                on_batch(size, summary.carried_forward - carried)

        try:
            executor.run(((ids, probes) for ids in _chunks(pending, batch_size)), store)
        except KeyboardInterrupt:
            summary.interrupted = True
    finally:
        executor.close()
    summarize(engine, summary, scope)
    with engine.connect().execution_options(immediate=True) as conn, conn.begin():
        conn.execute(update(db.runs).where(db.runs.c.id == summary.run_id).values(
            finished_at=_now(), status="interrupted" if summary.interrupted else "finished",
            summary=json.dumps(summary.to_dict(), ensure_ascii=False)))
    return summary


Store = Callable[[list[tuple], int], None]
Tasks = Iterator[tuple[list[str], dict[str, ProbeSpec]]]


class LocalExecutor:
    """Screens in this process."""

    model = ""  # the run's model version, set once known

    def __init__(self, settings: Settings, stages: tuple[str, ...] | None) -> None:
        self.settings, self.stages = settings, stages

    def lexicon_version(self) -> str:
        self.lexicon = current_version(self.settings, self.stages)
        return self.lexicon

    def run(self, tasks: Tasks, store: Store) -> None:
        for ids, probes in tasks:
            store(work(self.settings, self.stages, self.lexicon, self.model, ids, probes),
                  len(ids))

    def close(self) -> None:
        pass


class PoolExecutor:
    """N spawned worker processes, each loading its screener once (in the pool initializer,
    so they load while the parent reads the first chunks); the parent alone writes."""

    model = ""

    def __init__(self, settings: Settings, stages: tuple[str, ...] | None, jobs: int) -> None:
        if settings.images.workers is None:
            # The jobs are the parallelism: each checks its drafts' pictures itself rather than
            # starting a pool of picture workers of its own.
            images = settings.images.model_copy(update={"workers": 0})
            settings = settings.model_copy(update={"images": images})
        self.settings, self.stages, self.jobs = settings, stages, jobs
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                                        initializer=init_process, initargs=(settings, stages))

    def lexicon_version(self) -> str:
        # The version in force, as the workers will load it; read without building a screener
        # here (the parent needs no models).
        try:
            self.lexicon = self.pool.submit(current_version, self.settings,
                                            self.stages).result()
        except BrokenProcessPool:
            raise RescreenError("工作进程未能启动（在脚本中，jobs > 1 时须在 "
                                "`if __name__ == '__main__':` 之下调用 rescreen）") from None
        return self.lexicon

    def run(self, tasks: Tasks, store: Store) -> None:
        in_flight: dict[Future, int] = {}

        def collect(until: int) -> None:
            while len(in_flight) > until:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    store(future.result(), in_flight.pop(future))

        try:
            for ids, probes in tasks:
                collect(2 * self.jobs - 1)
                future = self.pool.submit(work, self.settings, self.stages, self.lexicon,
                                          self.model, ids, probes)
                in_flight[future] = len(ids)
            collect(0)
        except BrokenProcessPool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            raise RescreenError("一个工作进程意外终止（内存不足？被终止？）；已提交的结果都保留，"
                                "再运行同一命令即可接着审核") from None
        except BaseException:
            self.pool.shutdown(wait=False, cancel_futures=True)
            raise

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
