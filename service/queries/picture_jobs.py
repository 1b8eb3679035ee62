"""Where a draft's picture stage is: the job of its current revision, as progress."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, select

from ..db import picture_jobs, read

OPEN = ("queued", "running")
STAGE_LABELS = {"queued": "排队等待检查", "pictures": "正在检查图片", "report": "正在生成完整报告",
                "done": "图片检查已完成"}


def current_job(conn: Connection, draft_id: int, revision: int) -> Any:
    return conn.execute(select(picture_jobs).where(
        picture_jobs.c.draft_id == draft_id, picture_jobs.c.revision == revision)
        .order_by(picture_jobs.c.id.desc()).limit(1)).first()


def progress(conn: Connection, draft_id: int, revision: int) -> dict[str, Any] | None:
    """``{complete, status, stage, stage_label, done, total, attempts}`` of the current
    revision's picture job; None when its pictures were screened within the request (or it
    has none)."""
    job = current_job(conn, draft_id, revision)
    if job is None:
        return None
    complete = job.status not in OPEN
    return {"complete": complete, "status": job.status, "stage": job.stage,
            "stage_label": STAGE_LABELS.get(job.stage, job.stage), "done": job.done,
            "total": job.total, "attempts": job.attempts}


def incomplete(conn: Connection, draft_id: int, revision: int) -> dict[str, Any] | None:
    """The progress of the current revision's picture job if it has not finished, else None."""
    state = progress(conn, draft_id, revision)
    return state if state and not state["complete"] else None


def held_by_workers(engine: Engine) -> list[str]:
    """The workers that hold running jobs."""
    with read(engine) as conn:
        return list(conn.execute(select(picture_jobs.c.worker).distinct().where(
            picture_jobs.c.status == "running", picture_jobs.c.worker.is_not(None))).scalars())
