"""Where reviewers' feedback lives: the ``feedback`` table, in the service's database.

One row per judgement: a finding a 具体负责人 confirmed or dismissed when signing a draft off, a
category the tools missed (the 漏报 control), or a labelled text imported from a file. Rows are
only ever added. The table belongs to the core (its own Alembic environment, ``feedback``), so
training reads it without the service; it lives in the database the service uses
(``service_database_url``, the state folder's database by default) so that the service writes a
sign-off, its feedback rows and its audit row in ONE transaction. ``key`` makes each judgement
count once: importing the same file twice, or reporting the same miss twice, adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    select,
)
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..errors import StorageError
from ..lexicon.store import engine_for, storage_problem
from ..migrations import FEEDBACK, prepare, upgrade

JUDGEMENTS = ("confirmed", "false_alarm", "missed")
# What a reviewer may name as missed, and what an imported line may be labelled.
CATEGORIES = ("commercial", "confidential", "major_news", "illegal", "unhealthy")
LABELS = (*CATEGORIES, "none")
ORIGINS = ("signoff", "missed", "import")

metadata = MetaData()

feedback_table = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),  # one row per judgement
    Column("text_hash", String(64), nullable=False),  # sha256 of title NUL body
    Column("origin", String(20), nullable=False),  # signoff / missed / import
    Column("judgement", String(20), nullable=False),  # confirmed / false_alarm / missed
    Column("category", String(40), nullable=False),  # a finding category, or none
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("field", String(40), nullable=False),  # where the span is ("" for the whole text)
    Column("span_start", Integer, nullable=True),
    Column("span_end", Integer, nullable=True),
    Column("span", Text, nullable=False),  # the finding's text, or the phrase a reviewer missed
    Column("stage", String(40), nullable=False),  # terms / classify / images; "" if none
    Column("term", String(200), nullable=False),  # the lexicon term of a term finding
    Column("reviewer", String(200), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("report_ref", String(64), nullable=False),
    Column("draft_ref", String(64), nullable=False),
    Column("model_version", String(100), nullable=False),
    Column("lexicon_version", String(100), nullable=False),
    Column("comment", Text, nullable=False),
)
Index("ix_feedback_text_hash", feedback_table.c.text_hash)

_CHUNK = 500
_WRITE_RETRIES = 20


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def text_hash(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\x00{body}".encode("utf-8", "surrogatepass")).hexdigest()


def row_key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8",
                                                                       "surrogatepass")
                          ).hexdigest()


def make_row(*, origin: str, judgement: str, category: str, title: str, body: str,
             reviewer: str, key: str, field: str = "", start: int | None = None,
             end: int | None = None, span: str = "", stage: str = "", term: str = "",
             report_ref: str = "", draft_ref: str = "", model_version: str = "",
             lexicon_version: str = "", comment: str = "", created_at: str | None = None
             ) -> dict[str, Any]:
    """A feedback row as the table stores it (``key``: what makes it one judgement)."""
    if judgement not in JUDGEMENTS:
        raise ValueError(f"judgement must be one of {', '.join(JUDGEMENTS)}")
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {', '.join(ORIGINS)}")
    return {"key": key, "text_hash": text_hash(title, body), "origin": origin,
            "judgement": judgement, "category": category, "title": title, "body": body,
            "field": field, "span_start": start, "span_end": end, "span": span,
            "stage": stage, "term": term[:200], "reviewer": reviewer[:200],
            "created_at": created_at or now(), "report_ref": report_ref,
            "draft_ref": draft_ref, "model_version": model_version,
            "lexicon_version": lexicon_version, "comment": comment}


def _insert(conn: Connection):
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(feedback_table).on_conflict_do_nothing(index_elements=["key"])


def add_rows(conn: Connection, rows: Iterable[dict[str, Any]]) -> int:
    """Insert ``rows`` in the caller's transaction, skipping judgements already recorded (same
    ``key``); how many were new. The service calls this in its unit of work."""
    rows = list(rows)
    added = 0
    for start in range(0, len(rows), _CHUNK):
        chunk = rows[start:start + _CHUNK]
        keys = [r["key"] for r in chunk]
        known = set(conn.execute(select(feedback_table.c.key).where(
            feedback_table.c.key.in_(bindparam("keys", expanding=True))), {"keys": keys})
            .scalars())
        fresh, seen = [], set(known)
        for row in chunk:
            if row["key"] not in seen:
                seen.add(row["key"])
                fresh.append(row)
        if fresh:
            conn.execute(_insert(conn), fresh)
            added += len(fresh)
    return added


def migrate(engine) -> None:
    """Make or upgrade the feedback table in ``engine``'s database (the service does this on
    start, for its own database)."""
    upgrade(engine, FEEDBACK)


class FeedbackStore:
    """The feedback table of a state folder's service database, read and written by the core
    (``screener feedback import``, training, lexicon suggestions)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = engine_for(url)
        self._ready = False

    def _ensure(self) -> None:
        if self._ready:
            return
        try:
            prepare(self.engine, FEEDBACK)
        except (SQLAlchemyError, OSError) as exc:
            problem = storage_problem(exc) or getattr(exc, "orig", None) or exc
            raise StorageError(f"反馈数据库 {self.url}", str(problem)) from None
        self._ready = True

    def add(self, rows: list[dict[str, Any]]) -> int:
        self._ensure()
        for attempt in range(_WRITE_RETRIES):
            try:
                with self.engine.connect().execution_options(immediate=True) as conn, \
                        conn.begin():
                    return add_rows(conn, rows)
            except OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    problem = storage_problem(exc) or str(exc.orig).splitlines()[0]
                    raise StorageError(f"反馈数据库 {self.url}", problem) from None
                time.sleep(0.05 * (attempt + 1))
        raise StorageError(f"反馈数据库 {self.url}", "数据库一直被锁定；请稍后再试")

    def rows(self) -> list[dict[str, Any]]:
        """Every row, oldest first."""
        self._ensure()
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in
                    conn.execute(select(feedback_table).order_by(feedback_table.c.id))]

    def count(self) -> int:
        from sqlalchemy import func

        self._ensure()
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(feedback_table)).scalar_one()


def store_for(settings) -> FeedbackStore:
    return FeedbackStore(settings.service_database_url)
