"""One unit of work per state change: a write transaction that carries its audit rows.

Every use case writes through ``unit_of_work(engine, actor)``. It opens the write transaction
(``db.write``: the write lock from the first statement), hands out ``uow.conn`` for the change
and ``uow.audit(...)`` for its audit row, and commits both or neither. A unit that changed a row
but appended no audit row is refused (``UnauditedWrite``) and rolled back, so a change cannot
leave the audit log behind by forgetting it. After the commit the chain's new head is written to
the signed head file outside the database (``audit.anchor``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, event

from . import audit
from .db import audit_log, write

_log = logging.getLogger(__name__)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class UnauditedWrite(RuntimeError):
    """A unit of work changed rows without an audit row: a bug, never the caller's fault."""


class UnitOfWork:
    def __init__(self, conn: Connection, actor: str) -> None:
        self.conn = conn
        self.actor = actor
        self.audit_ids: list[int] = []
        self.head: tuple[int, str] | None = None
        self.writes = 0

    def audit(self, action: str, subject: str, details: dict[str, Any] | None = None,
              actor: str | None = None) -> int:
        """Append the change's audit row in this transaction; its id."""
        row_id, digest = audit.append(self.conn, actor or self.actor, action, subject, details)
        self.audit_ids.append(row_id)
        self.head = (row_id, digest)
        return row_id

    def _seen(self, conn, cursor, statement: str, parameters, context, executemany) -> None:
        words = statement.lstrip().split(None, 3)
        if words and words[0].upper() in _WRITES and audit_log.name not in statement:
            self.writes += 1


@contextmanager
def unit_of_work(engine: Engine, actor: str) -> Iterator[UnitOfWork]:
    with write(engine) as conn:
        uow = UnitOfWork(conn, actor)
        event.listen(conn, "before_cursor_execute", uow._seen)
        try:
            yield uow
        finally:
            event.remove(conn, "before_cursor_execute", uow._seen)
        if uow.writes and not uow.audit_ids:
            raise UnauditedWrite(f"{uow.writes} row change(s) by {actor} without an audit row")
    if uow.head is not None:
        try:
            audit.anchor(engine, *uow.head)
        except OSError as exc:  # committed already: say so in the log, do not fail the caller
            _log.error("the signed audit head was not written (%s); audit verify will check "
                       "the chain against the previous head", exc.strerror or exc)
