"""The hash-chained audit log: who did what to which draft or account, and when.

Each row stores ``hash = sha256(prev_hash + canonical JSON of the row)``, where the canonical
JSON holds the row's id, time, actor, action, subject and details. Ids are consecutive from 1, so
editing a row breaks its hash, and deleting or reordering one breaks the ids or the next row's
``prev_hash``. Deleting rows at the END leaves a valid shorter chain: keep the head
(``head()``) somewhere else, such as the paper file, and pass it to ``verify``.

Rows are only appended, inside the caller's write transaction, so an action and its audit row
commit or roll back together. Lexicon and asset changes, which commit in their own stores, are
logged by ``maintenance``, which also checks that none is missing from the log.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from .db import audit_log, now
from .errors import AuditError

GENESIS = "0" * 64
_BATCH = 1000


def canonical(row_id: int, at: str, actor: str, action: str, subject: str, details: str) -> str:
    return json.dumps({"id": row_id, "at": at, "actor": actor, "action": action,
                       "subject": subject, "details": details},
                      sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def chain_hash(prev_hash: str, row_json: str) -> str:
    return hashlib.sha256((prev_hash + row_json).encode("utf-8")).hexdigest()


def append(session: Any, actor: str, action: str, subject: str,
           details: dict[str, Any] | None = None) -> int:
    """Append one row in the caller's transaction (a Connection or an ORM Session); its id.

    Call it inside a write transaction that holds the write lock (``db.write``), or two writers
    could both chain onto the same last row.
    """
    last = session.execute(
        select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).first()
    row_id = (last.id + 1) if last else 1
    prev = last.hash if last else GENESIS
    at = now()
    text = json.dumps(details or {}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = chain_hash(prev, canonical(row_id, at, actor, action, subject, text))
    session.execute(insert(audit_log).values(id=row_id, at=at, actor=actor, action=action,
                                             subject=subject, details=text, prev_hash=prev,
                                             hash=digest))
    return row_id


@dataclass(frozen=True, slots=True)
class Head:
    rows: int
    hash: str


def head(conn: Connection) -> Head:
    last = conn.execute(select(audit_log.c.id, audit_log.c.hash)
                        .order_by(audit_log.c.id.desc()).limit(1)).first()
    return Head(last.id, last.hash) if last else Head(0, GENESIS)


def _rows(conn: Connection) -> Iterator[Any]:
    after = 0
    while True:
        batch = conn.execute(select(audit_log).where(audit_log.c.id > after)
                             .order_by(audit_log.c.id).limit(_BATCH)).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].id


def verify(conn: Connection, expected_head: str | None = None) -> Head:
    """Check the whole chain; raise AuditError naming the first bad row, else return the head."""
    prev, expected_id, count = GENESIS, 1, 0
    for row in _rows(conn):
        if row.id != expected_id:
            raise AuditError("audit row {row} is missing (next row is {next})",
                             row=expected_id, next=row.id)
        if row.prev_hash != prev:
            raise AuditError("audit row {row}: prev_hash does not match row {previous}",
                             row=row.id, previous=row.id - 1)
        digest = chain_hash(prev, canonical(row.id, row.at, row.actor, row.action, row.subject,
                                            row.details))
        if digest != row.hash:
            raise AuditError("audit row {row} was changed after it was written "
                             "({action} {subject})", row=row.id, action=row.action,
                             subject=row.subject)
        prev, expected_id, count = row.hash, expected_id + 1, count + 1
    total = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
    if total != count:
        raise AuditError("audit log has {total} rows but only {count} chain", row=count + 1,
                         total=total, count=count)
    if expected_head is not None and expected_head != prev:
        raise AuditError("audit head is {head}… after {count} rows, not the expected "
                         "{expected}… (rows at the end were removed or replaced)",
                         row=count, head=prev[:16], count=count, expected=expected_head[:16])
    return Head(count, prev)
