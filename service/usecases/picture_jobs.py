"""The picture stage's jobs: queued with a draft revision, claimed by a worker under a lease,
renewed while it works, released when its worker dies, finished with the complete report.

A job is "ours" only while its row still names this worker and this attempt: a worker whose
lease ran out (it hung, or was thought dead) and came back finds the job taken and stores
nothing, so a draft revision gets one complete report however often its job was started.
Progress (pictures done, the stage) is written with the lease renewal; like the start, the
release and the end of a job, each is audited.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, insert, or_, select, update

from ..db import now, picture_jobs
from ..uow import UnitOfWork, unit_of_work

OPEN = ("queued", "running")


@dataclass(frozen=True, slots=True)
class Claim:
    job_id: int
    draft_id: int
    revision: int
    attempt: int
    worker: str


def enqueue(uow: UnitOfWork, draft_id: int, revision: int, pictures: int) -> int:
    """A job for ``revision``'s pictures; an older revision's open job is discarded (its result
    would be for text and pictures nobody signs off any more)."""
    discard_open(uow, draft_id, "a new revision was submitted")
    stamp = now()
    job_id = uow.conn.execute(insert(picture_jobs).values(
        draft_id=draft_id, revision=revision, status="queued", stage="queued", total=pictures,
        done=0, attempts=0, created_at=stamp, updated_at=stamp)).inserted_primary_key[0]
    uow.audit("picture_job.queue", f"draft:{draft_id}",
              {"job_id": job_id, "revision": revision, "pictures": pictures})
    return job_id


def discard_open(uow: UnitOfWork, draft_id: int, why: str) -> None:
    rows = uow.conn.execute(select(picture_jobs.c.id, picture_jobs.c.revision).where(
        picture_jobs.c.draft_id == draft_id, picture_jobs.c.status.in_(OPEN))).all()
    for row in rows:
        uow.conn.execute(update(picture_jobs).where(picture_jobs.c.id == row.id).values(
            status="discarded", lease_until=None, updated_at=now()))
        uow.audit("picture_job.discard", f"draft:{draft_id}",
                  {"job_id": row.id, "revision": row.revision, "reason": why})


def claim(engine: Engine, worker: str, lease_seconds: float) -> Claim | None:
    """The oldest job nobody holds (queued, or running under a lease that ran out), now held by
    ``worker``; None when there is none."""
    clock = time.time()
    with unit_of_work(engine, worker) as uow:
        row = uow.conn.execute(select(picture_jobs).where(or_(
            picture_jobs.c.status == "queued",
            and_(picture_jobs.c.status == "running", picture_jobs.c.lease_until < clock)))
            .order_by(picture_jobs.c.id).limit(1)).first()
        if row is None:
            return None
        attempt = row.attempts + 1
        uow.conn.execute(update(picture_jobs).where(picture_jobs.c.id == row.id).values(
            status="running", stage="pictures", done=0, attempts=attempt, worker=worker,
            lease_until=clock + lease_seconds, updated_at=now()))
        uow.audit("picture_job.start", f"draft:{row.draft_id}",
                  {"job_id": row.id, "revision": row.revision, "attempt": attempt,
                   "previous_worker": row.worker if row.status == "running" else None})
        return Claim(row.id, row.draft_id, row.revision, attempt, worker)


def _ours(claim: Claim):
    return and_(picture_jobs.c.id == claim.job_id, picture_jobs.c.status == "running",
                picture_jobs.c.worker == claim.worker, picture_jobs.c.attempts == claim.attempt)


def renew(engine: Engine, claim: Claim, lease_seconds: float, *, done: int | None = None,
          stage: str | None = None) -> bool:
    """Extend the lease and record the progress (audited, as every change is: a row per
    picture and per renewal); False when the job is no longer ours."""
    values: dict[str, Any] = {"lease_until": time.time() + lease_seconds, "updated_at": now()}
    if done is not None:
        values["done"] = done
    if stage is not None:
        values["stage"] = stage
    with unit_of_work(engine, claim.worker) as uow:
        if uow.conn.execute(update(picture_jobs).where(_ours(claim)).values(**values)
                            ).rowcount != 1:
            return False
        uow.audit("picture_job.progress", f"draft:{claim.draft_id}",
                  {"job_id": claim.job_id, "attempt": claim.attempt, "done": done,
                   "stage": stage})
        return True


def still_ours(conn: Connection, claim: Claim) -> bool:
    return conn.execute(select(picture_jobs.c.id).where(_ours(claim))).first() is not None


def close(uow: UnitOfWork, claim: Claim, status: str, report_id: int | None,
          total: int) -> None:
    uow.conn.execute(update(picture_jobs).where(picture_jobs.c.id == claim.job_id).values(
        status=status, stage="done", done=total if status != "discarded" else 0,
        report_id=report_id, lease_until=None, updated_at=now()))
    uow.audit(f"picture_job.{status}", f"draft:{claim.draft_id}",
              {"job_id": claim.job_id, "revision": claim.revision, "attempt": claim.attempt,
               "report_id": report_id})


def release(engine: Engine, worker: str, actor: str) -> int:
    """Jobs held by ``worker``, which died, back to the queue at once (not after the lease);
    how many."""
    with unit_of_work(engine, actor) as uow:
        rows = uow.conn.execute(select(picture_jobs).where(
            picture_jobs.c.status == "running", picture_jobs.c.worker == worker)).all()
        for row in rows:
            uow.conn.execute(update(picture_jobs).where(
                picture_jobs.c.id == row.id, picture_jobs.c.worker == worker,
                picture_jobs.c.status == "running").values(
                status="queued", stage="queued", done=0, lease_until=None, updated_at=now()))
            uow.audit("picture_job.release", f"draft:{row.draft_id}",
                      {"job_id": row.id, "revision": row.revision, "attempt": row.attempts,
                       "worker": worker, "reason": "the worker process ended"})
        return len(rows)
